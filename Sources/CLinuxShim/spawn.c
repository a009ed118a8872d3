#define _GNU_SOURCE
#include "skiff_process.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// Everything from here to execve runs in a forked child of a threaded process: only
// async-signal-safe calls, no malloc, no locks, no stdio. setgroups/setgid/setuid are raw
// syscalls: glibc's wrappers broadcast to every thread of the parent's (stale) thread list.

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static void report_and_exit(int fd, int step, int err) {
    struct skiff_spawn_error e = { step, err };
    ssize_t n;
    do { n = write(fd, &e, sizeof e); } while (n < 0 && errno == EINTR);
    _exit(127);
}

// The kernel's struct sigaction (x86_64, aarch64 layout). The raw rt_sigaction reaches the
// signals glibc keeps for itself (32, 33), which glibc's sigaction refuses: an inherited
// SIG_IGN on one of them would otherwise survive exec.
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static void reset_signal_dispositions(void) {
    struct kernel_sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.handler = SIG_DFL;
    for (int s = 1; s < _NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP) continue;
        syscall(SYS_rt_sigaction, s, &sa, NULL, sizeof sa.mask);
    }
}

// Closes every descriptor from `first` up, except `keep` (which is >= first).
static int close_from_except(int first, int keep) {
    // close_range through syscall(): older glibc headers lack its wrapper.
    int a = keep > first ? (int)syscall(SYS_close_range, (unsigned)first, (unsigned)keep - 1, 0u) : 0;
    int b = a == 0 ? (int)syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) : -1;
    if (a == 0 && b == 0) return 0;
    if (errno != ENOSYS) return -1;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    for (rlim_t fd = (rlim_t)first; fd < rl.rlim_cur; fd++) if ((int)fd != keep) close((int)fd);
    return 0;
}

static int write_pid(const char *path, pid_t pid) {
    char digits[16];
    int n = 0;
    char rev[16];
    do { rev[n++] = (char)('0' + pid % 10); pid /= 10; } while (pid > 0);
    for (int i = 0; i < n; i++) digits[i] = rev[n - 1 - i];
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t w = write(fd, digits, (size_t)n);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == n ? 0 : -1;
}

// Writes a decimal (possibly negative) to /proc/self/oom_score_adj, async-signal-safely.
static int write_oom_score_adj(int value) {
    char text[16];
    int n = 0;
    char rev[16];
    unsigned magnitude = value < 0 ? (unsigned)(-(long)value) : (unsigned)value;
    do { rev[n++] = (char)('0' + magnitude % 10); magnitude /= 10; } while (magnitude > 0);
    int len = 0;
    if (value < 0) text[len++] = '-';
    for (int i = 0; i < n; i++) text[len++] = rev[n - 1 - i];
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t w = write(fd, text, (size_t)len);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == len ? 0 : -1;
}

// Moves `fd` to a number >= 3 so that installing stdio cannot overwrite it.
static int above_stdio(int fd) {
    if (fd < 0 || fd > 2) return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static int install_stdio(const struct skiff_spawn_request *r) {
    int wanted[3] = { r->stdin_fd, r->stdout_fd, r->stderr_fd };
    int moved[3];
    int devnull = -1;
    for (int i = 0; i < 3; i++) {
        int src = wanted[i];
        if (src < 0) {
            if (devnull < 0 && (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) return -1;
            src = devnull;
        }
        if ((moved[i] = fcntl(src, F_DUPFD_CLOEXEC, 3)) < 0) return -1;
    }
    for (int i = 0; i < 3; i++) if (dup2(moved[i], i) < 0) return -1;   // dup2 clears CLOEXEC
    return 0;
}

// execvpe's search, but over the container's PATH rather than this process's, and never
// falling back to /bin/sh for a file without a #! line.
static void exec_searching(int report, const struct skiff_spawn_request *r) {
    const char *file = r->argv[0];
    if (file == NULL || file[0] == '\0') report_and_exit(report, SKIFF_STEP_EXEC, ENOENT);
    if (strchr(file, '/') != NULL) {
        execve(file, r->argv, r->envp);
        report_and_exit(report, SKIFF_STEP_EXEC, errno);
    }
    size_t file_len = strlen(file);
    const char *p = r->search_path ? r->search_path : default_path;
    int denied = 0;
    char candidate[PATH_MAX];
    for (;;) {
        const char *end = strchrnul(p, ':');
        size_t dir_len = (size_t)(end - p);
        const char *dir = dir_len ? p : ".";
        if (!dir_len) dir_len = 1;
        if (dir_len + 1 + file_len + 1 <= sizeof candidate) {
            memcpy(candidate, dir, dir_len);
            candidate[dir_len] = '/';
            memcpy(candidate + dir_len + 1, file, file_len + 1);
            execve(candidate, r->argv, r->envp);
            switch (errno) {
            case EACCES: denied = 1; break;
            case ENOENT: case ENOTDIR: case ESTALE: case ENODEV: case ETIMEDOUT: case ENAMETOOLONG: break;
            default: report_and_exit(report, SKIFF_STEP_EXEC, errno);
            }
        }
        if (*end == '\0') break;
        p = end + 1;
    }
    report_and_exit(report, SKIFF_STEP_EXEC, denied ? EACCES : ENOENT);
}

static void child(int report, const struct skiff_spawn_request *r) {
    reset_signal_dispositions();
    if (setsid() < 0) report_and_exit(report, SKIFF_STEP_SETSID, errno);
    int moved = above_stdio(report);
    if (moved < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);
    report = moved;
    pid_t self = getpid();
    for (const char *const *c = r->cgroup_procs; c && *c; c++)
        if (write_pid(*c, self) < 0) report_and_exit(report, SKIFF_STEP_CGROUP, errno);
    // Before setuid: lowering the score needs CAP_SYS_RESOURCE.
    if (r->set_oom_score_adj && write_oom_score_adj(r->oom_score_adj) < 0) report_and_exit(report, SKIFF_STEP_OOM_SCORE, errno);
    if (r->uts_ns_fd >= 0 && setns(r->uts_ns_fd, CLONE_NEWUTS) < 0) report_and_exit(report, SKIFF_STEP_SETNS, errno);
    if (install_stdio(r) < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);
    // After setsid, this session has no controlling terminal yet: stdin's becomes it.
    if (r->controlling_tty && ioctl(0, TIOCSCTTY, 0) < 0) report_and_exit(report, SKIFF_STEP_TTY, errno);
    if (close_from_except(3, report) < 0) report_and_exit(report, SKIFF_STEP_CLOSE_FDS, errno);
    if (r->set_ids) {
        if (syscall(SYS_setgroups, r->group_count, r->groups) < 0) report_and_exit(report, SKIFF_STEP_SETGROUPS, errno);
        if (syscall(SYS_setgid, r->gid) < 0) report_and_exit(report, SKIFF_STEP_SETGID, errno);
        if (syscall(SYS_setuid, r->uid) < 0) report_and_exit(report, SKIFF_STEP_SETUID, errno);
    }
    if (chdir(r->working_dir ? r->working_dir : "/") < 0) report_and_exit(report, SKIFF_STEP_CHDIR, errno);
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) report_and_exit(report, SKIFF_STEP_SIGNALS, errno);
    exec_searching(report, r);
}

// Blocks every signal around fork so that the child cannot run one of the parent's handlers
// before it has reset them; the parent's mask is restored at once.
static pid_t fork_with_signals_blocked(void) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid != 0) pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pid;
}

static void reap(pid_t pid) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

// Reads the child's report: 0 bytes (the pipe closed by a successful execve) or one record.
static ssize_t read_report(int fd, struct skiff_spawn_error *e) {
    ssize_t n;
    do { n = read(fd, e, sizeof *e); } while (n < 0 && errno == EINTR);
    return n;
}

/// Forks with signals blocked and runs `body(report, arg)` in the child, which reports a failed
/// step over a close-on-exec pipe (or a STEP_NONE record to say it runs on without exec). The
/// parent learns the outcome synchronously: end of file (execve closed the pipe) or STEP_NONE
/// is success; a short record is reported as `short_read_step`, and the child is reaped.
static pid_t fork_reporting(void (*body)(int, const void *), const void *arg, int short_read_step,
                            struct skiff_spawn_error *error) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) { *error = (struct skiff_spawn_error){ SKIFF_STEP_PIPE, errno }; return -1; }
    pid_t pid = fork_with_signals_blocked();
    if (pid < 0) {
        *error = (struct skiff_spawn_error){ SKIFF_STEP_FORK, errno };
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        close(pipefd[0]);
        body(pipefd[1], arg);
        _exit(127);
    }
    close(pipefd[1]);
    struct skiff_spawn_error e = { SKIFF_STEP_NONE, 0 };
    ssize_t n = read_report(pipefd[0], &e);
    close(pipefd[0]);
    if (n == 0 || (n == (ssize_t)sizeof e && e.step == SKIFF_STEP_NONE)) return pid;
    if (n != (ssize_t)sizeof e) e = (struct skiff_spawn_error){ short_read_step, n < 0 ? errno : EIO };
    reap(pid);
    *error = e;
    return -1;
}

static void spawn_child(int report, const void *request) { child(report, request); }

pid_t skiff_spawn(const struct skiff_spawn_request *request, struct skiff_spawn_error *error) {
    return fork_reporting(spawn_child, request, SKIFF_STEP_EXEC, error);
}

static void holder(int report, const char *hostname, size_t length, const char *exec_path) {
    reset_signal_dispositions();
    if (setsid() < 0) report_and_exit(report, SKIFF_STEP_SETSID, errno);
    prctl(PR_SET_NAME, "skiff-pod-uts", 0, 0, 0);
    if (unshare(CLONE_NEWUTS) < 0) report_and_exit(report, SKIFF_STEP_UNSHARE, errno);
    if (sethostname(hostname, length) < 0) report_and_exit(report, SKIFF_STEP_SETHOSTNAME, errno);
    if (chdir("/") < 0) report_and_exit(report, SKIFF_STEP_CHDIR, errno);
    if (close_from_except(0, report) < 0) report_and_exit(report, SKIFF_STEP_CLOSE_FDS, errno);
    sigset_t none;
    sigemptyset(&none);
    if (exec_path != NULL) {
        char *const argv[] = { (char *)"skiff-pause", NULL };
        char *const envp[] = { NULL };
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(exec_path, argv, envp);
        report_and_exit(report, SKIFF_STEP_EXEC, errno);
    }
    struct skiff_spawn_error ok = { SKIFF_STEP_NONE, 0 };
    ssize_t n;
    do { n = write(report, &ok, sizeof ok); } while (n < 0 && errno == EINTR);
    close(report);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (;;) pause();
}

struct holder_args { const char *hostname; size_t length; const char *exec_path; };

static void holder_child(int report, const void *arg) {
    const struct holder_args *h = arg;
    holder(report, h->hostname, h->length, h->exec_path);
}

pid_t skiff_spawn_uts_holder(const char *hostname, size_t hostname_length, const char *exec_path, struct skiff_spawn_error *error) {
    struct holder_args args = { hostname, hostname_length, exec_path };
    return fork_reporting(holder_child, &args, SKIFF_STEP_UNSHARE, error);
}

int skiff_open_pty(int *controller, int *terminal, unsigned short rows, unsigned short columns) {
    int c = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (c < 0) return -1;
    char name[128];
    int t = -1;
    if (grantpt(c) == 0 && unlockpt(c) == 0 && ptsname_r(c, name, sizeof name) == 0)
        t = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t >= 0 && rows > 0 && columns > 0) {
        struct winsize ws = { rows, columns, 0, 0 };
        if (ioctl(c, TIOCSWINSZ, &ws) < 0) { close(t); t = -1; }
    }
    if (t < 0) {
        int saved = errno;
        close(c);
        errno = saved;
        return -1;
    }
    *controller = c;
    *terminal = t;
    return 0;
}

int skiff_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int skiff_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int skiff_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int skiff_pidfd_send_signal(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int skiff_pidfd_wait(int pidfd, int no_reap, int *exit_code, int *signal) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int r;
    do { r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | (no_reap ? WNOWAIT : 0)); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    *exit_code = -1;
    *signal = 0;
    if (info.si_code == CLD_EXITED) *exit_code = info.si_status;
    else *signal = info.si_status;
    return 0;
}

struct detached_args { const char *path; char *const *argv; const int *fds; int count; };

static void detached_child(int report, const void *arg) {
    const struct detached_args *d = arg;
    reset_signal_dispositions();
    if (setsid() < 0) report_and_exit(report, SKIFF_STEP_SETSID, errno);
    int base = 3 + d->count;
    int moved = fcntl(report, F_DUPFD_CLOEXEC, base);
    if (moved < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);
    report = moved;
    // Every wanted descriptor to a number above its target first, so that placing one never
    // overwrites another.
    int temps[16];
    if (d->count > 16) report_and_exit(report, SKIFF_STEP_STDIO, EINVAL);
    for (int i = 0; i < d->count; i++)
        if ((temps[i] = fcntl(d->fds[i], F_DUPFD_CLOEXEC, base)) < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);
    for (int i = 0; i < d->count; i++)
        if (dup2(temps[i], 3 + i) < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);   // clears CLOEXEC
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);
    for (int i = 0; i < 3; i++) if (dup2(devnull, i) < 0) report_and_exit(report, SKIFF_STEP_STDIO, errno);
    if (close_from_except(base, report) < 0) report_and_exit(report, SKIFF_STEP_CLOSE_FDS, errno);
    if (chdir("/") < 0) report_and_exit(report, SKIFF_STEP_CHDIR, errno);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    pid_t pid = fork();
    if (pid < 0) report_and_exit(report, SKIFF_STEP_FORK, errno);
    if (pid > 0) _exit(0);
    char *const envp[] = { NULL };
    execve(d->path, d->argv, envp);
    report_and_exit(report, SKIFF_STEP_EXEC, errno);
}

int skiff_spawn_detached(const char *path, char *const *argv, const int *fds, int fd_count, struct skiff_spawn_error *error) {
    struct detached_args args = { path, argv, fds, fd_count };
    pid_t middle = fork_reporting(detached_child, &args, SKIFF_STEP_EXEC, error);
    if (middle < 0) return -1;
    reap(middle);
    return 0;
}
