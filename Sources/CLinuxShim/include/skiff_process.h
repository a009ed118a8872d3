#ifndef SKIFF_PROCESS_H
#define SKIFF_PROCESS_H
// Starting and watching processes for the kubelet's runtime. This is C because the child's
// side of a fork in a threaded process may only make async-signal-safe calls (Swift code there
// can deadlock on a lock another thread held at fork time), and Glibc does not export
// unshare, setns, prctl or the pidfd calls to Swift.
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// The step of a child's set-up that failed (reported with errno over a close-on-exec pipe).
enum skiff_spawn_step {
    SKIFF_STEP_NONE = 0,
    SKIFF_STEP_PIPE = 1,      // parent: creating the report pipe
    SKIFF_STEP_FORK = 2,      // parent: fork
    SKIFF_STEP_SIGNALS = 3,
    SKIFF_STEP_SETSID = 4,
    SKIFF_STEP_CGROUP = 5,    // writing the pid into a cgroup.procs file
    SKIFF_STEP_SETNS = 6,
    SKIFF_STEP_STDIO = 7,
    SKIFF_STEP_CLOSE_FDS = 8,
    SKIFF_STEP_SETGROUPS = 9,
    SKIFF_STEP_SETGID = 10,
    SKIFF_STEP_SETUID = 11,
    SKIFF_STEP_CHDIR = 12,
    SKIFF_STEP_EXEC = 13,
    SKIFF_STEP_UNSHARE = 14,
    SKIFF_STEP_SETHOSTNAME = 15,
    SKIFF_STEP_OOM_SCORE = 16, // writing /proc/self/oom_score_adj
    SKIFF_STEP_LOG_OPEN = 17,  // monitor: opening the container's log file
    SKIFF_STEP_START_RECORD = 18, // monitor: writing started.json
    SKIFF_STEP_MONITOR_ARGS = 19, // monitor: a bad command line
    SKIFF_STEP_TTY = 20,       // making stdin the controlling terminal (TIOCSCTTY)
};

struct skiff_spawn_error {
    int step;   // enum skiff_spawn_step
    int err;    // errno
};

/// What to start. Every pointer is only read; NULL-terminated lists as execve's.
struct skiff_spawn_request {
    /// argv[0] is the executable: run as given when it contains '/', else searched for in
    /// `search_path` (a PATH value: ':'-separated, an empty entry meaning the working dir).
    char *const *argv;
    char *const *envp;
    const char *search_path;        // NULL: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    const char *const *cgroup_procs; // NULL or NULL-terminated cgroup.procs paths to join
    int uts_ns_fd;                  // -1: stay in this process's UTS namespace
    int set_oom_score_adj;          // nonzero: write oom_score_adj to /proc/self/oom_score_adj
    int oom_score_adj;              // -1000 ... 1000
    int set_ids;                    // nonzero: setgroups(groups), setgid(gid), setuid(uid)
    uint32_t uid;
    uint32_t gid;
    const uint32_t *groups;
    size_t group_count;
    const char *working_dir;        // NULL: "/"
    int stdin_fd;                   // -1: /dev/null
    int stdout_fd;                  // -1: /dev/null
    int stderr_fd;                  // -1: /dev/null
    int controlling_tty;            // nonzero: stdin is a terminal; it becomes the new session's controlling terminal
};

/// Forks and execs. In the child, in order: reset signal dispositions and mask, setsid, join
/// the cgroups, set oom_score_adj, setns into the UTS namespace, stdio (and TIOCSCTTY on it
/// with `controlling_tty`), close every other descriptor, set groups,
/// gid and uid, chdir, execve. Returns the child's pid once execve succeeded; or -1 with
/// `error` filled when any step failed (the child is then already reaped).
/// Thread-safe; the caller's descriptors are not closed.
pid_t skiff_spawn(const struct skiff_spawn_request *request, struct skiff_spawn_error *error);

/// Forks a process that holds a new UTS namespace for a pod: it resets signals, calls setsid,
/// unshare(CLONE_NEWUTS) and sethostname(hostname), closes every descriptor, and execs
/// `exec_path` (a program that sleeps until killed, e.g. skiff-pause) with an empty
/// environment. With `exec_path` NULL it sleeps without exec: it then stays a copy-on-write
/// image of the caller, which pins the caller's pages as the caller changes them (costly for
/// a large caller; a fallback only). Returns its pid once it runs, or -1 with `error` filled
/// (the child reaped).
pid_t skiff_spawn_uts_holder(const char *hostname, size_t hostname_length, const char *exec_path, struct skiff_spawn_error *error);

/// What a container monitor (skiff-monitor) writes on its status descriptor (fd 3) once:
/// step 0 and the container's pid once it runs and started.json is written, else the failed
/// step and errno (nothing then runs).
struct skiff_monitor_status {
    int step;   // enum skiff_spawn_step
    int err;
    int pid;    // the container's pid when step is 0
    int monitor_pid;
};

/// Starts `path` detached from the caller: in a new session, as a grandchild (the middle
/// process exits at once, so the caller is not its parent), with an empty environment, stdio
/// on /dev/null, signals reset, and only `fds[0..count)` open besides, as descriptors 3, 4, ...
/// Returns 0 once execve succeeded, or -1 with `error` filled.
int skiff_spawn_detached(const char *path, char *const *argv, const int *fds, int fd_count, struct skiff_spawn_error *error);

/// A new pseudo-terminal: posix_openpt, grantpt, unlockpt, then its terminal side (ptsname_r)
/// opened; both close-on-exec, and neither becomes this process's controlling terminal. With
/// `rows` and `columns` nonzero, sets its window size. Returns 0, or -1 with errno (nothing
/// left open).
int skiff_open_pty(int *controller, int *terminal, unsigned short rows, unsigned short columns);

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so that no concurrent
/// fork elsewhere in the process can leak them.
int skiff_pipe_cloexec(int fds[2]);

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are re-parented to this process.
int skiff_set_child_subreaper(void);

/// pidfd_open(pid, 0) with close-on-exec (pidfds are always close-on-exec).
int skiff_pidfd_open(pid_t pid);
/// pidfd_send_signal: a signal that cannot reach a recycled pid.
int skiff_pidfd_send_signal(int pidfd, int signal);
/// waitid(P_PIDFD, pidfd, WEXITED): blocks until the process ends and reaps it, or leaves
/// it a zombie when `no_reap` (WNOWAIT), so that its pid cannot be reused yet. Sets
/// `exit_code` (>= 0) when it exited, else `signal` (> 0) when a signal killed it.
/// Returns 0, or -1 with errno (EINTR is retried).
int skiff_pidfd_wait(int pidfd, int no_reap, int *exit_code, int *signal);
#endif
