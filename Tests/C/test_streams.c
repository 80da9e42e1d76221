/* Streams: stepping, reset, introspection, bad inputs, many threads. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

enum { STEPS = 12, THREADS = 4 };

static void inputs_for(size_t t, float *input) {
    size_t i;
    for (i = 0; i < 4; i++) input[i] = (float)sin(0.7 * (double)(t * 4 + i));
}

static void test_steps(void) {
    ntm_model *model = make_model(SMALL_LSTM_CONFIG, 8);
    ntm_stream *a = NULL, *b = NULL;
    float input[4], out_a[3], out_b[3], first[3], again[3];
    float memory[6 * 4], memory0[6 * 4], weighting[6], reads[2 * 4], reads0[2 * 4];
    size_t steps = 99, t, h;
    int same = 1, sums_to_one = 1, probabilities = 1;

    CHECK_OK(ntm_stream_create(model, &a));
    CHECK_OK(ntm_stream_create(model, &b));
    CHECK(a != NULL && b != NULL && a != b);
    CHECK_OK(ntm_stream_step_count(a, &steps));
    CHECK(steps == 0);

    /* The initial state. */
    CHECK_OK(ntm_stream_memory(a, memory0, 6 * 4));
    CHECK_OK(ntm_stream_read_vectors(a, reads0, 2 * 4));
    for (h = 0; h < 3; h++) {
        double sum = 0;
        size_t i;
        CHECK_OK(ntm_stream_weighting(a, h, weighting, 6));
        for (i = 0; i < 6; i++) sum += weighting[i];
        if (fabs(sum - 1) > 1e-5) sums_to_one = 0;
    }

    /* Two streams over one model are independent: b is one step behind. */
    for (t = 0; t < STEPS; t++) {
        inputs_for(t, input);
        CHECK_OK(ntm_stream_step(a, input, 4, out_a, 3));
        if (t == 0) memcpy(first, out_a, sizeof first);
        {
            size_t j;
            for (j = 0; j < 3; j++)
                if (!(out_a[j] > 0 && out_a[j] < 1)) probabilities = 0;
        }
    }
    for (t = 0; t < STEPS; t++) {
        inputs_for(t, input);
        CHECK_OK(ntm_stream_step(b, input, 4, out_b, 3));
    }
    CHECK(memcmp(out_a, out_b, sizeof out_a) == 0);
    CHECK(probabilities);
    CHECK_OK(ntm_stream_step_count(a, &steps));
    CHECK(steps == STEPS);

    /* State after steps: memory written, weightings sum to 1. */
    CHECK_OK(ntm_stream_memory(a, memory, 6 * 4));
    CHECK(memcmp(memory, memory0, sizeof memory) != 0);
    CHECK_OK(ntm_stream_read_vectors(a, reads, 2 * 4));
    for (h = 0; h < 3; h++) {
        double sum = 0;
        size_t i;
        CHECK_OK(ntm_stream_weighting(a, h, weighting, 6));
        for (i = 0; i < 6; i++) sum += weighting[i];
        if (fabs(sum - 1) > 1e-5) sums_to_one = 0;
    }
    CHECK(sums_to_one);

    /* Reset: back to the start. */
    CHECK_OK(ntm_stream_reset(a));
    CHECK_OK(ntm_stream_step_count(a, &steps));
    CHECK(steps == 0);
    CHECK_OK(ntm_stream_memory(a, memory, 6 * 4));
    CHECK(memcmp(memory, memory0, sizeof memory) == 0);
    CHECK_OK(ntm_stream_read_vectors(a, reads, 2 * 4));
    CHECK(memcmp(reads, reads0, sizeof reads) == 0);
    inputs_for(0, input);
    CHECK_OK(ntm_stream_step(a, input, 4, again, 3));
    CHECK(memcmp(first, again, sizeof first) == 0);
    (void)same;

    /* Bad arguments: status, message, state unchanged. */
    CHECK_STATUS(ntm_stream_step(a, NULL, 4, out_a, 3), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_step(a, input, 4, NULL, 3), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_step(a, input, 3, out_a, 3), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("input_count = 3");
    CHECK_STATUS(ntm_stream_step(a, input, 4, out_a, 4), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("output_count");
    input[2] = NAN;
    CHECK_STATUS(ntm_stream_step(a, input, 4, out_a, 3), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("input[2]");
    input[2] = -INFINITY;
    CHECK_STATUS(ntm_stream_step(a, input, 4, out_a, 3), NTM_ERR_NONFINITE);
    CHECK_OK(ntm_stream_step_count(a, &steps));
    CHECK(steps == 1);
    CHECK_STATUS(ntm_stream_step_count(a, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_memory(a, memory, 6 * 4 - 1), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("count = 23");
    CHECK_STATUS(ntm_stream_memory(a, NULL, 6 * 4), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_weighting(a, 3, weighting, 6), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("head = 3");
    CHECK_STATUS(ntm_stream_weighting(a, 0, weighting, 7), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_stream_weighting(a, 0, NULL, 6), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_read_vectors(a, reads, 4), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_stream_read_vectors(a, NULL, 8), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_create(model, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_create(NULL, &b), NTM_ERR_NULL);
    CHECK_STATUS(ntm_stream_reset(NULL), NTM_ERR_NULL);

    CHECK_OK(ntm_stream_free(a));
    CHECK_OK(ntm_stream_free(b));
    CHECK_OK(ntm_model_free(model));
}

static void test_lstm_baseline(void) {
    ntm_model *model = make_model("{\"kind\": \"lstm\", \"input_size\": 4, \"output_size\": 3, \"controller_layers\": [5]}", 1);
    ntm_stream *stream = NULL;
    float input[4] = {1, 0, 0, 1}, output[3], weighting[1];
    CHECK_OK(ntm_stream_create(model, &stream));
    CHECK_OK(ntm_stream_step(stream, input, 4, output, 3));
    CHECK_OK(ntm_stream_memory(stream, NULL, 0)); /* no memory */
    CHECK_OK(ntm_stream_read_vectors(stream, NULL, 0));
    CHECK_STATUS(ntm_stream_memory(stream, NULL, 1), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_stream_weighting(stream, 0, weighting, 1), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("no heads");
    CHECK_OK(ntm_stream_free(stream));
    CHECK_OK(ntm_model_free(model));
}

/* Many threads step their own streams over one shared model. */
struct worker {
    ntm_model *model;
    float outputs[STEPS * 3];
    int ok;
};

static void *step_worker(void *arg) {
    struct worker *w = arg;
    ntm_stream *stream = NULL;
    float input[4];
    size_t t, round;
    w->ok = ntm_stream_create(w->model, &stream) == NTM_OK;
    for (round = 0; round < 20 && w->ok; round++) {
        w->ok = ntm_stream_reset(stream) == NTM_OK;
        for (t = 0; t < STEPS && w->ok; t++) {
            inputs_for(t, input);
            w->ok = ntm_stream_step(stream, input, 4, w->outputs + t * 3, 3) == NTM_OK;
        }
    }
    if (ntm_stream_free(stream) != NTM_OK) w->ok = 0;
    return NULL;
}

static void test_threads(void) {
    ntm_model *model = make_model(SMALL_LSTM_CONFIG, 9);
    struct worker reference, workers[THREADS];
    pthread_t threads[THREADS];
    int i, all_ok = 1, all_same = 1;

    reference.model = model;
    step_worker(&reference);
    CHECK(reference.ok);
    for (i = 0; i < THREADS; i++) {
        workers[i].model = model;
        CHECK(pthread_create(&threads[i], NULL, step_worker, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (!workers[i].ok) all_ok = 0;
        if (memcmp(workers[i].outputs, reference.outputs, sizeof reference.outputs) != 0) all_same = 0;
    }
    CHECK(all_ok);
    CHECK(all_same);
    CHECK_OK(ntm_model_free(model));
}

/* One stream used from two threads at once: one of them may get
 * NTM_ERR_BUSY, nothing else, and nothing breaks. */
struct contender {
    ntm_stream *stream;
    int busy, other;
};

static void *contend(void *arg) {
    struct contender *c = arg;
    float input[4] = {0.1f, 0.2f, 0.3f, 0.4f}, output[3];
    int i;
    for (i = 0; i < 2000; i++) {
        ntm_status s = ntm_stream_step(c->stream, input, 4, output, 3);
        if (s == NTM_ERR_BUSY) c->busy++;
        else if (s != NTM_OK) c->other++;
    }
    return NULL;
}

static void test_busy(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 1);
    ntm_stream *stream = NULL;
    struct contender a, b;
    pthread_t ta, tb;
    size_t steps = 0;
    CHECK_OK(ntm_stream_create(model, &stream));
    a.stream = b.stream = stream;
    a.busy = a.other = b.busy = b.other = 0;
    CHECK(pthread_create(&ta, NULL, contend, &a) == 0);
    CHECK(pthread_create(&tb, NULL, contend, &b) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.other == 0 && b.other == 0);
    CHECK_OK(ntm_stream_step_count(stream, &steps));
    CHECK(steps + (size_t)(a.busy + b.busy) == 4000); /* every step either ran or was refused */
    printf("  (busy test: %d of 4000 concurrent steps refused with NTM_ERR_BUSY)\n", a.busy + b.busy);
    CHECK_OK(ntm_stream_free(stream));
    CHECK_OK(ntm_model_free(model));
}

void test_streams(void) {
    test_steps();
    test_lstm_baseline();
    test_threads();
    test_busy();
}
