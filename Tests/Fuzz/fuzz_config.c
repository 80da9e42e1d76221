/* Fuzz target: the JSON texts the library parses -- model configs
 * (ntm_model_create), optimiser configs (ntm_trainer_create) and task
 * options (ntm_task_shape, ntm_task_sample).
 *
 * The first input byte picks the parser, the rest is the text (cut at its
 * first NUL). Whatever is accepted must then work: a model steps to
 * probabilities and its written-out config is accepted again; a trainer
 * takes an update or refuses it cleanly; a task's shape is what a sample
 * of that size fills. */
#include "fuzz.h"

static const char *MODEL =
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"feedforward\", \"controller_layers\": [6],"
    " \"memory_rows\": 6, \"memory_width\": 4}";

static ntm_model *model_for_trainers;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    ntm_set_memory_limit(FUZZ_MEMORY_LIMIT);
    if (ntm_model_create(MODEL, 1, &model_for_trainers) != NTM_OK) fuzz_fail("cannot make a model", ntm_last_error());
    return 0;
}

static void fuzz_model_config(const char *text) {
    ntm_model *model = NULL;
    if (FUZZ_CALL(ntm_model_create(text, 1, &model)) != NTM_OK) {
        FUZZ_ASSERT(model == NULL);
        return;
    }
    size_t size = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_model_config_json(model, NULL, 0, &size)) == NTM_OK);
    char *written = malloc(size);
    FUZZ_ASSERT(written != NULL);
    FUZZ_ASSERT(FUZZ_CALL(ntm_model_config_json(model, written, size, &size)) == NTM_OK);
    ntm_model *again = NULL;
    if (FUZZ_CALL(ntm_model_create(written, 1, &again)) != NTM_OK) fuzz_fail("a written config is refused", written);
    /* Same config, same seed: the same initial weights. */
    float *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    FUZZ_ASSERT(ntm_model_parameters(model, &a, &na) == NTM_OK && ntm_model_parameters(again, &b, &nb) == NTM_OK);
    if (na != nb || memcmp(a, b, na * sizeof(float)) != 0) fuzz_fail("a written config makes another model", written);
    ntm_model_free(again);
    free(written);
    fuzz_step_model(model);
    FUZZ_ASSERT(ntm_model_free(model) == NTM_OK);
}

static void fuzz_optimizer_config(const char *text) {
    ntm_trainer *trainer = NULL;
    if (FUZZ_CALL(ntm_trainer_create(model_for_trainers, text, 1, 1, &trainer)) != NTM_OK) {
        FUZZ_ASSERT(trainer == NULL);
        return;
    }
    /* One update on a fixed batch; the model is shared between inputs, so
     * a refused update must leave it as it was, and an accepted one is
     * undone by restoring the parameters. */
    float *parameters = NULL;
    size_t count = 0;
    FUZZ_ASSERT(ntm_model_parameters(model_for_trainers, &parameters, &count) == NTM_OK);
    float *before = malloc(count * sizeof(float));
    FUZZ_ASSERT(before != NULL);
    memcpy(before, parameters, count * sizeof(float));
    enum { LENGTH = 3 };
    float inputs[LENGTH * 4], targets[LENGTH * 3], mask[LENGTH];
    for (int i = 0; i < LENGTH * 4; i++) inputs[i] = (float)(i % 3) - 1.0f;
    for (int i = 0; i < LENGTH * 3; i++) targets[i] = (float)(i % 2);
    for (int i = 0; i < LENGTH; i++) mask[i] = 1.0f;
    double loss = 0;
    ntm_status status = FUZZ_CALL(ntm_trainer_train(trainer, 1, LENGTH, inputs, targets, mask, NULL, &loss, NULL));
    FUZZ_ASSERT(status == NTM_OK || status == NTM_ERR_DIVERGED);
    if (status == NTM_ERR_DIVERGED && memcmp(before, parameters, count * sizeof(float)) != 0)
        fuzz_fail("a refused update changed the model", text);
    if (status == NTM_OK) {
        FUZZ_ASSERT(isfinite(loss));
        for (size_t i = 0; i < count; i++)
            if (!isfinite(parameters[i])) fuzz_fail("an accepted update made a parameter non-finite", text);
    }
    memcpy(parameters, before, count * sizeof(float));
    free(before);
    size_t size = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_trainer_optimizer_json(trainer, NULL, 0, &size)) == NTM_OK);
    FUZZ_ASSERT(ntm_trainer_free(trainer) == NTM_OK);
}

static void fuzz_task_options(const char *task, const char *text) {
    size_t in = 0, out = 0, max_length = 0;
    if (FUZZ_CALL(ntm_task_shape(task, text, &in, &out, &max_length)) != NTM_OK) return;
    FUZZ_ASSERT(in >= 1 && out >= 1 && max_length >= 1);
    if ((double)max_length * (double)(in + out + 1) > 1e6) return; /* valid, too large to sample quickly */
    float *inputs = malloc(max_length * in * sizeof(float)), *targets = malloc(max_length * out * sizeof(float));
    float *mask = malloc(max_length * sizeof(float));
    size_t length = 0;
    FUZZ_ASSERT(inputs != NULL && targets != NULL && mask != NULL);
    FUZZ_ASSERT(FUZZ_CALL(ntm_task_sample(task, text, 5, 1, max_length, inputs, targets, mask, &length)) == NTM_OK);
    FUZZ_ASSERT(length >= 1 && length <= max_length);
    for (size_t i = 0; i < length * in; i++) FUZZ_ASSERT(isfinite(inputs[i]));
    for (size_t i = 0; i < length * out; i++) FUZZ_ASSERT(targets[i] >= 0.0f && targets[i] <= 1.0f);
    for (size_t i = 0; i < length; i++) FUZZ_ASSERT(mask[i] == 0.0f || mask[i] == 1.0f);
    free(inputs);
    free(targets);
    free(mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    char *text = malloc(size);
    FUZZ_ASSERT(text != NULL);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    uint8_t choice = data[0];
    if (choice % 3 == 0) {
        fuzz_model_config(text);
    } else if (choice % 3 == 1) {
        fuzz_optimizer_config(text);
    } else {
        const char *task = ntm_task_name((choice / 3) % ntm_task_count());
        FUZZ_ASSERT(task != NULL);
        fuzz_task_options(task, text);
    }
    free(text);
    return 0;
}
