/* Handles: NULL, freed, double-freed, wrong-kind and foreign handles are
 * detected; streams and trainers keep their model's weights alive. */
#include <stdlib.h>

#include "check.h"

static void test_free(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 1);
    ntm_stream *stream = NULL;
    ntm_trainer *trainer = NULL;
    size_t in = 0;

    /* NULL is a no-op. */
    CHECK_OK(ntm_model_free(NULL));
    CHECK_OK(ntm_stream_free(NULL));
    CHECK_OK(ntm_trainer_free(NULL));

    CHECK_OK(ntm_stream_create(model, &stream));
    CHECK_OK(ntm_trainer_create(model, NULL, 1, 1, &trainer));

    /* Freed twice: detected, harmless. */
    CHECK_OK(ntm_stream_free(stream));
    CHECK_STATUS(ntm_stream_free(stream), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("already freed");
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_STATUS(ntm_trainer_free(trainer), NTM_ERR_HANDLE);
    CHECK_OK(ntm_model_free(model));
    CHECK_STATUS(ntm_model_free(model), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("model");

    /* Use after free: detected by every kind of call. */
    CHECK_STATUS(ntm_model_shape(model, &in, NULL, NULL, NULL, NULL, NULL, NULL), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("already freed");
    CHECK_STATUS(ntm_stream_create(model, &stream), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_trainer_create(model, NULL, 1, 1, &trainer), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_stream_reset(stream), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_trainer_progress(trainer, NULL, NULL), NTM_ERR_HANDLE);
}

static void test_wrong_kind_and_foreign(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 1);
    ntm_stream *stream = NULL;
    ntm_trainer *trainer = NULL;
    size_t in = 0;
    int local = 0;
    double *heap = malloc(64);

    CHECK_OK(ntm_stream_create(model, &stream));
    CHECK_OK(ntm_trainer_create(model, NULL, 1, 1, &trainer));

    /* A stream or trainer passed as a model, and so on. */
    CHECK_STATUS(ntm_model_shape((ntm_model *)stream, &in, NULL, NULL, NULL, NULL, NULL, NULL), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("is a stream handle, not a model handle");
    CHECK_STATUS(ntm_model_free((ntm_model *)trainer), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("trainer handle");
    CHECK_STATUS(ntm_stream_reset((ntm_stream *)model), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_stream_free((ntm_stream *)trainer), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_trainer_free((ntm_trainer *)stream), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_trainer_create((ntm_model *)stream, NULL, 1, 1, &trainer), NTM_ERR_HANDLE);
    /* The wrongly freed handles are all still alive. */
    CHECK_OK(ntm_model_shape(model, &in, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(ntm_stream_reset(stream));
    CHECK_OK(ntm_trainer_progress(trainer, NULL, NULL));

    /* Pointers the library never returned: never dereferenced. */
    CHECK_STATUS(ntm_model_shape((ntm_model *)&local, &in, NULL, NULL, NULL, NULL, NULL, NULL), NTM_ERR_HANDLE);
    CHECK_ERROR_MENTIONS("not a handle made by this library");
    CHECK_STATUS(ntm_model_free((ntm_model *)heap), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_stream_free((ntm_stream *)(uintptr_t)0x12), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_trainer_free((ntm_trainer *)(uintptr_t)0xdeadbeef0), NTM_ERR_HANDLE);
    CHECK_STATUS(ntm_stream_step((ntm_stream *)(uintptr_t)-1, NULL, 0, NULL, 0), NTM_ERR_HANDLE);
    free(heap);

    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_stream_free(stream));
    CHECK_OK(ntm_model_free(model));
}

static void test_outliving_the_model(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 3);
    ntm_stream *stream = NULL;
    ntm_trainer *trainer = NULL;
    float input[4] = {1, 0, 1, 0}, output[3], *gradient = NULL;
    size_t count = 0;
    double loss = 0;

    CHECK_OK(ntm_stream_create(model, &stream));
    CHECK_OK(ntm_trainer_create(model, NULL, 1, 1, &trainer));
    CHECK_OK(ntm_model_free(model));
    /* Both go on working on the freed model's weights. */
    CHECK_OK(ntm_stream_step(stream, input, 4, output, 3));
    CHECK_OK(ntm_trainer_train_task(trainer, "copy", "{\"width\": 3, \"max_length\": 2}", 2, &loss, NULL));
    CHECK_OK(ntm_trainer_gradient(trainer, &gradient, &count));
    CHECK_OK(ntm_stream_step(stream, input, 4, output, 3));
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_stream_step(stream, input, 4, output, 3));
    CHECK_OK(ntm_stream_free(stream));
}

void test_handles(void) {
    test_free();
    test_wrong_kind_and_foreign();
    test_outliving_the_model();
}
