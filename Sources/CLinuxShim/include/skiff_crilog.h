#ifndef SKIFF_CRILOG_H
#define SKIFF_CRILOG_H
// A container's CRI log, as the container monitor (skiff-monitor) writes it: one record per
// line, `2016-10-06T00:17:09.669794202Z stdout F message` (an RFC 3339 UTC time with nine
// fraction digits, the stream, `F` a full line or `P` a part of a longer one, continued by the
// next record of the same stream, and the bytes without their newline). Lines longer than the
// limit are cut into `P` records (containerd cuts at 16 KiB) and bytes left without a newline
// at the end become a last `P` record, so joining records gives back the exact bytes. The
// file is rotated by size: before a record would take it over max_size, `<path>.1` (newest)
// ... `<path>.<max_files-1>` (oldest) shift and the current file starts empty.
#include <stddef.h>
#include <stdint.h>

struct skiff_log_file {
    const char *path;
    long long max_size;
    int max_files;
    int fd;
    long long size;
};

struct skiff_line_splitter {
    char *buf;
    size_t len, cap, limit;
};

/// Opens `path` for appending (created with 0640); -1 with errno on failure.
int skiff_log_open(struct skiff_log_file *f, const char *path, long long max_size, int max_files);
void skiff_log_close(struct skiff_log_file *f);

/// Feeds `n` bytes of `stream` ("stdout"/"stderr") read at `nanos`; writes whole records.
void skiff_splitter_feed(struct skiff_line_splitter *s, struct skiff_log_file *f, const char *stream, uint64_t nanos, const char *data, size_t n);
/// The stream ended: what is left without a newline becomes a last `P` record.
void skiff_splitter_finish(struct skiff_line_splitter *s, struct skiff_log_file *f, const char *stream, uint64_t nanos);
/// `2016-10-06T00:17:09.669794202Z` into `out` (31 bytes with the terminating NUL).
void skiff_cri_timestamp(uint64_t nanos, char out[31]);
#endif
