/*
 * The core's clock and peak float32 rate, for docs/PERFORMANCE.md (perf
 * cannot read hardware counters in this VM, so they are measured here):
 *
 *   cc -O2 -o build/peak benchmarks/peak.c && build/peak
 *
 * clock: a chain of dependent integer adds (1 cycle each on x86-64 cores).
 * peak: independent register-only vector accumulators, 12 chains each of
 *   - SSE (the baseline x86-64 target our library is compiled for):
 *     4-lane mulps + addps, 8 FLOP per pair;
 *   - AVX2 + FMA (runtime-dispatch territory): 8-lane vfmadd, 16 FLOP each.
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double clock_ghz(void) {
    long n = 400000000, x = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0" : "+r"(x));
    /* the loop adds its own increment and branch, which run in parallel with the chain */
    return n / (now() - t0) * 1e-9;
}

#define CHAINS 12
static double sse_gflops(long n) {
    __m128 acc[CHAINS], m = _mm_set1_ps(0.999999f), a = _mm_set1_ps(1e-7f);
    for (int k = 0; k < CHAINS; k++) acc[k] = _mm_set1_ps((float)k);
    double t0 = now();
    for (long i = 0; i < n; i++)
#pragma GCC unroll 16
        for (int k = 0; k < CHAINS; k++) acc[k] = _mm_add_ps(_mm_mul_ps(acc[k], m), a);
    double t = now() - t0;
    float sink = 0;
    for (int k = 0; k < CHAINS; k++) sink += _mm_cvtss_f32(acc[k]);
    if (sink == 12345) puts("");
    return (double)n * CHAINS * 8 / t * 1e-9;
}

__attribute__((target("avx2,fma"))) static double fma_gflops(long n) {
    __m256 acc[CHAINS], m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
    for (int k = 0; k < CHAINS; k++) acc[k] = _mm256_set1_ps((float)k);
    double t0 = now();
    for (long i = 0; i < n; i++)
#pragma GCC unroll 16
        for (int k = 0; k < CHAINS; k++) acc[k] = _mm256_fmadd_ps(acc[k], m, a);
    double t = now() - t0;
    float sink = 0;
    for (int k = 0; k < CHAINS; k++) sink += _mm256_cvtss_f32(acc[k]);
    if (sink == 12345) puts("");
    return (double)n * CHAINS * 16 / t * 1e-9;
}

int main(void) {
    double ghz = clock_ghz();
    double sse = sse_gflops(100000000);
    printf("clock (dependent adds): %.2f GHz\n", ghz);
    printf("peak float32, SSE mul+add (baseline x86-64): %.1f GFLOP/s (%.1f FLOP/cycle)\n", sse, sse / ghz);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        double fma = fma_gflops(100000000);
        printf("peak float32, AVX2 FMA: %.1f GFLOP/s (%.1f FLOP/cycle)\n", fma, fma / ghz);
    }
    return 0;
}
