#define _GNU_SOURCE
#include "records.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t now_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static ssize_t read_file(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t total = 0, n;
    while ((size_t)total < size - 1 && (n = read(fd, buf + total, size - 1 - (size_t)total)) > 0) total += n;
    close(fd);
    buf[total] = '\0';
    return total;
}

unsigned long long proc_start_time(pid_t pid) {
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_file(path, text, sizeof text) <= 0) return 0;
    char *p = strrchr(text, ')');
    if (p == NULL) return 0;
    // Fields after the command start at field 3 (the state); the start time is field 22.
    p++;
    for (int field = 3; field <= 22; field++) {
        while (*p == ' ') p++;
        if (*p == '\0') return 0;
        if (field == 22) return strtoull(p, NULL, 10);
        while (*p != ' ' && *p != '\0') p++;
    }
    return 0;
}

long long oom_kills(const char *file) {
    char text[4096];
    if (file == NULL || read_file(file, text, sizeof text) <= 0) return 0;
    for (char *line = text; line && *line; ) {
        if (strncmp(line, "oom_kill ", 9) == 0) return strtoll(line + 9, NULL, 10);
        line = strchr(line, '\n');
        if (line) line++;
    }
    return 0;
}

int write_record(const char *dir, const char *name, const char *json) {
    char tmp[4200], path[4200];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    size_t n = strlen(json), off = 0;
    while (off < n) {
        ssize_t w = write(fd, json + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { int e = errno; close(fd); errno = e ? e : EIO; return -1; }
        off += (size_t)w;
    }
    if (close(fd) < 0) return -1;
    return rename(tmp, path);
}
