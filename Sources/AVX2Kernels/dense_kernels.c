/* DenseKernels.swift for AVX2: the same loops, the same order of additions. */
#include "avx2_kernels.h"
#include "lanes.h"

WIDE_BEGIN

/* y += c0 s0 + c1 s1 + c2 s2 + c3 s3 (Dense.accumulateFour). */
INLINE void accumulate_four(float *y, long rows, const float *c0, const float *c1, const float *c2,
                            const float *c3, float s0, float s1, float s2, float s3) {
    f8 v0 = splat8(s0), v1 = splat8(s1), v2 = splat8(s2), v3 = splat8(s3);
    long i = 0;
    for (; i + 8 <= rows; i += 8) {
        f8 first = load8(c0 + i) * v0 + load8(c1 + i) * v1;
        f8 sum = first + load8(c2 + i) * v2 + load8(c3 + i) * v3;
        store8(y + i, load8(y + i) + sum);
    }
    for (; i < rows; i++) y[i] += c0[i] * s0 + c1[i] * s1 + c2[i] * s2 + c3[i] * s3;
}

/* accumulate_four into y_a and y_b, each with its own scalars, loading the
 * columns once (Dense.accumulateFourIntoTwo). */
INLINE void accumulate_four_into_two(float *ya, float *yb, long rows, const float *c0, const float *c1,
                                     const float *c2, const float *c3, float a0, float a1, float a2,
                                     float a3, float b0, float b1, float b2, float b3) {
    f8 va0 = splat8(a0), va1 = splat8(a1), va2 = splat8(a2), va3 = splat8(a3);
    f8 vb0 = splat8(b0), vb1 = splat8(b1), vb2 = splat8(b2), vb3 = splat8(b3);
    long i = 0;
    for (; i + 8 <= rows; i += 8) {
        f8 w0 = load8(c0 + i), w1 = load8(c1 + i), w2 = load8(c2 + i), w3 = load8(c3 + i);
        f8 first_a = w0 * va0 + w1 * va1;
        f8 sum_a = first_a + w2 * va2 + w3 * va3;
        f8 first_b = w0 * vb0 + w1 * vb1;
        f8 sum_b = first_b + w2 * vb2 + w3 * vb3;
        store8(ya + i, load8(ya + i) + sum_a);
        store8(yb + i, load8(yb + i) + sum_b);
    }
    for (; i < rows; i++) {
        ya[i] += c0[i] * a0 + c1[i] * a1 + c2[i] * a2 + c3[i] * a3;
        yb[i] += c0[i] * b0 + c1[i] * b1 + c2[i] * b2 + c3[i] * b3;
    }
}

/* dot(c_k, y) for four columns, each in dot's order (Dense.dotFour). */
INLINE void dot_four(const float *c0, const float *c1, const float *c2, const float *c3, const float *y,
                     long count, float sums[4]) {
    long i = 0;
    sums[0] = sums[1] = sums[2] = sums[3] = 0;
    if (count >= 8) {
        f8 low0 = {0}, low1 = {0}, low2 = {0}, low3 = {0};
        f8 high0 = {0}, high1 = {0}, high2 = {0}, high3 = {0};
        for (; i + 16 <= count; i += 16) {
            f8 y0 = load8(y + i), y1 = load8(y + i + 8);
            low0 += load8(c0 + i) * y0;
            high0 += load8(c0 + i + 8) * y1;
            low1 += load8(c1 + i) * y0;
            high1 += load8(c1 + i + 8) * y1;
            low2 += load8(c2 + i) * y0;
            high2 += load8(c2 + i + 8) * y1;
            low3 += load8(c3 + i) * y0;
            high3 += load8(c3 + i + 8) * y1;
        }
        if (i + 8 <= count) {
            f8 y0 = load8(y + i);
            low0 += load8(c0 + i) * y0;
            low1 += load8(c1 + i) * y0;
            low2 += load8(c2 + i) * y0;
            low3 += load8(c3 + i) * y0;
            i += 8;
        }
        sums[0] = sum8(low0 + high0);
        sums[1] = sum8(low1 + high1);
        sums[2] = sum8(low2 + high2);
        sums[3] = sum8(low3 + high3);
    }
    for (; i < count; i++) {
        float yi = y[i];
        sums[0] += c0[i] * yi;
        sums[1] += c1[i] * yi;
        sums[2] += c2[i] * yi;
        sums[3] += c3[i] * yi;
    }
}

/* y += W x, four columns per pass over y, skipping blocks of four zero inputs. */
void ntm_avx2_mat_vec_accumulate(const float *w, long rows, long cols, const float *x, float *y) {
    long blocked = cols & ~3L, j = 0;
    for (; j < blocked; j += 4) {
        float x0 = x[j], x1 = x[j + 1], x2 = x[j + 2], x3 = x[j + 3];
        if (x0 != 0 || x1 != 0 || x2 != 0 || x3 != 0) {
            const float *c0 = w + j * rows;
            accumulate_four(y, rows, c0, c0 + rows, c0 + 2 * rows, c0 + 3 * rows, x0, x1, x2, x3);
        }
    }
    for (; j < cols; j++) {
        if (x[j] != 0) axpy(x[j], w + j * rows, y, rows);
    }
}

/* x += W^T y. */
void ntm_avx2_mat_transpose_vec_accumulate(const float *w, long rows, long cols, const float *y, float *x) {
    long blocked = cols & ~3L, j = 0;
    for (; j < blocked; j += 4) {
        const float *c0 = w + j * rows;
        float sums[4];
        dot_four(c0, c0 + rows, c0 + 2 * rows, c0 + 3 * rows, y, rows, sums);
        x[j] += sums[0];
        x[j + 1] += sums[1];
        x[j + 2] += sums[2];
        x[j + 3] += sums[3];
    }
    for (; j < cols; j++) x[j] += dot(w + j * rows, y, rows);
}

/* W += sum_t a_t b_t^T, two columns at a time, four steps at a time. */
void ntm_avx2_outer_accumulate_steps(float *w, long rows, long cols, const float *a, long a_stride,
                                     const float *b, long b_stride, long steps) {
    long blocked = steps & ~3L, j = 0;
    for (; j + 2 <= cols; j += 2) {
        float *column = w + j * rows, *next = column + rows;
        long t = 0;
        for (; t < blocked; t += 4) {
            const float *b0 = b + (j + t * b_stride), *b1 = b0 + b_stride, *b2 = b1 + b_stride,
                        *b3 = b2 + b_stride;
            const float *a0 = a + t * a_stride;
            accumulate_four_into_two(column, next, rows, a0, a0 + a_stride, a0 + 2 * a_stride, a0 + 3 * a_stride,
                                     b0[0], b1[0], b2[0], b3[0], b0[1], b1[1], b2[1], b3[1]);
        }
        for (; t < steps; t++) {
            const float *bt = b + (j + t * b_stride), *at = a + t * a_stride;
            axpy(bt[0], at, column, rows);
            axpy(bt[1], at, next, rows);
        }
    }
    if (j < cols) {
        float *column = w + j * rows;
        long t = 0;
        for (; t < blocked; t += 4) {
            const float *b0 = b + (j + t * b_stride), *b1 = b0 + b_stride, *b2 = b1 + b_stride,
                        *b3 = b2 + b_stride;
            const float *a0 = a + t * a_stride;
            accumulate_four(column, rows, a0, a0 + a_stride, a0 + 2 * a_stride, a0 + 3 * a_stride,
                            b0[0], b1[0], b2[0], b3[0]);
        }
        for (; t < steps; t++) axpy(b[j + t * b_stride], a + t * a_stride, column, rows);
    }
}

WIDE_END
