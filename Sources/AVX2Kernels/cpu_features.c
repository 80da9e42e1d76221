/* CPUID is not reachable from Swift, so the test for this module's target
 * is these few lines of C. Every feature LLVM's `haswell` target may emit
 * instructions for in our kernels is checked, not just AVX2, since a
 * virtual machine may mask features one by one. */
#include "avx2_kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>

static int has(unsigned reg, int bit) { return (reg >> bit) & 1u; }

int ntm_avx2_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int leaf1 = has(c, 0) /* SSE3 */ && has(c, 9) /* SSSE3 */ && has(c, 12) /* FMA */
        && has(c, 19) /* SSE4.1 */ && has(c, 20) /* SSE4.2 */ && has(c, 22) /* MOVBE */
        && has(c, 23) /* POPCNT */ && has(c, 27) /* OSXSAVE */ && has(c, 28) /* AVX */
        && has(c, 29) /* F16C */;
    if (!leaf1) return 0;
    /* The OS must save and restore the XMM and YMM registers (XCR0 bits 1, 2). */
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6u) != 6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!(has(b, 3) /* BMI1 */ && has(b, 5) /* AVX2 */ && has(b, 8) /* BMI2 */)) return 0;
    if (!__get_cpuid(0x80000001u, &a, &b, &c, &d)) return 0;
    return has(c, 5); /* LZCNT */
}
#else
int ntm_avx2_available(void) { return 0; }
#endif
