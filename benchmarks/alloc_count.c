/*
 * The counting heap interposer of alloc_count.h as a preloadable shared
 * object, for the Swift benchmark:
 *
 *   cc -O2 -shared -fPIC -o libntm_alloc_count.so benchmarks/alloc_count.c -ldl
 *   LD_PRELOAD=$PWD/libntm_alloc_count.so ntm-bench
 *
 * ntm-bench looks up ntm_bench_allocations() with dlsym(RTLD_DEFAULT, ...)
 * and, when it is there, reports exact allocation counts; without it, it
 * falls back to mallinfo2() arena figures and says so. With
 * `ntm-bench --trace-allocations` it also calls ntm_bench_trace() to print
 * the call stack of every allocation of a steady-state update and step.
 */
#include "alloc_count.h"

unsigned long long ntm_bench_allocations(void) {
    return atomic_load_explicit(&ntm_count_allocations, memory_order_relaxed);
}

unsigned long long ntm_bench_frees(void) {
    return atomic_load_explicit(&ntm_count_frees, memory_order_relaxed);
}

unsigned long long ntm_bench_allocated_bytes(void) {
    return atomic_load_explicit(&ntm_count_bytes, memory_order_relaxed);
}

/* Turns call-stack printing of every allocation on (1) or off (0); the
 * first call loads what backtrace() needs, so that it allocates before
 * tracing starts. */
void ntm_bench_trace(int on) {
    void *frame[1];
    backtrace(frame, 1);
    atomic_store_explicit(&ntm_trace_on, on, memory_order_relaxed);
}
