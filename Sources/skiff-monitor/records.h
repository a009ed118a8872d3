#ifndef SKIFF_MONITOR_RECORDS_H
#define SKIFF_MONITOR_RECORDS_H
// The container's records in its state directory, in the JSON the kubelet's StateDirectory
// reads (sorted keys, written whole by rename), and what /proc and cgroup files say.
#include <stdint.h>
#include <sys/types.h>

uint64_t now_nanos(void);
/// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), 0 when unknown.
unsigned long long proc_start_time(pid_t pid);
/// The `oom_kill N` counter of a v1 memory.oom_control or v2 memory.events file, 0 when unknown.
long long oom_kills(const char *file);
/// Writes `json` to `<dir>/<name>` through `<name>.tmp` and rename; -1 with errno on failure.
int write_record(const char *dir, const char *name, const char *json);
#endif
