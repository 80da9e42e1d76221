#ifndef NTM_CPU_FEATURES_H
#define NTM_CPU_FEATURES_H

/* Nonzero when this CPU and OS can run code compiled for LLVM's `haswell`
 * target (AVX2, FMA, BMI1/2, LZCNT, MOVBE, F16C, POPCNT, SSE4.2 with the YMM
 * state enabled by the OS): the condition for calling NTMWideKernels. */
int cpu_features_haswell(void);

#endif
