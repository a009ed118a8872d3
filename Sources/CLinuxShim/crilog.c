#define _GNU_SOURCE
#include "skiff_crilog.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int skiff_log_open(struct skiff_log_file *f, const char *path, long long max_size, int max_files) {
    f->path = path;
    f->max_size = max_size < 1 ? 1 : max_size;
    f->max_files = max_files < 1 ? 1 : max_files;
    f->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (f->fd < 0) return -1;
    struct stat st;
    f->size = fstat(f->fd, &st) == 0 ? (long long)st.st_size : 0;
    return 0;
}

void skiff_log_close(struct skiff_log_file *f) {
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
}

static void rotate(struct skiff_log_file *f) {
    close(f->fd);
    char from[4200], to[4200];
    if (f->max_files > 1) {
        for (int i = f->max_files - 2; i >= 1; i--) {
            snprintf(from, sizeof from, "%s.%d", f->path, i);
            snprintf(to, sizeof to, "%s.%d", f->path, i + 1);
            rename(from, to);
        }
        snprintf(to, sizeof to, "%s.1", f->path);
        rename(f->path, to);
    } else {
        unlink(f->path);
    }
    f->fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    f->size = 0;
}

// One whole record, rotating first when it would not fit; write errors drop it.
static void write_record(struct skiff_log_file *f, const char *record, size_t n) {
    if (f->size > 0 && f->size + (long long)n > f->max_size) rotate(f);
    if (f->fd < 0) return;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(f->fd, record + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    f->size += (long long)off;
}

void skiff_cri_timestamp(uint64_t nanos, char out[31]) {
    time_t seconds = (time_t)(nanos / 1000000000ull);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    char text[96];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned long long)(nanos % 1000000000ull));
    memcpy(out, text, 30);
    out[30] = '\0';
}

static void emit(struct skiff_log_file *f, const char *stream, uint64_t nanos, int partial, const char *msg, size_t n) {
    char time[31];
    skiff_cri_timestamp(nanos, time);
    char head[64];
    int h = snprintf(head, sizeof head, "%s %s %c ", time, stream, partial ? 'P' : 'F');
    char *record = malloc((size_t)h + n + 1);
    if (record == NULL) return;
    memcpy(record, head, (size_t)h);
    memcpy(record + h, msg, n);
    record[(size_t)h + n] = '\n';
    write_record(f, record, (size_t)h + n + 1);
    free(record);
}

void skiff_splitter_feed(struct skiff_line_splitter *s, struct skiff_log_file *f, const char *stream, uint64_t nanos, const char *data, size_t n) {
    if (s->limit == 0) s->limit = 1;
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n) cap *= 2;
        char *grown = realloc(s->buf, cap);
        if (grown == NULL) return;
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    size_t start = 0;
    while (start < s->len) {
        size_t window = s->len - start < s->limit + 1 ? s->len - start : s->limit + 1;
        const char *nl = memchr(s->buf + start, '\n', window);
        if (nl != NULL) {
            size_t line = (size_t)(nl - (s->buf + start));
            emit(f, stream, nanos, 0, s->buf + start, line);
            start += line + 1;
        } else if (s->len - start > s->limit) {
            emit(f, stream, nanos, 1, s->buf + start, s->limit);
            start += s->limit;
        } else {
            break;
        }
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
}

void skiff_splitter_finish(struct skiff_line_splitter *s, struct skiff_log_file *f, const char *stream, uint64_t nanos) {
    if (s->len > 0) emit(f, stream, nanos, 1, s->buf, s->len);
    s->len = 0;
}
