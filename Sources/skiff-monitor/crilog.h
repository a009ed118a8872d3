#ifndef SKIFF_MONITOR_CRILOG_H
#define SKIFF_MONITOR_CRILOG_H
// A container's CRI log, written as the kubelet's Swift side once did (CRILogFormat,
// LineSplitter, RotatingLogFile in KubeletCore keep the reference and its tests):
// `2016-10-06T00:17:09.669794202Z stdout F message` records, lines longer than the limit cut
// into `P` records, rotation by size to `<path>.1` (newest) ... `<path>.<max_files-1>`.
#include <stddef.h>
#include <stdint.h>

struct log_file {
    const char *path;
    long long max_size;
    int max_files;
    int fd;
    long long size;
};

struct line_splitter {
    char *buf;
    size_t len, cap, limit;
};

/// Opens `path` for appending (created with 0640); -1 with errno on failure.
int log_file_open(struct log_file *f, const char *path, long long max_size, int max_files);
void log_file_close(struct log_file *f);

/// Feeds `n` bytes of `stream` ("stdout"/"stderr") read at `nanos`; writes whole records.
void splitter_feed(struct line_splitter *s, struct log_file *f, const char *stream, uint64_t nanos, const char *data, size_t n);
/// The stream ended: what is left without a newline becomes a last `P` record.
void splitter_finish(struct line_splitter *s, struct log_file *f, const char *stream, uint64_t nanos);
#endif
