/* Version, status names, the last error (per thread) and presets. */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

static void *fail_on_another_thread(void *arg) {
    ntm_model *model = NULL;
    (void)arg;
    /* A failing call here sets this thread's message only. */
    if (ntm_model_create("{\"input_size\": 1, \"output_size\": 1, \"memory_rows\": 0}", 1, &model) != NTM_ERR_CONFIG)
        return (void *)1;
    return strstr(ntm_last_error(), "memory_rows") != NULL ? NULL : (void *)2;
}

static void test_version(void) {
    const char *text = ntm_version_string();
    char expected[32];
    CHECK(ntm_version_number() == NTM_VERSION_NUMBER);
    snprintf(expected, sizeof expected, "%d.%d.%d", NTM_VERSION_MAJOR, NTM_VERSION_MINOR, NTM_VERSION_PATCH);
    CHECK(text != NULL && strcmp(text, expected) == 0);
}

static void test_status_names(void) {
    CHECK(strcmp(ntm_status_name(NTM_OK), "NTM_OK") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_NULL), "NTM_ERR_NULL") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_ARGUMENT), "NTM_ERR_ARGUMENT") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_HANDLE), "NTM_ERR_HANDLE") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_CONFIG), "NTM_ERR_CONFIG") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_IO), "NTM_ERR_IO") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_FORMAT), "NTM_ERR_FORMAT") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_NONFINITE), "NTM_ERR_NONFINITE") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_BUFFER_TOO_SMALL), "NTM_ERR_BUFFER_TOO_SMALL") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_DIVERGED), "NTM_ERR_DIVERGED") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_INTERNAL), "NTM_ERR_INTERNAL") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_BUSY), "NTM_ERR_BUSY") == 0);
    CHECK(strcmp(ntm_status_name(NTM_ERR_MEMORY), "NTM_ERR_MEMORY") == 0);
    CHECK(strcmp(ntm_status_name(-1), "NTM_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(ntm_status_name(12345), "NTM_UNKNOWN_STATUS") == 0);
}

static void test_last_error(void) {
    ntm_model *model = NULL;
    pthread_t thread;
    void *result = (void *)99;
    char saved[512];

    CHECK(ntm_last_error() != NULL);
    CHECK_STATUS(ntm_model_create(NULL, 1, &model), NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("ntm_model_create");
    CHECK_ERROR_MENTIONS("config_json is NULL");
    CHECK(model == NULL);
    snprintf(saved, sizeof saved, "%s", ntm_last_error());

    /* A success does not clear it. */
    CHECK(ntm_version_number() > 0);
    CHECK_OK(ntm_model_create(SMALL_CONFIG, 1, &model));
    CHECK(strcmp(ntm_last_error(), saved) == 0);
    CHECK_OK(ntm_model_free(model));

    /* Another thread's failure does not touch this thread's message. */
    CHECK(pthread_create(&thread, NULL, fail_on_another_thread, NULL) == 0);
    CHECK(pthread_join(thread, &result) == 0);
    CHECK(result == NULL);
    CHECK(strcmp(ntm_last_error(), saved) == 0);
}

static void test_presets(void) {
    size_t count = ntm_preset_count(), i, size = 0, batch = 0, small = 0;
    const char *task = NULL;
    char *json;
    ntm_model *model = NULL;
    int found_copy = 0;

    CHECK(count == 15);
    for (i = 0; i < count; i++) {
        const char *name = ntm_preset_name(i);
        if (!CHECK(name != NULL)) continue;
        CHECK(strchr(name, '/') != NULL);
        if (strcmp(name, "copy/ntm-lstm") == 0) found_copy = 1;
        CHECK_OK(ntm_preset_info(name, &task, &batch));
        CHECK(task != NULL && strncmp(name, task, strlen(task)) == 0 && batch >= 1);
        CHECK_OK(ntm_preset_model_json(name, NULL, 0, &size));
        CHECK(size > 2);
        CHECK_OK(ntm_preset_optimizer_json(name, NULL, 0, &size));
        CHECK(size > 2);
    }
    CHECK(found_copy);
    CHECK(ntm_preset_name(count) == NULL);
    CHECK(ntm_preset_name((size_t)-1) == NULL);

    /* info: either output may be NULL. */
    CHECK_OK(ntm_preset_info("copy/lstm", NULL, NULL));
    CHECK_OK(ntm_preset_info("copy/lstm", &task, NULL));
    CHECK(strcmp(task, "copy") == 0);
    CHECK_STATUS(ntm_preset_info(NULL, &task, &batch), NTM_ERR_NULL);
    CHECK_STATUS(ntm_preset_info("copy/gpt", &task, &batch), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("copy/ntm-lstm"); /* lists the valid names */

    /* The model JSON, two calls. */
    CHECK_OK(ntm_preset_model_json("copy/ntm-feedforward", NULL, 0, &size));
    json = malloc(size);
    CHECK_STATUS(ntm_preset_model_json("copy/ntm-feedforward", json, size - 1, &small), NTM_ERR_BUFFER_TOO_SMALL);
    CHECK(small == size);
    CHECK_OK(ntm_preset_model_json("copy/ntm-feedforward", json, size, &small));
    CHECK(small == size && strlen(json) + 1 == size);
    CHECK(strstr(json, "\"controller\":\"feedforward\"") != NULL);
    CHECK(strstr(json, "\"memory_rows\":128") != NULL);
    /* The JSON makes the same model as the preset. */
    CHECK_OK(ntm_model_create(json, 1, &model));
    CHECK_OK(ntm_model_free(model));
    free(json);
    CHECK_STATUS(ntm_preset_model_json("copy/ntm-feedforward", NULL, 0, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_preset_model_json(NULL, NULL, 0, &size), NTM_ERR_NULL);
    CHECK_STATUS(ntm_preset_model_json("nope", NULL, 0, &size), NTM_ERR_CONFIG);

    /* The optimiser JSON: the paper's RMSProp. */
    CHECK_OK(ntm_preset_optimizer_json("copy/ntm-lstm", NULL, 0, &size));
    json = malloc(size);
    CHECK_OK(ntm_preset_optimizer_json("copy/ntm-lstm", json, size, &size));
    CHECK(strstr(json, "\"kind\":\"rmsprop\"") != NULL);
    CHECK(strstr(json, "\"momentum\":0.9") != NULL);
    free(json);
    CHECK_STATUS(ntm_preset_optimizer_json("copy/ntm-lstm", NULL, 0, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_preset_optimizer_json("", NULL, 0, &size), NTM_ERR_CONFIG);

    /* A model from a preset. */
    CHECK_OK(ntm_model_create_preset("copy/ntm-lstm", 7, &model));
    CHECK_OK(ntm_model_free(model));
    model = NULL;
    CHECK_STATUS(ntm_model_create_preset("copy/transformer", 7, &model), NTM_ERR_CONFIG);
    CHECK(model == NULL);
    CHECK_STATUS(ntm_model_create_preset(NULL, 7, &model), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_create_preset("copy/ntm-lstm", 7, NULL), NTM_ERR_NULL);
}

/* The defaults, from the parser itself: what ntm_model_create fills in. */
static void test_default_config(void) {
    size_t size = 0, small = 0, in = 0, out = 0, rows = 0, width = 0, reads = 0, writes = 0;
    const char *prefix = "{\"kind\":\"ntm\",\"input_size\":null,\"output_size\":null,";
    char *json, *filled;
    ntm_model *model = NULL;

    CHECK_OK(ntm_model_default_config_json(NULL, NULL, 0, &size));
    json = malloc(size);
    CHECK_STATUS(ntm_model_default_config_json(NULL, json, size - 1, &small), NTM_ERR_BUFFER_TOO_SMALL);
    CHECK(small == size);
    CHECK_OK(ntm_model_default_config_json("ntm", json, size, &small));
    CHECK(small == size && strlen(json) + 1 == size);
    CHECK(strncmp(json, prefix, strlen(prefix)) == 0);
    CHECK(strstr(json, "\"controller\":\"lstm\"") != NULL);
    CHECK(strstr(json, "\"controller_layers\":[100]") != NULL);
    CHECK(strstr(json, "\"memory_rows\":128,\"memory_width\":20,\"shift_range\":1") != NULL);
    CHECK(strstr(json, "\"initial_weighting\":\"focused\"") != NULL);
    /* With the sizes filled in it is a valid config, and the model made from
     * it is the one an empty config makes. */
    filled = malloc(size + 16);
    snprintf(filled, size + 16, "{\"kind\":\"ntm\",\"input_size\":3,\"output_size\":2,%s", json + strlen(prefix));
    CHECK_OK(ntm_model_create(filled, 1, &model));
    CHECK_OK(ntm_model_shape(model, &in, &out, NULL, &rows, &width, &reads, &writes));
    CHECK(in == 3 && out == 2 && rows == 128 && width == 20 && reads == 1 && writes == 1);
    CHECK_OK(ntm_model_free(model));
    free(filled);
    CHECK_STATUS(ntm_model_create(json, 1, &model), NTM_ERR_CONFIG); /* the sizes are required */
    free(json);

    CHECK_OK(ntm_model_default_config_json("lstm", NULL, 0, &size));
    json = malloc(size);
    CHECK_OK(ntm_model_default_config_json("lstm", json, size, &size));
    CHECK(strstr(json, "\"kind\":\"lstm\"") != NULL);
    CHECK(strstr(json, "\"read_heads\":0,\"write_heads\":0,\"memory_rows\":0") != NULL);
    free(json);

    CHECK_STATUS(ntm_model_default_config_json("transformer", NULL, 0, &size), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("transformer");
    CHECK_STATUS(ntm_model_default_config_json(NULL, NULL, 0, NULL), NTM_ERR_NULL);
}

void test_basics(void) {
    test_version();
    test_default_config();
    test_status_names();
    test_last_error();
    test_presets();
}
