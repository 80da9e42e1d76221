/* Gradient checks against finite differences, shared by test_gradients.c
 * (which explains the stencil and the tolerance) and test_chunks.c:
 * fourth-order central differences with h = 1e-2 (relative to |x| when
 * that exceeds 1), and each coordinate within
 *     |a - n| <= FD_ABS_TOL + FD_REL_TOL * max(|a|, |n|),
 * reporting the worst coordinate. */
#ifndef NTM_TEST_FINITE_DIFFERENCE_H
#define NTM_TEST_FINITE_DIFFERENCE_H

#include <math.h>
#include <stdio.h>

#include "check.h"

#define FD_ABS_TOL 1e-4
#define FD_REL_TOL 1e-3
#define FD_STEP 1e-2f

/* The scalar whose gradient is checked, computed through the C API. */
typedef double (*fd_objective)(void *context);

/* The fourth-order central difference of f with respect to *x, evaluated
 * with the perturbations actually representable in float; *x is restored. */
static inline double central_difference(fd_objective f, void *context, float *x) {
    float x0 = *x, h = FD_STEP * (fabsf(x0) > 1 ? fabsf(x0) : 1);
    double f1, b1, f2, b2;
    *x = x0 + h;     f1 = f(context);
    *x = x0 - h;     b1 = f(context);
    *x = x0 + 2 * h; f2 = f(context);
    *x = x0 - 2 * h; b2 = f(context);
    *x = x0;
    return (8 * (f1 - b1) - (f2 - b2)) / (12.0 * (double)h);
}

/* The coordinate furthest outside the tolerance so far (excess > 1 fails). */
struct worst {
    double excess, analytic, numeric;
    size_t index;
};

static inline void compare(struct worst *w, size_t i, double a, double n) {
    double allowed = FD_ABS_TOL + FD_REL_TOL * fmax(fabs(a), fabs(n));
    double excess = fabs(a - n) / allowed;
    if (excess > w->excess || isnan(excess)) {
        w->excess = isnan(excess) ? INFINITY : excess;
        w->analytic = a;
        w->numeric = n;
        w->index = i;
    }
}

/* Prints the worst coordinate of `what` and checks it is within tolerance. */
static inline void report_worst(const char *what, const struct worst *w) {
    printf("  %s: worst |a - n| / (%.0e + %.0e max(|a|, |n|)) = %.3f at %zu (a = %.6g, n = %.6g)\n", what,
           FD_ABS_TOL, FD_REL_TOL, w->excess, w->index, w->analytic, w->numeric);
    CHECK(w->excess <= 1);
}

#endif
