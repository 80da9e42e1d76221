/* MemoryKernels.swift for AVX2. The memory is N x M column-major
 * (M(i, j) at i + j N), so each pass runs down columns of N values. */
#include "avx2_kernels.h"
#include "lanes.h"

WIDE_BEGIN

/* M_t(i, j) = M_{t-1}(i, j) (1 - w(i) e(j)) + w(i) a(j)  (eqs. 3-4) */
void ntm_avx2_memory_write(const float *previous, const float *w, const float *erase, const float *add,
                           long n, long m, float *memory) {
    for (long j = 0; j < m; j++) {
        float *column = memory + j * n;
        const float *previous_column = previous + j * n;
        float e = erase[j], a = add[j];
        for (long i = 0; i < n; i++) column[i] = previous_column[i] * (1 - w[i] * e) + a * w[i];
    }
}

/* The backward pass of the write, given dM = dL/dM_t; `q` is scratch for N values. */
void ntm_avx2_memory_write_backward(const float *d_memory, const float *previous, const float *w,
                                    const float *erase, const float *add, long n, long m,
                                    float *d_previous, float *d_weighting, float *d_erase, float *d_add,
                                    float *q) {
    for (long j = 0; j < m; j++) {
        const float *d_column = d_memory + j * n, *previous_column = previous + j * n;
        float *d_previous_column = d_previous + j * n;
        float e = erase[j], a = add[j];
        for (long i = 0; i < n; i++) {
            float d = d_column[i];
            float qi = d * previous_column[i];
            q[i] = qi;
            d_previous_column[i] += d * (1 - w[i] * e);
            d_weighting[i] += a * d - e * qi;
        }
        d_add[j] += dot(w, d_column, n);
        d_erase[j] -= dot(w, q, n);
    }
}

/* ||M(i)|| for every location: squares summed column by column, then roots. */
void ntm_avx2_memory_row_norms(const float *memory, long n, long m, float *norms) {
    for (long i = 0; i < n; i++) norms[i] = 0;
    for (long j = 0; j < m; j++) {
        const float *column = memory + j * n;
        for (long i = 0; i < n; i++) norms[i] += column[i] * column[i];
    }
    for (long i = 0; i < n; i++) norms[i] = __builtin_sqrtf(__builtin_fabsf(norms[i]));
}

/* dL/dM(i, j) += a(i) k(j) - c(i) M(i, j): the cosine similarity's memory term. */
void ntm_avx2_memory_cosine_backward(const float *memory, const float *a, const float *c, const float *key,
                                     long n, long m, float *d_memory) {
    for (long j = 0; j < m; j++) {
        const float *column = memory + j * n;
        float *d_column = d_memory + j * n, kj = key[j];
        for (long i = 0; i < n; i++) d_column[i] += a[i] * kj - c[i] * column[i];
    }
}

WIDE_END
