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
 * read bandwidth: 8-lane loads summed into 8 accumulators, over working sets
 *   that stay in L1, in L2 (the copy network's 251 KB of weights, which
 *   every step and every update reads), in L3 (the 3 x 256 LSTM's 5 MB) and
 *   in DRAM. Bytes read per second, the best of several passes.
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
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

/* GB/s reading `bytes` over and over, best of 5 timings of `passes` passes. */
__attribute__((target("avx2"))) static double read_gbs(long bytes, long passes) {
    long count = bytes / sizeof(float);
    float *data = aligned_alloc(64, count * sizeof(float));
    if (!data) return 0;
    for (long i = 0; i < count; i++) data[i] = (float)(i & 7);
    double best = 0;
    float sink = 0;
    for (int timing = 0; timing < 5; timing++) {
        __m256 acc[8];
        for (int k = 0; k < 8; k++) acc[k] = _mm256_setzero_ps();
        double t0 = now();
        for (long p = 0; p < passes; p++)
            for (long i = 0; i + 64 <= count; i += 64)
#pragma GCC unroll 8
                for (int k = 0; k < 8; k++) acc[k] = _mm256_add_ps(acc[k], _mm256_load_ps(data + i + 8 * k));
        double t = now() - t0;
        for (int k = 0; k < 8; k++) sink += _mm256_cvtss_f32(acc[k]);
        if ((double)bytes * passes / t > best) best = (double)bytes * passes / t;
    }
    free(data);
    if (sink == 12345) puts("");
    return best * 1e-9;
}

int main(void) {
    double ghz = clock_ghz();
    double sse = sse_gflops(100000000);
    printf("clock (dependent adds): %.2f GHz\n", ghz);
    printf("peak float32, SSE mul+add (baseline x86-64): %.1f GFLOP/s (%.1f FLOP/cycle)\n", sse, sse / ghz);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        double fma = fma_gflops(100000000);
        printf("peak float32, AVX2 FMA: %.1f GFLOP/s (%.1f FLOP/cycle)\n", fma, fma / ghz);
        static const struct { long kib; const char *where; } sets[] = {
            {16, "L1"}, {251, "L2: the copy network's weights"}, {5120, "L3: the 3 x 256 LSTM's weights"},
            {262144, "DRAM"}};
        for (int k = 0; k < 4; k++) {
            long bytes = sets[k].kib * 1024;
            double gbs = read_gbs(bytes, 4000000000L / bytes + 1);
            printf("read bandwidth, %ld KiB (%s): %.1f GB/s (%.1f bytes/cycle; one pass %.2f us)\n", sets[k].kib,
                   sets[k].where, gbs, gbs / ghz, bytes / gbs * 1e-3);
        }
    }
    return 0;
}
