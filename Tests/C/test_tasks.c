/* The task generators: names, shapes, sampling, bad options. */
#include <stdlib.h>

#include "check.h"

static void test_names(void) {
    size_t count = ntm_task_count(), i;
    CHECK(count == 5);
    for (i = 0; i < count; i++) {
        size_t in = 0, out = 0, length = 0;
        const char *name = ntm_task_name(i);
        if (!CHECK(name != NULL)) continue;
        CHECK_OK(ntm_task_shape(name, NULL, &in, &out, &length));
        CHECK(in >= 1 && out >= 1 && length >= 1);
    }
    CHECK(strcmp(ntm_task_name(0), "copy") == 0);
    CHECK(ntm_task_name(count) == NULL);
}

static void test_shape(void) {
    size_t in = 0, out = 0, length = 0;
    CHECK_OK(ntm_task_shape("copy", NULL, &in, &out, &length));
    CHECK(in == 9 && out == 8 && length == 41);
    CHECK_OK(ntm_task_shape("copy", "{\"width\": 3, \"max_length\": 4}", &in, &out, &length));
    CHECK(in == 4 && out == 3 && length == 9);
    CHECK_OK(ntm_task_shape("copy", "{}", NULL, NULL, NULL));
    CHECK_OK(ntm_task_shape("repeat-copy", "{\"width\": 4, \"max_length\": 3, \"max_repeats\": 2}", &in, &out, &length));
    CHECK_OK(ntm_task_shape("associative-recall", NULL, &in, &out, &length));
    CHECK_OK(ntm_task_shape("dynamic-ngrams", "{\"order\": 3, \"length\": 20}", &in, &out, &length));
    CHECK(in == 1 && out == 1 && length == 20);
    CHECK_OK(ntm_task_shape("priority-sort", "{\"input_count\": 5, \"output_count\": 3}", &in, &out, &length));

    /* Bad names and options. */
    in = 12345;
    CHECK_STATUS(ntm_task_shape(NULL, NULL, &in, &out, &length), NTM_ERR_NULL);
    CHECK_STATUS(ntm_task_shape("sort", NULL, &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("unknown task");
    CHECK(in == 12345);
    CHECK_STATUS(ntm_task_shape("copy", "{\"widht\": 3}", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("widht");
    CHECK_STATUS(ntm_task_shape("copy", "{\"width\": 0}", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("width");
    CHECK_STATUS(ntm_task_shape("copy", "{\"width\": 2.5}", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_task_shape("copy", "{\"width\": \"3\"}", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("must be a number");
    CHECK_STATUS(ntm_task_shape("copy", "{\"min_length\": 5, \"max_length\": 2}", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_task_shape("copy", "[1, 2]", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_task_shape("copy", "{\"width\": 3", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("not valid JSON");
    CHECK_STATUS(ntm_task_shape("copy", "", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_task_shape("dynamic-ngrams", "{\"order\": 40}", &in, &out, &length), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("order");
    CHECK_STATUS(ntm_task_shape("copy", "{\"max_length\": 100000, \"width\": 100000}", &in, &out, &length),
                 NTM_ERR_CONFIG);
    CHECK(in == 12345);
}

static void test_sample(void) {
    const char *options = "{\"width\": 3, \"min_length\": 1, \"max_length\": 4}";
    size_t in = 0, out = 0, max_length = 0, batch = 5, lengths[5], lengths2[5], i, t;
    float *inputs, *targets, *mask, *inputs2, *targets2, *mask2;
    int padding_zero = 1, mask_ok = 1;

    CHECK_OK(ntm_task_shape("copy", options, &in, &out, &max_length));
    max_length += 2; /* more than needed is fine */
    inputs = malloc(batch * max_length * in * sizeof(float));
    targets = malloc(batch * max_length * out * sizeof(float));
    mask = malloc(batch * max_length * sizeof(float));
    inputs2 = malloc(batch * max_length * in * sizeof(float));
    targets2 = malloc(batch * max_length * out * sizeof(float));
    mask2 = malloc(batch * max_length * sizeof(float));
    memset(inputs2, 0x7f, batch * max_length * in * sizeof(float));

    CHECK_OK(ntm_task_sample("copy", options, 42, batch, max_length, inputs, targets, mask, lengths));
    for (i = 0; i < batch; i++) {
        size_t copied = (lengths[i] - 1) / 2; /* copy: 2L + 1 steps, last L masked */
        CHECK(lengths[i] >= 3 && lengths[i] <= 9 && lengths[i] % 2 == 1);
        for (t = 0; t < max_length; t++) {
            float w = mask[i * max_length + t];
            if (t >= lengths[i]) {
                if (w != 0 || inputs[(i * max_length + t) * in] != 0 || targets[(i * max_length + t) * out] != 0)
                    padding_zero = 0;
            } else if ((t > copied) != (w == 1.0f)) {
                mask_ok = 0;
            }
        }
    }
    CHECK(padding_zero);
    CHECK(mask_ok);

    /* Same seed, same batch (padding included). */
    CHECK_OK(ntm_task_sample("copy", options, 42, batch, max_length, inputs2, targets2, mask2, lengths2));
    CHECK(memcmp(inputs, inputs2, batch * max_length * in * sizeof(float)) == 0);
    CHECK(memcmp(targets, targets2, batch * max_length * out * sizeof(float)) == 0);
    CHECK(memcmp(mask, mask2, batch * max_length * sizeof(float)) == 0);
    CHECK(memcmp(lengths, lengths2, sizeof lengths) == 0);
    /* Another seed, another batch. */
    CHECK_OK(ntm_task_sample("copy", options, 43, batch, max_length, inputs2, targets2, mask2, lengths2));
    CHECK(memcmp(inputs, inputs2, batch * max_length * in * sizeof(float)) != 0);

    /* Bad arguments. */
    CHECK_STATUS(ntm_task_sample("copy", options, 1, batch, max_length - 3, inputs, targets, mask, lengths),
                 NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("max_length");
    CHECK_STATUS(ntm_task_sample("copy", options, 1, 0, max_length, inputs, targets, mask, lengths), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("batch");
    CHECK_STATUS(ntm_task_sample("copy", options, 1, batch, max_length, NULL, targets, mask, lengths), NTM_ERR_NULL);
    CHECK_STATUS(ntm_task_sample("copy", options, 1, batch, max_length, inputs, NULL, mask, lengths), NTM_ERR_NULL);
    CHECK_STATUS(ntm_task_sample("copy", options, 1, batch, max_length, inputs, targets, NULL, lengths), NTM_ERR_NULL);
    CHECK_STATUS(ntm_task_sample("copy", options, 1, batch, max_length, inputs, targets, mask, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_task_sample("nope", options, 1, batch, max_length, inputs, targets, mask, lengths),
                 NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_task_sample(NULL, options, 1, batch, max_length, inputs, targets, mask, lengths), NTM_ERR_NULL);
    CHECK_STATUS(ntm_task_sample("copy", "{\"width\": -1}", 1, batch, max_length, inputs, targets, mask, lengths),
                 NTM_ERR_CONFIG);
    /* Failed calls wrote nothing. */
    CHECK_OK(ntm_task_sample("copy", options, 42, batch, max_length, inputs2, targets2, mask2, lengths2));
    CHECK(memcmp(inputs, inputs2, batch * max_length * in * sizeof(float)) == 0);

    /* Every task samples. */
    for (i = 0; i < ntm_task_count(); i++) {
        const char *name = ntm_task_name(i);
        const char *small = i == 0 ? "{\"max_length\": 3}"
                          : i == 1 ? "{\"max_length\": 3, \"max_repeats\": 2}"
                          : i == 2 ? "{\"max_items\": 3}"
                          : i == 3 ? "{\"length\": 12}"
                                   : "{\"input_count\": 4, \"output_count\": 3}";
        size_t n = 0, m = 0, steps = 0, got[2];
        float *x, *y, *w;
        CHECK_OK(ntm_task_shape(name, small, &n, &m, &steps));
        x = malloc(2 * steps * n * sizeof(float));
        y = malloc(2 * steps * m * sizeof(float));
        w = malloc(2 * steps * sizeof(float));
        CHECK_OK(ntm_task_sample(name, small, 7, 2, steps, x, y, w, got));
        CHECK(got[0] >= 1 && got[0] <= steps && got[1] >= 1 && got[1] <= steps);
        free(x);
        free(y);
        free(w);
    }

    free(inputs);
    free(targets);
    free(mask);
    free(inputs2);
    free(targets2);
    free(mask2);
}

void test_tasks(void) {
    test_names();
    test_shape();
    test_sample();
}
