/*
 * A counting interposer for the C heap: malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc, memalign, valloc and pvalloc are defined
 * here, count their calls in atomic counters, and forward to the C library's
 * functions found with dlsym(RTLD_NEXT, ...).
 *
 * Included by bench_step.c (the executable's own definitions interpose on
 * every shared object it loads, libntm.so included) and by alloc_count.c
 * (built as a shared object and LD_PRELOADed into ntm-bench, so that the
 * Swift benchmark can count the Swift runtime's allocations, which all go
 * through malloc/posix_memalign).
 *
 * An "allocation" is one successful call of any allocating function
 * (realloc included: it may move the block). Frees are counted apart.
 *
 * dlsym itself may call calloc before the real calloc is known; those few
 * early requests are served from a static bootstrap buffer and never freed.
 */
#ifndef NTM_ALLOC_COUNT_H
#define NTM_ALLOC_COUNT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

static _Atomic unsigned long long ntm_count_allocations;
static _Atomic unsigned long long ntm_count_frees;
static _Atomic unsigned long long ntm_count_bytes;

static _Alignas(64) unsigned char ntm_bootstrap[8192];
static size_t ntm_bootstrap_used;
static int ntm_resolving;

static void ntm_alloc_resolve(void) {
    if (real_malloc || ntm_resolving) return;
    ntm_resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
    ntm_resolving = 0;
}

__attribute__((constructor)) static void ntm_alloc_init(void) { ntm_alloc_resolve(); }

static void *ntm_bootstrap_alloc(size_t size) {
    size_t start = (ntm_bootstrap_used + 15) & ~(size_t)15;
    if (start + size > sizeof ntm_bootstrap) return NULL;
    ntm_bootstrap_used = start + size;
    return ntm_bootstrap + start;   /* static storage: already zero */
}

static int ntm_is_bootstrap(void *p) {
    return (unsigned char *)p >= ntm_bootstrap && (unsigned char *)p < ntm_bootstrap + sizeof ntm_bootstrap;
}

/* Optional tracing (alloc_count.c's ntm_bench_trace): while on, every
 * counted allocation prints its call stack to stderr. */
static _Atomic int ntm_trace_on;
static _Thread_local int ntm_in_trace;

static void ntm_trace_allocation(size_t size) {
    void *frames[24];
    ntm_in_trace = 1;
    int n = backtrace(frames, 24);
    char line[64];
    int len = snprintf(line, sizeof line, "-- allocation of %zu bytes:\n", size);
    if (len > 0) (void)!write(2, line, (size_t)len);
    backtrace_symbols_fd(frames, n, 2);
    ntm_in_trace = 0;
}

static inline void ntm_counted(void *p, size_t size) {
    if (p) {
        atomic_fetch_add_explicit(&ntm_count_allocations, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&ntm_count_bytes, size, memory_order_relaxed);
        if (atomic_load_explicit(&ntm_trace_on, memory_order_relaxed) && !ntm_in_trace) ntm_trace_allocation(size);
    }
}

void *malloc(size_t size) {
    if (!real_malloc) {
        ntm_alloc_resolve();
        if (!real_malloc) return ntm_bootstrap_alloc(size);
    }
    void *p = real_malloc(size);
    ntm_counted(p, size);
    return p;
}

void *calloc(size_t count, size_t size) {
    if (!real_calloc) {
        ntm_alloc_resolve();
        if (!real_calloc) return ntm_bootstrap_alloc(count * size);
    }
    void *p = real_calloc(count, size);
    ntm_counted(p, count * size);
    return p;
}

void *realloc(void *old, size_t size) {
    if (!real_realloc) ntm_alloc_resolve();
    if (ntm_is_bootstrap(old)) {
        void *p = malloc(size);
        if (p) memcpy(p, old, size);   /* bootstrap blocks are small; over-read stays inside the buffer */
        return p;
    }
    void *p = real_realloc(old, size);
    ntm_counted(p, size);
    return p;
}

void free(void *p) {
    if (!p || ntm_is_bootstrap(p)) return;
    if (!real_free) ntm_alloc_resolve();
    atomic_fetch_add_explicit(&ntm_count_frees, 1, memory_order_relaxed);
    real_free(p);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (!real_posix_memalign) ntm_alloc_resolve();
    int status = real_posix_memalign(out, alignment, size);
    if (status == 0) ntm_counted(*out, size);
    return status;
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (!real_aligned_alloc) ntm_alloc_resolve();
    void *p = real_aligned_alloc(alignment, size);
    ntm_counted(p, size);
    return p;
}

void *memalign(size_t alignment, size_t size) {
    if (!real_memalign) ntm_alloc_resolve();
    void *p = real_memalign(alignment, size);
    ntm_counted(p, size);
    return p;
}

void *valloc(size_t size) {
    if (!real_valloc) ntm_alloc_resolve();
    void *p = real_valloc(size);
    ntm_counted(p, size);
    return p;
}

void *pvalloc(size_t size) {
    if (!real_pvalloc) ntm_alloc_resolve();
    void *p = real_pvalloc(size);
    ntm_counted(p, size);
    return p;
}

#endif
