/* OptimizerKernels.swift for AVX2: one pass per update over the flat
 * parameter and gradient buffers, eight values at a time, then a scalar
 * tail doing the same arithmetic per element. */
#include "avx2_kernels.h"
#include "lanes.h"

WIDE_BEGIN

/* Graves (2013), eqs. 38-41:
 *   n <- d n + (1-d) g^2,  mean <- d mean + (1-d) g,
 *   delta <- momentum delta - rate g / sqrt(n - mean^2 + epsilon),  w <- w + delta. */
void ntm_avx2_rmsprop_update(float *w, const float *g, float *n, float *mean, float *delta, long count,
                             float decay, float momentum, float rate, float epsilon) {
    float keep = 1 - decay;
    f8 v_decay = splat8(decay), v_keep = splat8(keep), v_epsilon = splat8(epsilon);
    f8 v_momentum = splat8(momentum), v_rate = splat8(rate);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        f8 gi = load8(g + i);
        f8 ni = v_decay * load8(n + i) + v_keep * gi * gi;
        f8 mi = v_decay * load8(mean + i) + v_keep * gi;
        f8 root = square_roots8(ni - mi * mi + v_epsilon);
        f8 di = v_momentum * load8(delta + i) - v_rate * gi / root;
        store8(n + i, ni);
        store8(mean + i, mi);
        store8(delta + i, di);
        store8(w + i, load8(w + i) + di);
    }
    for (; i < count; i++) {
        float gi = g[i];
        float ni = decay * n[i] + keep * gi * gi;
        float mi = decay * mean[i] + keep * gi;
        float root = __builtin_sqrtf(__builtin_fabsf(ni - mi * mi + epsilon));
        float di = momentum * delta[i] - rate * gi / root;
        n[i] = ni;
        mean[i] = mi;
        delta[i] = di;
        w[i] = w[i] + di;
    }
}

/* Adam with bias corrections c1 = 1 - beta1^t, c2 = 1 - beta2^t:
 *   m <- beta1 m + (1-beta1) g,  v <- beta2 v + (1-beta2) g^2,
 *   w <- w - rate (m / c1) / (sqrt(v / c2) + epsilon). */
void ntm_avx2_adam_update(float *w, const float *g, float *m, float *v, long count,
                          float beta1, float beta2, float rate, float epsilon, float c1, float c2) {
    float keep1 = 1 - beta1, keep2 = 1 - beta2;
    f8 v_beta1 = splat8(beta1), v_keep1 = splat8(keep1), v_beta2 = splat8(beta2), v_keep2 = splat8(keep2);
    f8 v_c1 = splat8(c1), v_c2 = splat8(c2), v_rate = splat8(rate), v_epsilon = splat8(epsilon);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        f8 gi = load8(g + i);
        f8 mi = v_beta1 * load8(m + i) + v_keep1 * gi;
        f8 vi = v_beta2 * load8(v + i) + v_keep2 * gi * gi;
        f8 root = square_roots8(vi / v_c2);
        f8 step = v_rate * (mi / v_c1) / (root + v_epsilon);
        store8(m + i, mi);
        store8(v + i, vi);
        store8(w + i, load8(w + i) - step);
    }
    for (; i < count; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + keep1 * gi;
        float vi = beta2 * v[i] + keep2 * gi * gi;
        float root = __builtin_sqrtf(__builtin_fabsf(vi / c2));
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - rate * (mi / c1) / (root + epsilon);
    }
}

/* Scales g to L2 norm at most max_norm; returns the norm before scaling.
 * The sum of squares in double, in OptimizerKernels.clipNorm's fixed order:
 * sixteen lanes, added pairwise (k, k+8), (k, k+4), (k, k+2), (0, 1), then
 * the tail one by one. */
double ntm_avx2_clip_norm(float *g, long count, double max_norm) {
    d8 acc0 = {0}, acc1 = {0};
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        d8 x0 = __builtin_convertvector(load8(g + i), d8), x1 = __builtin_convertvector(load8(g + i + 8), d8);
        acc0 += x0 * x0;
        acc1 += x1 * x1;
    }
    d8 a = acc0 + acc1;
    d4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    d2 c = __builtin_shufflevector(b, b, 0, 1) + __builtin_shufflevector(b, b, 2, 3);
    double sum = c[0] + c[1];
    for (; i < count; i++) {
        double x = g[i];
        sum += x * x;
    }
    double norm = __builtin_sqrt(sum);
    if (norm > max_norm) {
        float s = (float)(max_norm / norm);
        for (long k = 0; k < count; k++) g[k] *= s;
    }
    return norm;
}

/* Clamps every element to [low, high] as selects, so NaN is kept. */
void ntm_avx2_clip_values(float *g, long count, float low, float high) {
    for (long i = 0; i < count; i++) {
        float x = g[i];
        g[i] = x > high ? high : (x < low ? low : x);
    }
}

WIDE_END
