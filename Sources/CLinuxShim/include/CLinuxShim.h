#ifndef SKIFF_CLINUXSHIM_H
#define SKIFF_CLINUXSHIM_H
// Linux calls that Swift's Glibc module does not export: thin wrappers here, and in
// skiff_process.h the process start that has to be C.
#include <stddef.h>
#include <stdint.h>
#include "skiff_process.h"
#include "skiff_crilog.h"

struct skiff_epoll_event {
    uint32_t events;
    uint64_t data;
};

enum {
    SKIFF_EPOLLIN = 0x001,
    SKIFF_EPOLLOUT = 0x004,
    SKIFF_EPOLLERR = 0x008,
    SKIFF_EPOLLHUP = 0x010,
    SKIFF_EPOLLRDHUP = 0x2000,
    SKIFF_EPOLLET = (int)(1u << 31),
};

int skiff_epoll_create(void);
int skiff_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int skiff_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data);
int skiff_epoll_del(int epfd, int fd);
/// Waits for events; fills `out` (at most `max`) and returns how many, or -1 with errno.
int skiff_epoll_wait(int epfd, struct skiff_epoll_event *out, int max, int timeout_ms);

/// A non-blocking, close-on-exec eventfd.
int skiff_eventfd(void);
int skiff_eventfd_signal(int fd);
int skiff_eventfd_drain(int fd);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
int skiff_accept(int fd);

/// A close-on-exec memfd holding `data`, its offset at 0: data handed to a child without a
/// file on disk or a command line (which /proc shows to every user). -1 with errno.
int skiff_memory_file(const char *name, const void *data, size_t length);
#endif
