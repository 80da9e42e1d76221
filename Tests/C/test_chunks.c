/* ntm_model_state_size, ntm_model_initial_state, ntm_model_forward and
 * ntm_model_backward: sequences run in chunks with the recurrent state
 * carried between them, and their gradients -- with respect to the
 * parameters, the inputs and the initial state -- against finite
 * differences of ntm_model_forward, in both output modes (probabilities
 * and logits), and a sequence cut in two chunks against one pass.
 *
 * The finite differences and their tolerance are those of
 * test_gradients.c (fourth-order central differences, h = 1e-2; each
 * coordinate within 1e-4 + 1e-3 max(|a|, |n|)); the objective here is
 *     L = sum_{b,t,j} W[b][t][j] out[b][t][j] + sum_{b,s} V[b][s] final_state[b][s],
 * so the gradient of the final state (V) is backpropagated too. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "finite_difference.h"

enum { B = 2, T = 5, IN = 4, OUT = 3, MAX_STATE = 128 };

struct chunk_problem {
    ntm_model *model;
    size_t state_size, parameter_count;
    bool logits;
    float inputs[B * T * IN];
    float initial[B * MAX_STATE]; /* a state that is not the learned one */
    float weights[B * T * OUT];   /* W */
    float state_weights[B * MAX_STATE]; /* V */
};

static double objective(void *context) {
    struct chunk_problem *p = context;
    float outputs[B * T * OUT], final[B * MAX_STATE];
    double sum = 0;
    size_t i;
    if (!CHECK_OK(ntm_model_forward(p->model, B, T, p->inputs, p->initial, p->logits, outputs, final))) return NAN;
    for (i = 0; i < B * T * OUT; i++) sum += (double)p->weights[i] * outputs[i];
    for (i = 0; i < B * p->state_size; i++) sum += (double)p->state_weights[i] * final[i];
    return sum;
}

static void report(const char *name, const char *what, const struct worst *w) {
    char label[160];
    snprintf(label, sizeof label, "%s: %s", name, what);
    report_worst(label, w);
}

/* Where the weightings lie in a state: after the memory (rows x width)
 * and the read vectors (read_heads x width). */
static void weighting_range(ntm_model *model, size_t *start, size_t *count) {
    size_t rows = 0, width = 0, reads = 0, writes = 0;
    CHECK_OK(ntm_model_shape(model, NULL, NULL, NULL, &rows, &width, &reads, &writes));
    *start = rows * width + reads * width;
    *count = (reads + writes) * rows;
}

static void setup(struct chunk_problem *p, const char *config, unsigned long long seed, bool logits) {
    unsigned long long state = seed * 17 + 3;
    float *parameters, targets[B * T * OUT], mask[B * T];
    size_t i, b, start, count;
    p->model = make_model(config, seed);
    p->logits = logits;
    /* A generic point, as in test_gradients.c. */
    CHECK_OK(ntm_model_parameters(p->model, &parameters, &p->parameter_count));
    for (i = 0; i < p->parameter_count; i++) parameters[i] += (float)(0.6 * test_uniform(&state) - 0.3);
    CHECK_OK(ntm_model_state_size(p->model, &p->state_size));
    CHECK(p->state_size <= MAX_STATE);
    fill_batch(seed, B, T, IN, OUT, p->inputs, targets, mask);
    /* Initial states: everything in [-0.5, 0.5] but the weightings, which
     * are positive and sum to 1 per head, each at least about 0.1, so a
     * finite-difference step of 2h = 0.02 keeps them positive. */
    weighting_range(p->model, &start, &count);
    for (b = 0; b < B; b++) {
        float *s = p->initial + b * p->state_size;
        for (i = 0; i < p->state_size; i++) s[i] = (float)(test_uniform(&state) - 0.5);
        if (count > 0) {
            size_t rows = 0, head, heads;
            CHECK_OK(ntm_model_shape(p->model, NULL, NULL, NULL, &rows, NULL, NULL, NULL));
            heads = count / rows;
            for (head = 0; head < heads; head++) {
                float *w = s + start + head * rows;
                double sum = 0;
                for (i = 0; i < rows; i++) sum += (w[i] = (float)(0.5 + test_uniform(&state)));
                for (i = 0; i < rows; i++) w[i] = (float)(w[i] / sum);
            }
        }
    }
    for (i = 0; i < B * T * OUT; i++) p->weights[i] = (float)(2 * test_uniform(&state) - 1);
    for (i = 0; i < B * p->state_size; i++) p->state_weights[i] = (float)(2 * test_uniform(&state) - 1);
}

/* The state size from the shape, as the header describes the layout. */
static void check_state_layout(const char *config, size_t lstm_units) {
    ntm_model *model = make_model(config, 1);
    size_t size = 0, rows = 0, width = 0, reads = 0, writes = 0;
    float *learned;
    CHECK_OK(ntm_model_state_size(model, &size));
    CHECK_OK(ntm_model_shape(model, NULL, NULL, NULL, &rows, &width, &reads, &writes));
    CHECK(size == rows * width + reads * width + (reads + writes) * rows + 2 * lstm_units);
    /* The learned initial state: with "focused" weightings each head's
     * weighting is a softmax, so it sums to 1 and is largest at location 0. */
    learned = malloc(size * sizeof(float));
    CHECK_OK(ntm_model_initial_state(model, learned, size));
    if (rows > 0) {
        size_t head, i, start = rows * width + reads * width;
        for (head = 0; head < reads + writes; head++) {
            double sum = 0;
            for (i = 0; i < rows; i++) sum += learned[start + head * rows + i];
            CHECK(fabs(sum - 1) < 1e-5);
            CHECK(learned[start + head * rows] > learned[start + head * rows + 1]);
        }
    }
    free(learned);
    CHECK_OK(ntm_model_free(model));
}

/* Forward: from NULL = from the learned initial state = ntm_model_evaluate's
 * outputs, bit for bit; a sequence in two chunks with the state carried
 * gives the same outputs and final state as one pass, bit for bit; logits
 * are the log-odds of the probabilities. */
static void check_forward(const char *name, const char *config) {
    enum { L = 7, CUT = 3 };
    ntm_model *model = make_model(config, 21);
    float inputs[B * L * IN], targets[B * L * OUT], mask[B * L];
    float whole[B * L * OUT], evaluated[B * L * OUT], logits[B * L * OUT], first[B * L * IN], second[B * L * IN];
    float chunked[B * L * OUT], *learned, *states, *middle, *final_whole, *final_chunked;
    size_t size = 0, i, b, lengths[B] = {L, L};
    double worst_logit = 0;

    fill_batch(21, B, L, IN, OUT, inputs, targets, mask);
    CHECK_OK(ntm_model_state_size(model, &size));
    learned = malloc(size * sizeof(float));
    states = malloc(B * size * sizeof(float));
    middle = malloc(B * size * sizeof(float));
    final_whole = malloc(B * size * sizeof(float));
    final_chunked = malloc(B * size * sizeof(float));
    CHECK_OK(ntm_model_initial_state(model, learned, size));
    for (b = 0; b < B; b++) memcpy(states + b * size, learned, size * sizeof(float));

    CHECK_OK(ntm_model_forward(model, B, L, inputs, NULL, false, whole, final_whole));
    CHECK_OK(ntm_model_evaluate(model, B, L, inputs, targets, mask, lengths, evaluated, NULL, NULL));
    CHECK(memcmp(whole, evaluated, sizeof whole) == 0);
    CHECK_OK(ntm_model_forward(model, B, L, inputs, states, false, chunked, final_chunked));
    CHECK(memcmp(whole, chunked, sizeof whole) == 0);
    CHECK(memcmp(final_whole, final_chunked, B * size * sizeof(float)) == 0);

    /* Two chunks: steps 0 ..< CUT, then CUT ..< L from the carried state. */
    for (b = 0; b < B; b++) {
        memcpy(first + b * CUT * IN, inputs + b * L * IN, CUT * IN * sizeof(float));
        memcpy(second + b * (L - CUT) * IN, inputs + (b * L + CUT) * IN, (L - CUT) * IN * sizeof(float));
    }
    CHECK_OK(ntm_model_forward(model, B, CUT, first, NULL, false, evaluated, middle));
    CHECK_OK(ntm_model_forward(model, B, L - CUT, second, middle, false, chunked, final_chunked));
    for (b = 0; b < B; b++) {
        CHECK(memcmp(whole + b * L * OUT, evaluated + b * CUT * OUT, CUT * OUT * sizeof(float)) == 0);
        CHECK(memcmp(whole + (b * L + CUT) * OUT, chunked + b * (L - CUT) * OUT, (L - CUT) * OUT * sizeof(float)) == 0);
    }
    CHECK(memcmp(final_whole, final_chunked, B * size * sizeof(float)) == 0);

    CHECK_OK(ntm_model_forward(model, B, L, inputs, NULL, true, logits, NULL));
    for (i = 0; i < B * L * OUT; i++) {
        double y = 1 / (1 + exp(-(double)logits[i]));
        worst_logit = fmax(worst_logit, fabs(y - whole[i]));
    }
    printf("  %s: forward in chunks = one pass, bit for bit; |sigmoid(logit) - output| <= %.2g\n", name, worst_logit);
    CHECK(worst_logit <= 1e-6);

    free(learned);
    free(states);
    free(middle);
    free(final_whole);
    free(final_chunked);
    CHECK_OK(ntm_model_free(model));
}

/* The gradients of ntm_model_backward against finite differences. */
static void check_backward_gradients(const char *name, const char *config, unsigned long long seed, bool logits) {
    struct chunk_problem p;
    float *parameters, *gradient, outputs[B * T * OUT], forward_outputs[B * T * OUT];
    float input_gradients[B * T * IN], initial_gradients[B * MAX_STATE], final[B * MAX_STATE];
    size_t n = 0, i;
    struct worst wp = {0, 0, 0, 0}, wi = {0, 0, 0, 0}, ws = {0, 0, 0, 0};
    char label[160];

    setup(&p, config, seed, logits);
    CHECK_OK(ntm_model_parameters(p.model, &parameters, &n));
    gradient = malloc(n * sizeof(float));
    CHECK_OK(ntm_model_backward(p.model, B, T, p.inputs, p.initial, p.logits, p.weights, p.state_weights, outputs,
                                final, input_gradients, initial_gradients, gradient, n));
    CHECK_OK(ntm_model_forward(p.model, B, T, p.inputs, p.initial, p.logits, forward_outputs, NULL));
    CHECK(memcmp(outputs, forward_outputs, sizeof outputs) == 0);
    for (i = 0; i < n; i++) compare(&wp, i, gradient[i], central_difference(objective, &p, &parameters[i]));
    for (i = 0; i < B * T * IN; i++) compare(&wi, i, input_gradients[i], central_difference(objective, &p, &p.inputs[i]));
    for (i = 0; i < B * p.state_size; i++) compare(&ws, i, initial_gradients[i], central_difference(objective, &p, &p.initial[i]));
    snprintf(label, sizeof label, "%s, %s", name, logits ? "logits" : "probabilities");
    report(label, "parameter gradients", &wp);
    report(label, "input gradients", &wi);
    report(label, "initial-state gradients", &ws);

    /* The outputs and gradients other than the parameters' are optional,
     * and the parameter gradient is overwritten, not added to. */
    {
        float *again = malloc(n * sizeof(float));
        for (i = 0; i < n; i++) again[i] = 1e3f;
        CHECK_OK(ntm_model_backward(p.model, B, T, p.inputs, p.initial, p.logits, p.weights, p.state_weights, NULL,
                                    NULL, NULL, NULL, again, n));
        CHECK(memcmp(again, gradient, n * sizeof(float)) == 0);
        free(again);
    }
    free(gradient);
    CHECK_OK(ntm_model_free(p.model));
}

/* A sequence of 2 x 3 steps from the learned initial state, in one pass
 * and in two chunks chained through the carried state and its gradient:
 * the same outputs, the same input gradients and the same parameter
 * gradient (the chunks' sum), to float rounding. */
static void check_chained_chunks(const char *name, const char *config, bool logits) {
    enum { L = 6, CUT = 3 };
    ntm_model *model = make_model(config, 31);
    float inputs[L * IN], targets[L * OUT], mask[L], dy[L * OUT], dx_whole[L * IN], dx_chunks[L * IN];
    float y_whole[L * OUT], y_chunks[L * OUT], *g_whole, *g_first, *g_second, *middle, *d_middle;
    float *parameters;
    size_t n = 0, size = 0, i;
    unsigned long long state = 77;
    double largest = 0, difference = 0, input_difference = 0;

    CHECK_OK(ntm_model_parameters(model, &parameters, &n));
    for (i = 0; i < n; i++) parameters[i] += (float)(0.6 * test_uniform(&state) - 0.3);
    CHECK_OK(ntm_model_state_size(model, &size));
    fill_batch(31, 1, L, IN, OUT, inputs, targets, mask);
    for (i = 0; i < L * OUT; i++) dy[i] = (float)(2 * test_uniform(&state) - 1);
    g_whole = malloc(n * sizeof(float));
    g_first = malloc(n * sizeof(float));
    g_second = malloc(n * sizeof(float));
    middle = malloc(size * sizeof(float));
    d_middle = malloc(size * sizeof(float));

    CHECK_OK(ntm_model_backward(model, 1, L, inputs, NULL, logits, dy, NULL, y_whole, NULL, dx_whole, NULL, g_whole, n));
    /* Forward through the first chunk for its final state; the second
     * chunk's backward gives that state's gradient; the first chunk's
     * backward takes it as its final-state gradient. */
    CHECK_OK(ntm_model_forward(model, 1, CUT, inputs, NULL, logits, y_chunks, middle));
    CHECK_OK(ntm_model_backward(model, 1, L - CUT, inputs + CUT * IN, middle, logits, dy + CUT * OUT, NULL,
                                y_chunks + CUT * OUT, NULL, dx_chunks + CUT * IN, d_middle, g_second, n));
    CHECK_OK(ntm_model_backward(model, 1, CUT, inputs, NULL, logits, dy, d_middle, NULL, NULL, dx_chunks, NULL,
                                g_first, n));
    CHECK(memcmp(y_whole, y_chunks, sizeof y_whole) == 0);
    for (i = 0; i < n; i++) {
        largest = fmax(largest, fabs(g_whole[i]));
        difference = fmax(difference, fabs(g_whole[i] - (g_first[i] + g_second[i])));
    }
    for (i = 0; i < L * IN; i++) input_difference = fmax(input_difference, fabs(dx_whole[i] - dx_chunks[i]));
    printf("  %s, %s: two chained chunks vs one pass: parameter gradient max difference %.3g (largest entry %.3g), "
           "input gradient %.3g\n", name, logits ? "logits" : "probabilities", difference, largest, input_difference);
    CHECK(largest > 0);
    CHECK(difference <= 1e-5 * largest);
    CHECK(input_difference <= 1e-5 * largest);
    free(g_whole);
    free(g_first);
    free(g_second);
    free(middle);
    free(d_middle);
    CHECK_OK(ntm_model_free(model));
}

static void check_bad_arguments(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 3), *freed = make_model(SMALL_CONFIG, 4);
    ntm_stream *stream = NULL;
    float inputs[B * T * IN], targets[B * T * OUT], mask[B * T], dy[B * T * OUT], states[B * MAX_STATE];
    float ds[B * MAX_STATE], *gradient, outputs[B * T * OUT];
    size_t n = 0, size = 0, i, start, count;

    CHECK_OK(ntm_model_free(freed));
    CHECK_OK(ntm_stream_create(model, &stream));
    CHECK_OK(ntm_model_shape(model, NULL, NULL, &n, NULL, NULL, NULL, NULL));
    CHECK_OK(ntm_model_state_size(model, &size));
    fill_batch(5, B, T, IN, OUT, inputs, targets, mask);
    for (i = 0; i < B * T * OUT; i++) dy[i] = 0.5f;
    for (i = 0; i < B; i++) CHECK_OK(ntm_model_initial_state(model, states + i * size, size));
    for (i = 0; i < B * size; i++) ds[i] = 0.25f;
    gradient = malloc(n * sizeof(float));
    for (i = 0; i < n; i++) gradient[i] = 7;

    /* Handles. */
    CHECK_STATUS(ntm_model_state_size(NULL, &size), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_state_size(freed, &size), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("already freed");
    CHECK_STATUS(ntm_model_state_size((ntm_model *)stream, &size), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("stream handle");
    CHECK_STATUS(ntm_model_forward((ntm_model *)&size, B, T, inputs, NULL, false, outputs, NULL), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("not a handle made by this library");
    CHECK_STATUS(ntm_model_state_size(model, NULL), NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("out_size");
    CHECK_STATUS(ntm_model_initial_state(freed, states, size), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_model_initial_state(model, NULL, size), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_initial_state(model, states, size - 1), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("count");
    CHECK_STATUS(ntm_model_forward(freed, B, T, inputs, NULL, false, outputs, NULL), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_model_forward((ntm_model *)stream, B, T, inputs, NULL, false, outputs, NULL), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_model_backward(NULL, B, T, inputs, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_backward(freed, B, T, inputs, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_HANDLE);

    /* Sizes and NULLs. */
    CHECK_STATUS(ntm_model_forward(model, 0, T, inputs, NULL, false, outputs, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("batch");
    CHECK_STATUS(ntm_model_forward(model, B, 0, inputs, NULL, false, outputs, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("length");
    CHECK_STATUS(ntm_model_forward(model, 65537, T, inputs, NULL, false, outputs, NULL), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_model_forward(model, B, (size_t)1 << 21, inputs, NULL, false, outputs, NULL), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_model_forward(model, B, T, NULL, NULL, false, outputs, NULL), NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("inputs");
    CHECK_STATUS(ntm_model_backward(model, B, T, NULL, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("output_gradients");
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, NULL, n),
                 NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("parameter_gradient");
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n + 1),
                 NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("parameter_count");
    CHECK_STATUS(ntm_model_backward(model, 0, T, inputs, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_ARGUMENT);

    /* Values: NaN and infinity anywhere, a negative weighting. Each names
     * the array and index, and the failed call wrote nothing. */
    inputs[IN * T + 2] = NAN;
    CHECK_STATUS(ntm_model_forward(model, B, T, inputs, NULL, false, outputs, NULL), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("inputs[1][0][2]");
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, NULL, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NONFINITE);
    inputs[IN * T + 2] = 0.5f;
    states[size + 1] = INFINITY;
    CHECK_STATUS(ntm_model_forward(model, B, T, inputs, states, false, outputs, NULL), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("initial_states[1][1]");
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, states, false, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NONFINITE);
    states[size + 1] = 0;
    weighting_range(model, &start, &count);
    CHECK(count > 0);
    states[start + 2] = -0.1f;
    CHECK_STATUS(ntm_model_forward(model, B, T, inputs, states, false, outputs, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("negative");
    states[start + 2] = 0;
    dy[4] = NAN;
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, NULL, true, dy, NULL, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("output_gradients[0][1][1]");
    dy[4] = 0.5f;
    ds[size] = -INFINITY;
    CHECK_STATUS(ntm_model_backward(model, B, T, inputs, NULL, false, dy, ds, NULL, NULL, NULL, NULL, gradient, n),
                 NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("final_state_gradients[1][0]");
    for (i = 0; i < n; i++) CHECK(gradient[i] == 7);
    ds[size] = 0;
    CHECK_OK(ntm_model_backward(model, B, T, inputs, states, false, dy, ds, NULL, NULL, NULL, NULL, gradient, n));

    free(gradient);
    CHECK_OK(ntm_stream_free(stream));
    CHECK_OK(ntm_model_free(model));
}

void test_chunks(void) {
    check_state_layout(SMALL_CONFIG, 0);
    check_state_layout(SMALL_LSTM_CONFIG, 5);
    check_state_layout("{\"kind\": \"lstm\", \"input_size\": 4, \"output_size\": 3, \"controller_layers\": [4, 3]}",
                       7);
    check_forward("feedforward NTM", SMALL_CONFIG);
    check_forward("LSTM NTM", SMALL_LSTM_CONFIG);
    check_backward_gradients("feedforward NTM", SMALL_CONFIG, 41, false);
    check_backward_gradients("feedforward NTM", SMALL_CONFIG, 42, true);
    check_backward_gradients("LSTM NTM", SMALL_LSTM_CONFIG, 43, false);
    check_backward_gradients("LSTM NTM", SMALL_LSTM_CONFIG, 44, true);
    check_backward_gradients("LSTM baseline",
                             "{\"kind\": \"lstm\", \"input_size\": 4, \"output_size\": 3, \"controller_layers\": [4, 3]}",
                             45, true);
    check_chained_chunks("feedforward NTM", SMALL_CONFIG, false);
    check_chained_chunks("LSTM NTM", SMALL_LSTM_CONFIG, true);
    check_bad_arguments();
}
