/* Eight-lane vectors and the helpers every kernel file shares.
 *
 * Each kernel file brackets its code with WIDE_BEGIN / WIDE_END, which give
 * every function in between LLVM's `haswell` target: the 32-byte vectors
 * below then live in single YMM registers, as SIMD8<Float> does in a Swift
 * module built with `-target-cpu haswell`, and no compiler flag is needed.
 * Elsewhere than x86-64 the same code compiles for the baseline target; it
 * is never called there (ntm_avx2_available() is 0), but the
 * symbols exist so that NTM links.
 *
 * Contraction of a*b + c into an FMA is off for the whole file: the Swift
 * baseline has no FMA, and fusing would change the low bits. */
#ifndef NTM_WIDE_LANES_H
#define NTM_WIDE_LANES_H

#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__)
#define WIDE_BEGIN _Pragma("clang attribute push (__attribute__((target(\"arch=haswell\"))), apply_to = function)")
#define WIDE_END _Pragma("clang attribute pop")
#else
#define WIDE_BEGIN
#define WIDE_END
#endif

typedef float f8 __attribute__((vector_size(32)));
typedef int32_t i8 __attribute__((vector_size(32)));
typedef uint32_t u8 __attribute__((vector_size(32)));
typedef double d8 __attribute__((vector_size(64)));
typedef double d4 __attribute__((vector_size(32)));
typedef double d2 __attribute__((vector_size(16)));

#define INLINE static inline __attribute__((always_inline))

WIDE_BEGIN

INLINE f8 load8(const float *p) { f8 v; memcpy(&v, p, sizeof v); return v; }
INLINE void store8(float *p, f8 v) { memcpy(p, &v, sizeof v); }
INLINE f8 splat8(float s) { return (f8){s, s, s, s, s, s, s, s}; }

/* mask ? a : b, lane by lane (`replacing(with:where:)`), on the bits. */
INLINE f8 select8(i8 mask, f8 a, f8 b) { return (f8)(((i8)a & mask) | ((i8)b & ~mask)); }

/* SIMD8.sum(): from -0, lane 0 first, one lane at a time. */
INLINE float sum8(f8 v) {
    float s = -0.0f;
    for (int k = 0; k < 8; k++) s += v[k];
    return s;
}

/* sqrt|x| in each lane (OptimizerKernels.squareRoots). */
INLINE f8 square_roots8(f8 x) {
    return __builtin_elementwise_sqrt(__builtin_elementwise_abs(x));
}

/* Dense.dot: two accumulators of eight lanes over blocks of sixteen, one
 * more block of eight, their lane sum, then the tail one by one. */
INLINE float dot(const float *a, const float *b, long count) {
    long i = 0;
    float sum = 0;
    if (count >= 8) {
        f8 acc0 = {0}, acc1 = {0};
        for (; i + 16 <= count; i += 16) {
            acc0 += load8(a + i) * load8(b + i);
            acc1 += load8(a + i + 8) * load8(b + i + 8);
        }
        if (i + 8 <= count) {
            acc0 += load8(a + i) * load8(b + i);
            i += 8;
        }
        sum = sum8(acc0 + acc1);
    }
    for (; i < count; i++) sum += a[i] * b[i];
    return sum;
}

/* Dense.axpy: y += alpha x. */
INLINE void axpy(float alpha, const float *x, float *y, long count) {
    for (long i = 0; i < count; i++) y[i] += alpha * x[i];
}

WIDE_END

#endif
