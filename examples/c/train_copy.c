/* Trains a Neural Turing Machine on the copy task through libntm's C API,
 * saves it, loads it back and measures it on sequences longer than any it
 * was trained on.
 *
 *     train_copy [MODEL_PATH]            (default copy.safetensors)
 *
 * Settings (environment variables, all optional):
 *     NTM_STEPS         updates                               (default 10000)
 *     NTM_BATCH         sequences per update                  (default 4)
 *     NTM_MAX_LENGTH    longest training sequence to copy     (default 10)
 *     NTM_TEST_LENGTH   length of the test sequences          (default 2 x NTM_MAX_LENGTH)
 *     NTM_REPORT_EVERY  updates between progress lines        (default 500)
 *     NTM_THREADS       trainer threads                       (default 2)
 *     NTM_SEED          seed of the weights and the data      (default 1)
 *
 * Build: cc train_copy.c $(pkg-config --cflags --libs ntm) -o train_copy */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntm.h"

static unsigned long setting(const char *name, unsigned long fallback) {
    const char *text = getenv(name);
    return text && *text ? strtoul(text, NULL, 10) : fallback;
}

/* Prints the failed call and the library's message, and exits. */
static void check(ntm_status status, const char *call) {
    if (status != NTM_OK) {
        fprintf(stderr, "train_copy: %s failed: %s: %s\n", call, ntm_status_name(status), ntm_last_error());
        exit(1);
    }
}

/* Mean loss (bits) and bit errors per sequence on `count` copy sequences of
 * exactly `length` vectors. */
static void evaluate(ntm_model *model, size_t length, size_t count, unsigned long long seed, double *loss,
                     double *errors) {
    char options[128];
    size_t in, out, steps, *lengths = malloc(count * sizeof *lengths);
    float *inputs, *targets, *mask;
    snprintf(options, sizeof options, "{\"width\": 8, \"min_length\": %zu, \"max_length\": %zu}", length, length);
    check(ntm_task_shape("copy", options, &in, &out, &steps), "ntm_task_shape");
    inputs = malloc(count * steps * in * sizeof *inputs);
    targets = malloc(count * steps * out * sizeof *targets);
    mask = malloc(count * steps * sizeof *mask);
    check(ntm_task_sample("copy", options, seed, count, steps, inputs, targets, mask, lengths), "ntm_task_sample");
    check(ntm_model_evaluate(model, count, steps, inputs, targets, mask, lengths, NULL, loss, errors),
          "ntm_model_evaluate");
    free(inputs);
    free(targets);
    free(mask);
    free(lengths);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "copy.safetensors";
    unsigned long steps = setting("NTM_STEPS", 10000), batch = setting("NTM_BATCH", 4);
    unsigned long max_length = setting("NTM_MAX_LENGTH", 10), report = setting("NTM_REPORT_EVERY", 500);
    unsigned long test_length = setting("NTM_TEST_LENGTH", 2 * max_length), threads = setting("NTM_THREADS", 2);
    unsigned long long seed = setting("NTM_SEED", 1);
    char options[128], config[256];
    size_t in, out, longest, parameters, step;
    ntm_model *model = NULL, *reloaded = NULL;
    ntm_trainer *trainer = NULL;
    double loss = 0, errors = 0, sum_loss = 0, sum_errors = 0, loss2 = 0, errors2 = 0;

    printf("libntm %s: training the copy task (lengths 1-%lu) for %lu updates of %lu sequences\n",
           ntm_version_string(), max_length, steps, batch);

    /* The task decides the model's input and output sizes. */
    snprintf(options, sizeof options, "{\"width\": 8, \"min_length\": 1, \"max_length\": %lu}", max_length);
    check(ntm_task_shape("copy", options, &in, &out, &longest), "ntm_task_shape");
    snprintf(config, sizeof config,
             "{\"input_size\": %zu, \"output_size\": %zu, \"controller\": \"lstm\", \"controller_layers\": [100],"
             " \"memory_rows\": 128, \"memory_width\": 20}", in, out);
    check(ntm_model_create(config, seed, &model), "ntm_model_create");
    check(ntm_model_shape(model, NULL, NULL, &parameters, NULL, NULL, NULL, NULL), "ntm_model_shape");
    printf("model: %zu inputs, %zu outputs, %zu parameters\n", in, out, parameters);

    /* Adam trains the copy task much faster than the paper's RMSProp. */
    check(ntm_trainer_create(model, "{\"kind\": \"adam\", \"learning_rate\": 0.001, \"clip_value\": 10}", threads,
                             seed + 1, &trainer), "ntm_trainer_create");
    for (step = 1; step <= steps; step++) {
        check(ntm_trainer_train_task(trainer, "copy", options, batch, &loss, &errors), "ntm_trainer_train_task");
        sum_loss += loss;
        sum_errors += errors;
        if (step % report == 0 || step == steps) {
            size_t n = step % report == 0 ? report : step % report;
            printf("update %6zu: loss %8.3f bits/sequence, %6.2f bit errors/sequence\n", step, sum_loss / n,
                   sum_errors / n);
            fflush(stdout);
            sum_loss = sum_errors = 0;
        }
    }

    check(ntm_model_save(model, path), "ntm_model_save");
    printf("saved %s\n", path);
    check(ntm_model_load(path, &reloaded), "ntm_model_load");

    /* The reloaded model computes exactly what the trained one does. */
    evaluate(model, max_length, 20, 1000, &loss, &errors);
    evaluate(reloaded, max_length, 20, 1000, &loss2, &errors2);
    printf("reloaded model, length %lu: %.3f bits, %.2f bit errors per sequence (%s)\n", max_length, loss2, errors2,
           loss == loss2 && errors == errors2 ? "identical to the trained model" : "DIFFERENT");
    if (loss != loss2 || errors != errors2) return 1;

    /* Generalisation: longer sequences than in training. */
    evaluate(reloaded, test_length, 20, 2000, &loss, &errors);
    printf("reloaded model, length %lu (longer than trained): %.3f bits, %.2f bit errors per sequence\n", test_length,
           loss, errors);

    check(ntm_trainer_free(trainer), "ntm_trainer_free");
    check(ntm_model_free(model), "ntm_model_free");
    check(ntm_model_free(reloaded), "ntm_model_free");
    return 0;
}
