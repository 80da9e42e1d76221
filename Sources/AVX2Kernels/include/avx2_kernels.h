#ifndef NTM_AVX2_KERNELS_H
#define NTM_AVX2_KERNELS_H

/* The AVX2 build of NTM's hot kernels: a C transcription of the Swift
 * kernels in Sources/NTM (DenseKernels.swift, LaneMath.swift,
 * MemoryKernels.swift, OptimizerKernels.swift) for `float`, compiled for
 * LLVM's `haswell` target through per-function target attributes, so no
 * compiler flag is needed and SwiftPM lets a versioned dependency build it.
 * Every value is formed by the same IEEE operations in the same order as
 * the Swift baseline (no FMA contraction), so the two give the same bits;
 * WideKernelTests checks each kernel.
 *
 * Call any of these only when ntm_avx2_available() is nonzero:
 * on an older CPU they are an illegal instruction. Matrices are
 * column-major `rows x cols`; sizes are the caller's guarantee. */

#pragma clang assume_nonnull begin
/* Internal to whatever links them: libntm.so exports the C API only. */
#pragma GCC visibility push(hidden)

/* Nonzero when this CPU and OS can run code compiled for `haswell` (AVX2,
 * FMA, BMI1/2, LZCNT, MOVBE, F16C, POPCNT, SSE4.2, with the YMM state
 * enabled by the OS). Always 0 on other architectures. */
int ntm_avx2_available(void);

/* Dense products (DenseKernels.swift). */
void ntm_avx2_mat_vec_accumulate(const float *w, long rows, long cols, const float *x, float *y);
void ntm_avx2_mat_transpose_vec_accumulate(const float *w, long rows, long cols, const float *y, float *x);
void ntm_avx2_outer_accumulate_steps(float *w, long rows, long cols, const float *a, long a_stride,
                                     const float *b, long b_stride, long steps);

/* Elementwise functions (LaneMath.swift); `y` may be `x`. */
void ntm_avx2_sigmoid(const float *x, float *y, long count);
void ntm_avx2_tanh(const float *x, float *y, long count);
void ntm_avx2_exp_shifted(const float *x, float *y, long count, float shift);
void ntm_avx2_scaled_log(const float *x, float *y, long count, float offset, float scale);
void ntm_avx2_log(const float *x, float *y, long count, float offset);

/* One write head's memory passes (MemoryKernels.swift). */
void ntm_avx2_memory_write(const float *previous, const float *weighting, const float *erase,
                           const float *add, long rows, long width, float *memory);
void ntm_avx2_memory_write_backward(const float *d_memory, const float *previous, const float *weighting,
                                    const float *erase, const float *add, long rows, long width,
                                    float *d_previous, float *d_weighting, float *d_erase, float *d_add,
                                    float *q);
void ntm_avx2_memory_row_norms(const float *memory, long rows, long width, float *norms);
void ntm_avx2_memory_cosine_backward(const float *memory, const float *a, const float *c, const float *key,
                                     long rows, long width, float *d_memory);

/* Optimiser updates and gradient clipping (OptimizerKernels.swift). */
void ntm_avx2_rmsprop_update(float *w, const float *g, float *n, float *mean, float *delta, long count,
                             float decay, float momentum, float rate, float epsilon);
void ntm_avx2_adam_update(float *w, const float *g, float *m, float *v, long count,
                          float beta1, float beta2, float rate, float epsilon, float c1, float c2);
double ntm_avx2_clip_norm(float *g, long count, double max_norm);
void ntm_avx2_clip_values(float *g, long count, float low, float high);

#pragma GCC visibility pop
#pragma clang assume_nonnull end

#endif
