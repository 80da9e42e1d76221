/* Hot paths allocate nothing: after warm-up, an update through
 * ntm_trainer_train (batch 1 on one thread, batch 4 on two) and a step
 * through ntm_stream_step make no call to malloc or its relatives.
 *
 * The counting interposer (benchmarks/alloc_count.h) defines malloc and the
 * rest in this executable, so every heap call libntm.so makes, the Swift
 * runtime's included, goes through it. Not under ASan, which would
 * interpose first. Exits 1 with the counts when a path allocates. */
#include "alloc_count.h"

#include <stdlib.h>

#include "ntm.h"

static unsigned long long allocations(void) {
    return atomic_load_explicit(&ntm_count_allocations, memory_order_relaxed);
}

static void check(ntm_status status, const char *what) {
    if (status != NTM_OK) {
        fprintf(stderr, "allocations: %s failed: %s\n", what, ntm_last_error());
        exit(2);
    }
}

enum { LENGTH = 12, MAX_BATCH = 4 };

int main(void) {
    const char *options = "{\"width\": 8, \"min_length\": 5, \"max_length\": 5}";
    size_t in, out, steps;
    check(ntm_task_shape("copy", options, &in, &out, &steps), "ntm_task_shape");
    char config[256];
    snprintf(config, sizeof config,
             "{\"input_size\": %zu, \"output_size\": %zu, \"controller\": \"lstm\", \"controller_layers\": [32],"
             " \"memory_rows\": 32, \"memory_width\": 8}", in, out);
    float *inputs = malloc(MAX_BATCH * steps * in * sizeof *inputs);
    float *targets = malloc(MAX_BATCH * steps * out * sizeof *targets);
    float *mask = malloc(MAX_BATCH * steps * sizeof *mask);
    size_t lengths[MAX_BATCH];
    check(ntm_task_sample("copy", options, 3, MAX_BATCH, steps, inputs, targets, mask, lengths), "ntm_task_sample");

    int failed = 0;
    const char *optimizers[] = {"{\"kind\": \"adam\", \"clip_value\": 10}",
                                "{\"kind\": \"rmsprop\", \"clip_norm\": 10}"};
    const size_t runs[][2] = {{1, 1}, {MAX_BATCH, 2}};   /* (batch, threads) */
    for (size_t o = 0; o < 2; o++) {
        for (size_t r = 0; r < 2; r++) {
            size_t batch = runs[r][0], threads = runs[r][1];
            ntm_model *model;
            ntm_trainer *trainer;
            check(ntm_model_create(config, 1, &model), "ntm_model_create");
            check(ntm_trainer_create(model, optimizers[o], threads, 2, &trainer), "ntm_trainer_create");
            double loss, errors;
            for (int k = 0; k < 5; k++)   /* warm-up: buffers sized, threads started */
                check(ntm_trainer_train(trainer, batch, steps, inputs, targets, mask, lengths, &loss, &errors),
                      "ntm_trainer_train");
            unsigned long long before = allocations();
            for (int k = 0; k < 20; k++)
                check(ntm_trainer_train(trainer, batch, steps, inputs, targets, mask, lengths, &loss, &errors),
                      "ntm_trainer_train");
            unsigned long long made = allocations() - before;
            printf("%s, batch %zu, %zu thread(s): %llu allocations in 20 updates\n", optimizers[o], batch, threads,
                   made);
            failed |= made != 0;
            check(ntm_trainer_free(trainer), "ntm_trainer_free");
            check(ntm_model_free(model), "ntm_model_free");
        }
    }

    ntm_model *model;
    ntm_stream *stream;
    check(ntm_model_create(config, 1, &model), "ntm_model_create");
    check(ntm_stream_create(model, &stream), "ntm_stream_create");
    float y[64];
    for (int t = 0; t < 5; t++) check(ntm_stream_step(stream, inputs + t * in, in, y, out), "ntm_stream_step");
    unsigned long long before = allocations();
    for (int t = 0; t < LENGTH * 10; t++)
        check(ntm_stream_step(stream, inputs + (t % steps) * in, in, y, out), "ntm_stream_step");
    unsigned long long made = allocations() - before;
    printf("stream: %llu allocations in %d steps\n", made, LENGTH * 10);
    failed |= made != 0;
    check(ntm_stream_free(stream), "ntm_stream_free");
    check(ntm_model_free(model), "ntm_model_free");
    free(inputs);
    free(targets);
    free(mask);
    if (failed) fprintf(stderr, "allocations: a hot path allocated (see above)\n");
    return failed;
}
