/* Gradients from the C API against central finite differences of losses
 * computed through the C API itself, in single precision.
 *
 * The finite difference of parameter (or input) x_i is the fourth-order
 * central difference
 *     n_i = [8 (L(x + h e_i) - L(x - h e_i)) - (L(x + 2h e_i) - L(x - 2h e_i))] / 12h
 * with h = 1e-2 (relative to |x_i| when that exceeds 1), whose truncation
 * error is O(h^4) ~ 1e-8 times a fifth derivative.
 *
 * Tolerance. Everything runs in float32 (unit roundoff u = 6e-8), so each
 * loss L ~ 1-5 nats carries a rounding error delta of a few u |L|, about
 * 2e-7. The stencil weighs the four losses by 8 + 8 + 1 + 1 = 18 over
 * 12h = 0.12, so rounding alone moves n_i by up to 18 delta / 0.12 ~ 3e-5
 * -- independent of the size of the gradient, which is why an absolute
 * term is needed. The analytic gradient has float32 rounding of its own
 * (BPTT sums of products), of order 1e-5 relative. So each coordinate must
 * satisfy
 *     |a_i - n_i| <= FD_ABS_TOL + FD_REL_TOL * max(|a_i|, |n_i|)
 * with FD_ABS_TOL = 1e-4 (three times the rounding bound above) and
 * FD_REL_TOL = 1e-3. The worst ratio measured is printed; it is about 0.3.
 * A real error in a backward pass -- a missing term, a wrong sign, a
 * transposed kernel -- gives errors of the size of the gradient itself
 * (1e-3 to 1e-1 here), far beyond this. Also checked: the derivative along
 * a random unit direction over all parameters at once, to 1e-3 relative.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "finite_difference.h"
#define LN2 0.69314718055994530942

enum { B = 2, T = 5, IN = 4, OUT = 3 };

struct problem {
    ntm_model *model;
    ntm_trainer *trainer;
    float inputs[B * T * IN], targets[B * T * OUT], mask[B * T];
    size_t lengths[B];
    /* For the backward test: the loss is sum_t sum_j weights[t][j] y_tj over sequence 0. */
    float weights[T * OUT];
};

/* The mean cross-entropy in nats, through ntm_model_evaluate. */
static double loss_of(struct problem *p, const float *inputs) {
    double bits = 0;
    if (ntm_model_evaluate(p->model, B, T, inputs, p->targets, p->mask, p->lengths, NULL, &bits, NULL) != NTM_OK) {
        CHECK_OK(ntm_model_evaluate(p->model, B, T, inputs, p->targets, p->mask, p->lengths, NULL, &bits, NULL));
        return NAN;
    }
    return bits * LN2;
}

/* sum_t sum_j weights[t][j] y_tj over the first sequence, through ntm_model_evaluate's outputs. */
static double weighted_outputs(struct problem *p, const float *inputs) {
    float outputs[T * OUT];
    double sum = 0;
    size_t i, length = T;
    CHECK_OK(ntm_model_evaluate(p->model, 1, T, inputs, p->targets, p->mask, &length, outputs, NULL, NULL));
    for (i = 0; i < T * OUT; i++) sum += (double)p->weights[i] * outputs[i];
    return sum;
}

typedef double (*objective)(struct problem *, const float *);

/* An objective over `inputs`, as finite_difference.h calls it. */
struct objective_call {
    struct problem *p;
    objective f;
    const float *inputs;
};

static double call_objective(void *context) {
    struct objective_call *call = context;
    return call->f(call->p, call->inputs);
}

static double numeric(struct problem *p, objective f, const float *inputs, float *x) {
    struct objective_call call = {p, f, inputs};
    return central_difference(call_objective, &call, x);
}

static void setup(struct problem *p, const char *config, unsigned long long seed) {
    size_t i;
    unsigned long long state = seed * 31 + 7;
    float *parameters;
    size_t n = 0;
    p->model = make_model(config, seed);
    p->trainer = NULL;
    /* Move to a generic point: at initialisation the head keys are nearly
     * zero, and the cosine similarity of a key of norm |k| turns within a
     * distance of about |k| -- comparable to the step h -- so a finite
     * difference there measures curvature rather than the gradient. */
    CHECK_OK(ntm_model_parameters(p->model, &parameters, &n));
    for (i = 0; i < n; i++) parameters[i] += (float)(0.6 * test_uniform(&state) - 0.3);
    CHECK_OK(ntm_trainer_create(p->model, NULL, 2, 0, &p->trainer));
    fill_batch(seed, B, T, IN, OUT, p->inputs, p->targets, p->mask);
    p->lengths[0] = T;
    p->lengths[1] = T - 1;
    for (i = 0; i < T * OUT; i++) p->weights[i] = (float)(2 * test_uniform(&state) - 1);
}

static void teardown(struct problem *p) {
    CHECK_OK(ntm_trainer_free(p->trainer));
    CHECK_OK(ntm_model_free(p->model));
}

/* The loss gradient of ntm_trainer_loss_and_gradient against finite
 * differences of ntm_model_evaluate's loss. */
static void check_loss_gradient(const char *name, const char *config, unsigned long long seed) {
    struct problem p;
    float *parameters, *gradient, *direction;
    size_t n = 0, count = 0, i;
    struct worst w = {0, 0, 0, 0};
    double loss_bits = 0, along = 0, norm = 0, numeric_along, plus, minus;
    unsigned long long state = seed;
    char label[128];

    setup(&p, config, seed);
    CHECK_OK(ntm_model_parameters(p.model, &parameters, &n));
    CHECK_OK(ntm_trainer_loss_and_gradient(p.trainer, B, T, p.inputs, p.targets, p.mask, p.lengths, &loss_bits, NULL));
    CHECK_OK(ntm_trainer_gradient(p.trainer, &gradient, &count));
    CHECK(count == n);
    CHECK(fabs(loss_bits * LN2 - loss_of(&p, p.inputs)) <= 1e-12 * loss_bits);
    for (i = 0; i < n; i++) compare(&w, i, gradient[i], numeric(&p, loss_of, p.inputs, &parameters[i]));
    snprintf(label, sizeof label, "%s: %zu parameter gradients vs finite differences", name, n);
    report_worst(label, &w);

    /* Along a random direction d (unit norm): grad . d vs (L(x + h d) - L(x - h d)) / 2h. */
    direction = malloc(n * sizeof(float));
    for (i = 0; i < n; i++) {
        direction[i] = (float)(2 * test_uniform(&state) - 1);
        norm += (double)direction[i] * direction[i];
    }
    for (i = 0; i < n; i++) {
        direction[i] = (float)(direction[i] / sqrt(norm));
        along += (double)gradient[i] * direction[i];
    }
    {
        float *saved = malloc(n * sizeof(float));
        const float h = 1e-2f;
        memcpy(saved, parameters, n * sizeof(float));
        for (i = 0; i < n; i++) parameters[i] = saved[i] + h * direction[i];
        plus = loss_of(&p, p.inputs);
        for (i = 0; i < n; i++) parameters[i] = saved[i] - h * direction[i];
        minus = loss_of(&p, p.inputs);
        memcpy(parameters, saved, n * sizeof(float));
        free(saved);
        numeric_along = (plus - minus) / (2 * h);
    }
    printf("  %s: directional derivative %.6g, finite difference %.6g\n", name, along, numeric_along);
    CHECK(fabs(along - numeric_along) <= 1e-3 * fabs(along) + 1e-4);
    free(direction);
    teardown(&p);
}

/* ntm_trainer_backward: parameter and input gradients of a caller's loss
 * (a weighted sum of the outputs) against finite differences. */
static void check_backward(const char *name, const char *config, unsigned long long seed) {
    struct problem p;
    float *parameters, *gradient, outputs[T * OUT], evaluated[T * OUT], input_gradients[T * IN];
    float inputs[B * T * IN];
    size_t n = 0, count = 0, i, length = T;
    struct worst wp = {0, 0, 0, 0}, wi = {0, 0, 0, 0};
    char label[128];

    setup(&p, config, seed);
    memcpy(inputs, p.inputs, sizeof inputs);
    CHECK_OK(ntm_model_parameters(p.model, &parameters, &n));
    CHECK_OK(ntm_trainer_backward(p.trainer, T, inputs, p.weights, outputs, input_gradients));
    CHECK_OK(ntm_model_evaluate(p.model, 1, T, inputs, p.targets, p.mask, &length, evaluated, NULL, NULL));
    CHECK(memcmp(outputs, evaluated, sizeof outputs) == 0);
    CHECK_OK(ntm_trainer_gradient(p.trainer, &gradient, &count));
    for (i = 0; i < n; i++) compare(&wp, i, gradient[i], numeric(&p, weighted_outputs, inputs, &parameters[i]));
    for (i = 0; i < T * IN; i++) compare(&wi, i, input_gradients[i], numeric(&p, weighted_outputs, inputs, &inputs[i]));
    snprintf(label, sizeof label, "%s: backward, %zu parameter gradients", name, n);
    report_worst(label, &wp);
    snprintf(label, sizeof label, "%s: backward, %d input gradients", name, T * IN);
    report_worst(label, &wi);

    /* Outputs and input gradients are optional; the parameter gradient is the same. */
    {
        float *copy = malloc(n * sizeof(float));
        memcpy(copy, gradient, n * sizeof(float));
        CHECK_OK(ntm_trainer_backward(p.trainer, T, inputs, p.weights, NULL, NULL));
        CHECK(memcmp(copy, gradient, n * sizeof(float)) == 0);
        free(copy);
    }

    /* Bad arguments. */
    CHECK_STATUS(ntm_trainer_backward(p.trainer, 0, inputs, p.weights, NULL, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("length");
    CHECK_STATUS(ntm_trainer_backward(p.trainer, T, NULL, p.weights, NULL, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_trainer_backward(p.trainer, T, inputs, NULL, NULL, NULL), NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("output_gradients");
    p.weights[7] = NAN;
    CHECK_STATUS(ntm_trainer_backward(p.trainer, T, inputs, p.weights, NULL, NULL), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("output_gradients[2][1]");
    CHECK_STATUS(ntm_trainer_backward(NULL, T, inputs, p.weights, NULL, NULL), NTM_ERR_NULL);
    teardown(&p);
}

/* Backward from dL/dy of the cross-entropy equals the loss gradient (one
 * sequence), up to float rounding: the two paths differ only in how dL/dz
 * is formed. */
static void check_backward_matches_loss(void) {
    struct problem p;
    float outputs[T * OUT], dy[T * OUT], *gradient, *loss_gradient;
    size_t n = 0, i, length = T;
    double largest = 0, difference = 0;

    setup(&p, SMALL_LSTM_CONFIG, 12);
    CHECK_OK(ntm_model_evaluate(p.model, 1, T, p.inputs, p.targets, p.mask, &length, outputs, NULL, NULL));
    for (i = 0; i < T * OUT; i++) {
        double y = outputs[i], tau = p.targets[i];
        dy[i] = (float)(p.mask[i / OUT] * (y - tau) / (y * (1 - y)));
    }
    CHECK_OK(ntm_trainer_loss_and_gradient(p.trainer, 1, T, p.inputs, p.targets, p.mask, &length, NULL, NULL));
    loss_gradient = copy_parameters(p.model, &n); /* for the size */
    CHECK_OK(ntm_trainer_gradient(p.trainer, &gradient, &n));
    memcpy(loss_gradient, gradient, n * sizeof(float));
    CHECK_OK(ntm_trainer_backward(p.trainer, T, p.inputs, dy, NULL, NULL));
    for (i = 0; i < n; i++) {
        largest = fmax(largest, fabs(loss_gradient[i]));
        difference = fmax(difference, fabs(loss_gradient[i] - gradient[i]));
    }
    printf("  backward from the loss's dL/dy vs the loss gradient: max difference %.3g (largest entry %.3g)\n",
           difference, largest);
    CHECK(difference <= 1e-4 * largest);
    free(loss_gradient);
    teardown(&p);
}

void test_gradients(void) {
    check_loss_gradient("feedforward NTM", SMALL_CONFIG, 1);
    check_loss_gradient("LSTM NTM", SMALL_LSTM_CONFIG, 2);
    check_loss_gradient("LSTM baseline",
                        "{\"kind\": \"lstm\", \"input_size\": 4, \"output_size\": 3, \"controller_layers\": [4, 3]}", 3);
    check_backward("feedforward NTM", SMALL_CONFIG, 4);
    check_backward("LSTM NTM", SMALL_LSTM_CONFIG, 5);
    check_backward_matches_loss();
}
