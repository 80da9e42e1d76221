/* LaneMath.swift for AVX2: Cephes-style polynomials on eight lanes, every
 * operation in the Swift order, so the same bits as the baseline. */
#include "avx2_kernels.h"
#include "lanes.h"

WIDE_BEGIN

/* e^x = 2^n p(r), x = n ln 2 + r; x clamped to [-87.3, 88] (LaneMath.exp). */
INLINE f8 exp8(f8 x) {
    const f8 magic = splat8(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
    const f8 low = splat8(-87.3f), high = splat8(88.0f);
    x = select8(x < low, low, x);
    x = select8(x > high, high, x);
    f8 t = x * 1.44269504088896341f + magic;
    f8 n = t - magic;
    x = x - n * 0.693359375f - n * -2.12194440e-4f;
    f8 z = x * x;
    f8 y = splat8(1.9875691500e-4f);
    y = y * x + 1.3981999507e-3f;
    y = y * x + 8.3334519073e-3f;
    y = y * x + 4.1665795894e-2f;
    y = y * x + 1.6666665459e-1f;
    y = y * x + 5.0000001201e-1f;
    y = y * z + x + 1;
    /* 2^n from n's bits: t's low mantissa bits hold n + 2^22. */
    u8 bits = (u8)t - 0x4B400000u;
    f8 scale = (f8)((bits + 127u) << 23);
    return y * scale;
}

/* log x = e ln 2 + log m, x = m 2^e, m in [sqrt(1/2), sqrt 2) (LaneMath.log). */
INLINE f8 log8(f8 x) {
    const f8 least_normal = splat8(1.17549435e-38f);
    x = select8(x < least_normal, least_normal, x);
    i8 bits = (i8)x;
    f8 e = __builtin_convertvector((bits >> 23) - 126, f8);
    f8 m = (f8)((bits & 0x007FFFFF) | 0x3F000000); /* mantissa in [0.5, 1) */
    i8 small = m < 0.707106781186547524f;
    e = select8(small, e - 1, e);
    m = select8(small, m + m - 1, m - 1);
    f8 z = m * m;
    f8 y = splat8(7.0376836292e-2f);
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y = y + e * -2.12194440e-4f;
    y = y - 0.5f * z;
    return m + y + e * 0.693359375f;
}

/* tanh x: an odd polynomial for |x| < 0.625, 1 - 2/(e^{2|x|} + 1) beyond
 * (LaneMath.tanh). Negation is 0 - x, as Swift's SIMD negation is. */
INLINE f8 tanh8(f8 x) {
    f8 a = select8(x < 0, 0 - x, x);
    f8 z = x * x;
    f8 p = splat8(-5.70498872745e-3f);
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    f8 near = p * z * x + x;
    f8 far = 1 - 2 / (exp8(a + a) + 1);
    far = select8(x < 0, 0 - far, far);
    return select8(a >= 0.625f, far, near);
}

/* y = f(x) over `count` values (LaneMath.map): blocks of eight, then a tail
 * in a zero-padded vector whose extra lanes are never stored. */
#define MAP_LANES(x, y, count, v, expression)                         \
    do {                                                              \
        long i_ = 0;                                                  \
        for (; i_ + 8 <= (count); i_ += 8) {                          \
            f8 v = load8((x) + i_);                                   \
            store8((y) + i_, (expression));                           \
        }                                                             \
        if (i_ < (count)) {                                           \
            f8 v = {0};                                               \
            for (long k_ = 0; k_ < (count) - i_; k_++) v[k_] = (x)[i_ + k_]; \
            f8 r_ = (expression);                                     \
            for (long k_ = 0; k_ < (count) - i_; k_++) (y)[i_ + k_] = r_[k_]; \
        }                                                             \
    } while (0)

/* y = 1 / (1 + e^{-x}) */
void ntm_avx2_sigmoid(const float *x, float *y, long count) {
    MAP_LANES(x, y, count, v, 1 / (1 + exp8(0 - v)));
}

void ntm_avx2_tanh(const float *x, float *y, long count) {
    MAP_LANES(x, y, count, v, tanh8(v));
}

/* y = e^{x - shift}: the softmax's exponentials. */
void ntm_avx2_exp_shifted(const float *x, float *y, long count, float shift) {
    f8 s = splat8(shift);
    MAP_LANES(x, y, count, v, exp8(v - s));
}

/* y = scale log(x + offset): sharpening's logarithms. */
void ntm_avx2_scaled_log(const float *x, float *y, long count, float offset, float scale) {
    f8 o = splat8(offset), s = splat8(scale);
    MAP_LANES(x, y, count, v, s * log8(v + o));
}

void ntm_avx2_log(const float *x, float *y, long count, float offset) {
    f8 o = splat8(offset);
    MAP_LANES(x, y, count, v, log8(v + o));
}

WIDE_END
