// skiff-monitor: a container's parent for its whole life (what conmon is to CRI-O). The
// kubelet starts it detached (skiff_spawn_detached); it makes itself a subreaper, starts the
// container (skiff_spawn: the same set-up as every container process), reports the outcome
// on descriptor 3, writes started.json, copies stdout and stderr into the CRI log, reaps the
// container and whatever it left behind, and writes exited.json, then exits. The kubelet may
// die and come back meanwhile: the container, its log and its exit code do not depend on it.
//
//   skiff-monitor --dir D --log FILE --log-max-size N --log-max-files N --log-line-limit N
//       --drain-ms N [--uts-fd 4] [--cgroup-procs FILE]... [--cgroup-kill FILE] [--oom-file FILE]
//       [--oom-score N] [--ids UID:GID[:G,G...]] [--cwd DIR] [--search-path PATH] [--env-fd N]
//       -- ARGV...
//
// The container's environment comes on descriptor N (`NAME=value` entries each ended by a
// NUL byte; read to its end, then closed), never on the command line: /proc/<pid>/cmdline is
// readable by every user and one argument is limited to 128 KiB.
#define _GNU_SOURCE
#include "records.h"
#include "skiff_crilog.h"
#include "skiff_process.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD 3
#define MAX_LIST 256

struct options {
    const char *dir, *log, *cgroup_kill, *oom_file;
    long long log_max_size, line_limit, drain_ms;
    int log_max_files;
    const char *procs[MAX_LIST + 1];
    int procs_count;
    int env_fd;
    uint32_t groups[MAX_LIST];
    struct skiff_spawn_request request;
};

static void report(int step, int err, pid_t pid) {
    struct skiff_monitor_status s = { step, err, (int)pid, (int)getpid() };
    ssize_t n;
    do { n = write(STATUS_FD, &s, sizeof s); } while (n < 0 && errno == EINTR);
    close(STATUS_FD);
}

static int parse_ids(struct options *o, char *text) {
    char *end;
    o->request.uid = (uint32_t)strtoul(text, &end, 10);
    if (*end != ':') return -1;
    o->request.gid = (uint32_t)strtoul(end + 1, &end, 10);
    size_t count = 0;
    while (*end == ':' || *end == ',') {
        if (count == MAX_LIST) return -1;
        o->groups[count++] = (uint32_t)strtoul(end + 1, &end, 10);
    }
    if (*end != '\0') return -1;
    o->request.set_ids = 1;
    o->request.groups = o->groups;
    o->request.group_count = count;
    return 0;
}

static int parse(struct options *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->request.uts_ns_fd = -1;
    o->env_fd = -1;
    o->request.stdin_fd = -1;
    o->log_max_size = 10 * 1024 * 1024;
    o->log_max_files = 5;
    o->line_limit = 16 * 1024;
    o->drain_ms = 2000;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) { i++; break; }
        if (i + 1 >= argc) return -1;
        char *v = argv[++i];
        if (strcmp(a, "--dir") == 0) o->dir = v;
        else if (strcmp(a, "--log") == 0) o->log = v;
        else if (strcmp(a, "--log-max-size") == 0) o->log_max_size = atoll(v);
        else if (strcmp(a, "--log-max-files") == 0) o->log_max_files = atoi(v);
        else if (strcmp(a, "--log-line-limit") == 0) o->line_limit = atoll(v);
        else if (strcmp(a, "--drain-ms") == 0) o->drain_ms = atoll(v);
        else if (strcmp(a, "--uts-fd") == 0) o->request.uts_ns_fd = atoi(v);
        else if (strcmp(a, "--cgroup-kill") == 0) o->cgroup_kill = v;
        else if (strcmp(a, "--oom-file") == 0) o->oom_file = v;
        else if (strcmp(a, "--cwd") == 0) o->request.working_dir = v;
        else if (strcmp(a, "--search-path") == 0) o->request.search_path = v;
        else if (strcmp(a, "--oom-score") == 0) { o->request.set_oom_score_adj = 1; o->request.oom_score_adj = atoi(v); }
        else if (strcmp(a, "--ids") == 0) { if (parse_ids(o, v) < 0) return -1; }
        else if (strcmp(a, "--cgroup-procs") == 0) { if (o->procs_count == MAX_LIST) return -1; o->procs[o->procs_count++] = v; }
        else if (strcmp(a, "--env-fd") == 0) o->env_fd = atoi(v);
        else return -1;
    }
    if (o->dir == NULL || o->log == NULL || i >= argc) return -1;
    o->request.argv = argv + i;
    o->request.cgroup_procs = o->procs_count ? o->procs : NULL;
    return 0;
}

// Reads the environment from o->env_fd (closing it) into request.envp; -1 with errno.
static int read_environment(struct options *o) {
    static char *none[] = { NULL };
    o->request.envp = none;
    if (o->env_fd < 0) return 0;
    size_t size = 0, capacity = 64 * 1024;
    char *data = malloc(capacity + 1);
    for (;;) {
        if (data == NULL) return -1;
        if (size == capacity) {
            capacity *= 2;
            data = realloc(data, capacity + 1);
            continue;
        }
        ssize_t n = read(o->env_fd, data + size, capacity - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        size += (size_t)n;
    }
    close(o->env_fd);
    o->env_fd = -1;
    data[size] = '\0';
    size_t count = 0;
    for (size_t i = 0; i < size; i++) if (data[i] == '\0') count++;
    if (size > 0 && data[size - 1] != '\0') count++;
    char **envp = calloc(count + 1, sizeof *envp);
    if (envp == NULL) return -1;
    size_t k = 0;
    for (size_t i = 0; i < size; i += strlen(data + i) + 1) envp[k++] = data + i;
    o->request.envp = envp;
    return 0;
}

// SIGKILL to every pid listed in the container's cgroup.procs files; the number still alive.
static int kill_listed(const struct options *o) {
    int alive = 0;
    for (int i = 0; i < o->procs_count; i++) {
        FILE *f = fopen(o->procs[i], "re");
        if (f == NULL) continue;
        int pid;
        while (fscanf(f, "%d", &pid) == 1) {
            char path[64], state = 0;
            snprintf(path, sizeof path, "/proc/%d/stat", pid);
            FILE *s = fopen(path, "re");
            if (s != NULL) {
                if (fscanf(s, "%*d (%*[^)]) %c", &state) != 1) state = 0;
                fclose(s);
            }
            if (state == 0 || state == 'Z' || state == 'X') continue;
            kill(pid, SIGKILL);
            alive++;
        }
        fclose(f);
    }
    return alive;
}

static void reap_all(void) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

// What the container left running dies with it, as in a container's pid namespace: its
// process group, then the cgroup (cgroup.kill where there is one, else SIGKILL to each listed
// process until none is alive, 5 s at most).
static void kill_leftovers(const struct options *o, pid_t group) {
    kill(-group, SIGKILL);
    if (o->cgroup_kill != NULL) {
        int fd = open(o->cgroup_kill, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) { (void)!write(fd, "1", 1); close(fd); }
    }
    for (int round = 0; round < 500; round++) {
        reap_all();
        if (kill_listed(o) == 0) return;
        usleep(10000);
    }
}

static int start(struct options *o, struct skiff_log_file *log, int out[2], int err[2], pid_t *pid) {
    if (skiff_log_open(log, o->log, o->log_max_size, o->log_max_files) < 0) { report(SKIFF_STEP_LOG_OPEN, errno, 0); return -1; }
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) { report(SKIFF_STEP_PIPE, errno, 0); return -1; }
    o->request.stdout_fd = out[1];
    o->request.stderr_fd = err[1];
    struct skiff_spawn_error failure = { 0, 0 };
    *pid = skiff_spawn(&o->request, &failure);
    close(out[1]);
    close(err[1]);
    if (o->request.uts_ns_fd >= 0) close(o->request.uts_ns_fd);
    if (*pid < 0) { report(failure.step, failure.err, 0); return -1; }
    char json[256];
    snprintf(json, sizeof json, "{\"monitorPid\":%d,\"monitorStartTime\":%llu,\"pid\":%d,\"startTime\":%llu,\"startedAt\":%llu}",
             (int)getpid(), proc_start_time(getpid()), (int)*pid, proc_start_time(*pid), (unsigned long long)now_nanos());
    if (write_record(o->dir, "started.json", json) < 0) {
        int e = errno;
        kill(-*pid, SIGKILL);
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
        report(SKIFF_STEP_START_RECORD, e, 0);
        return -1;
    }
    report(0, 0, *pid);
    return 0;
}

int main(int argc, char **argv) {
    struct options o;
    if (parse(&o, argc, argv) < 0) { report(SKIFF_STEP_MONITOR_ARGS, EINVAL, 0); return 2; }
    if (read_environment(&o) < 0) { report(SKIFF_STEP_MONITOR_ARGS, errno, 0); return 2; }
    prctl(PR_SET_NAME, "skiff-monitor", 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    struct skiff_log_file log = { .fd = -1 };
    int out[2], err[2];
    pid_t pid;
    if (sfd < 0) { report(SKIFF_STEP_SIGNALS, errno, 0); return 1; }
    if (start(&o, &log, out, err, &pid) < 0) return 1;

    struct skiff_line_splitter split[2] = { { .limit = (size_t)o.line_limit }, { .limit = (size_t)o.line_limit } };
    const char *streams[2] = { "stdout", "stderr" };
    int fds[2] = { out[0], err[0] };
    int status = 0, exited = 0;
    uint64_t drain_deadline = 0;
    static char buffer[64 * 1024];
    while (fds[0] >= 0 || fds[1] >= 0 || !exited) {
        struct pollfd p[3] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 }, { sfd, POLLIN, 0 } };
        int timeout = -1;
        if (exited) {
            uint64_t now = now_nanos();
            if (now >= drain_deadline) break;
            timeout = (int)((drain_deadline - now) / 1000000) + 1;
        }
        int n = poll(p, 3, timeout);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        for (int i = 0; i < 2; i++) {
            if (fds[i] < 0 || p[i].revents == 0) continue;
            ssize_t got = read(fds[i], buffer, sizeof buffer);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (got <= 0) {
                skiff_splitter_finish(&split[i], &log, streams[i], now_nanos());
                close(fds[i]);
                fds[i] = -1;
            } else {
                skiff_splitter_feed(&split[i], &log, streams[i], now_nanos(), buffer, (size_t)got);
            }
        }
        if (p[2].revents != 0) {
            struct signalfd_siginfo info;
            while (read(sfd, &info, sizeof info) > 0) {}
            int st;
            pid_t r;
            while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
                if (r == pid && !exited) {
                    exited = 1;
                    status = st;
                    kill_leftovers(&o, pid);
                    drain_deadline = now_nanos() + (uint64_t)o.drain_ms * 1000000ull;
                }
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i] < 0) continue;
        skiff_splitter_finish(&split[i], &log, streams[i], now_nanos());
        close(fds[i]);
    }
    skiff_log_close(&log);
    reap_all();

    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const char *reason = oom_kills(o.oom_file) > 0 ? "OOMKilled" : code == 0 ? "Completed" : "Error";
    char json[256];
    if (WIFSIGNALED(status))
        snprintf(json, sizeof json, "{\"exitCode\":%d,\"finishedAt\":%llu,\"message\":\"\",\"reason\":\"%s\",\"signal\":%d}",
                 code, (unsigned long long)now_nanos(), reason, WTERMSIG(status));
    else
        snprintf(json, sizeof json, "{\"exitCode\":%d,\"finishedAt\":%llu,\"message\":\"\",\"reason\":\"%s\"}",
                 code, (unsigned long long)now_nanos(), reason);
    return write_record(o.dir, "exited.json", json) < 0 ? 1 : 0;
}
