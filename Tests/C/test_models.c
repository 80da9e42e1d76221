/* Models: creation from JSON, configs, shapes, parameters, evaluation. */
#include <math.h>
#include <stdlib.h>

#include "check.h"

/* A config that must be rejected with NTM_ERR_CONFIG, naming `field`. */
static void reject_config(const char *json, const char *field) {
    ntm_model *model = NULL;
    if (CHECK_STATUS(ntm_model_create(json, 1, &model), NTM_ERR_CONFIG)) CHECK_ERROR_MENTIONS(field);
    CHECK(model == NULL);
}

static void test_create(void) {
    ntm_model *a = NULL, *b = NULL;
    float *pa, *pb;
    size_t na = 0, nb = 0;

    /* Same config and seed: same weights; another seed: other weights. */
    CHECK_OK(ntm_model_create(SMALL_CONFIG, 5, &a));
    CHECK_OK(ntm_model_create(SMALL_CONFIG, 5, &b));
    CHECK(a != NULL && b != NULL && a != b);
    CHECK_OK(ntm_model_parameters(a, &pa, &na));
    CHECK_OK(ntm_model_parameters(b, &pb, &nb));
    CHECK(na == nb && na > 0 && memcmp(pa, pb, na * sizeof(float)) == 0);
    CHECK_OK(ntm_model_free(b));
    CHECK_OK(ntm_model_create(SMALL_CONFIG, 6, &b));
    CHECK_OK(ntm_model_parameters(b, &pb, &nb));
    CHECK(memcmp(pa, pb, na * sizeof(float)) != 0);
    CHECK_OK(ntm_model_free(a));
    CHECK_OK(ntm_model_free(b));

    /* Minimal configs take defaults; the LSTM baseline. */
    a = make_model("{\"input_size\": 2, \"output_size\": 2}", 1);
    CHECK_OK(ntm_model_free(a));
    a = make_model("{\"kind\": \"lstm\", \"input_size\": 2, \"output_size\": 2, \"controller_layers\": [8, 8]}", 1);
    CHECK_OK(ntm_model_free(a));
    a = make_model(SMALL_LSTM_CONFIG, 1);
    CHECK_OK(ntm_model_free(a));
    a = make_model("{\"input_size\": 2, \"output_size\": 2, \"memory_rows\": 8, \"initial_memory\": \"random\","
                   " \"initial_memory_value\": 0.5}", 1);
    CHECK_OK(ntm_model_free(a));

    /* Bad JSON and bad fields: NTM_ERR_CONFIG naming the field. */
    reject_config("", "not valid JSON");
    reject_config("{", "not valid JSON");
    reject_config("{\"input_size\": 2, \"output_size\": 2,}", "line 1");
    reject_config("[1, 2]", "must be a JSON object");
    reject_config("{\"output_size\": 2}", "input_size");
    reject_config("{\"input_size\": 2}", "output_size");
    reject_config("{\"input_size\": 0, \"output_size\": 2}", "input_size");
    reject_config("{\"input_size\": 2.5, \"output_size\": 2}", "input_size");
    reject_config("{\"input_size\": \"2\", \"output_size\": 2}", "input_size");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"reed_heads\": 1}", "reed_heads");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"read_heads\": 0}", "read_heads");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"write_heads\": 65}", "write_heads");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"memory_rows\": 2}", "shift_range");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"memory_rows\": 4, \"shift_range\": 2}", "shift_range");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"memory_width\": 0}", "memory_width");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"memory_rows\": 65536, \"memory_width\": 4096}",
                  "memory_width");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"controller_layers\": []}", "controller_layers");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"controller_layers\": [4, 0]}", "controller_layers[1]");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"controller\": \"rnn\"}", "controller");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"kind\": \"gru\"}", "kind");
    reject_config("{\"kind\": \"lstm\", \"input_size\": 2, \"output_size\": 2, \"read_heads\": 1}", "read_heads");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"initial_memory\": \"zero\"}", "initial_memory");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"add_activation\": \"relu\"}", "add_activation");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"initial_memory_value\": 1e999}", "JSON");
    /* Finite as a double, infinite as a Float: the forward pass gave NaN. */
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"initial_memory_value\": 1e300}",
                  "initial_memory_value");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"initial_memory_value\": -2e6}",
                  "initial_memory_value");
    reject_config("{\"input_size\": 2, \"output_size\": 2, \"input_size\": 3}", "duplicate");
    reject_config("{\"kind\": \"lstm\", \"input_size\": 65536, \"output_size\": 2, \"controller_layers\": [4096, 4096]}",
                  "parameters");

    CHECK_STATUS(ntm_model_create(NULL, 1, &a), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_create(SMALL_CONFIG, 1, NULL), NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("out_model");
}

static void test_config_and_shape(void) {
    ntm_model *model = make_model(SMALL_LSTM_CONFIG, 3), *again = NULL, *lstm;
    size_t size = 0, needed = 0, in = 0, out = 0, count = 0, rows = 0, width = 0, reads = 0, writes = 0;
    char small[8], *json;

    CHECK_OK(ntm_model_config_json(model, NULL, 0, &needed));
    CHECK(needed > 10);
    memset(small, 'x', sizeof small);
    CHECK_STATUS(ntm_model_config_json(model, small, sizeof small, &size), NTM_ERR_BUFFER_TOO_SMALL);
    CHECK(size == needed);
    CHECK(small[0] == 'x'); /* nothing written */
    CHECK_ERROR_MENTIONS("bytes");
    json = malloc(needed);
    CHECK_OK(ntm_model_config_json(model, json, needed, &size));
    CHECK(size == needed && json[needed - 1] == '\0' && strlen(json) == needed - 1);
    CHECK(strstr(json, "\"read_heads\":2") != NULL);
    CHECK(strstr(json, "\"initial_memory\":\"learned\"") != NULL);
    CHECK(strstr(json, "\"add_activation\":\"tanh\"") != NULL);
    /* The JSON round-trips. */
    CHECK_OK(ntm_model_create(json, 3, &again));
    {
        float *p1, *p2;
        size_t n1 = 0, n2 = 0;
        CHECK_OK(ntm_model_parameters(model, &p1, &n1));
        CHECK_OK(ntm_model_parameters(again, &p2, &n2));
        CHECK(n1 == n2 && memcmp(p1, p2, n1 * sizeof(float)) == 0);
    }
    CHECK_OK(ntm_model_free(again));
    free(json);
    CHECK_STATUS(ntm_model_config_json(model, NULL, 0, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_config_json(NULL, NULL, 0, &size), NTM_ERR_NULL);

    CHECK_OK(ntm_model_shape(model, &in, &out, &count, &rows, &width, &reads, &writes));
    CHECK(in == 4 && out == 3 && rows == 6 && width == 4 && reads == 2 && writes == 1 && count > 100);
    CHECK_OK(ntm_model_shape(model, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK_STATUS(ntm_model_shape(NULL, &in, NULL, NULL, NULL, NULL, NULL, NULL), NTM_ERR_NULL);

    lstm = make_model("{\"kind\": \"lstm\", \"input_size\": 3, \"output_size\": 2, \"controller_layers\": [4]}", 1);
    CHECK_OK(ntm_model_shape(lstm, &in, &out, &count, &rows, &width, &reads, &writes));
    /* One LSTM layer: kernel (3 + 4) x 16, bias 16, h0 4, c0 4; output (4 x 2) + 2. */
    CHECK(in == 3 && out == 2 && rows == 0 && width == 0 && reads == 0 && writes == 0);
    CHECK(count == 7 * 16 + 16 + 4 + 4 + 4 * 2 + 2);
    CHECK_OK(ntm_model_free(lstm));
    CHECK_OK(ntm_model_free(model));
}

static void test_parameters(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 1);
    float *p = NULL, *again = NULL, outputs1[3], outputs2[3], input[4] = {0.5f, -0.5f, 1, 0};
    size_t n = 0, m = 0;
    ntm_stream *stream = NULL;

    CHECK_OK(ntm_model_parameters(model, &p, &n));
    CHECK(p != NULL && n > 0);
    CHECK_OK(ntm_model_parameters(model, &again, &m));
    CHECK(again == p && m == n);
    CHECK_STATUS(ntm_model_parameters(model, NULL, &n), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_parameters(model, &p, NULL), NTM_ERR_NULL);

    /* Writes take effect at once. */
    CHECK_OK(ntm_stream_create(model, &stream));
    CHECK_OK(ntm_stream_step(stream, input, 4, outputs1, 3));
    p[n - 1] += 1.0f; /* some output-layer or initial-state parameter */
    {
        size_t i;
        for (i = 0; i < n; i++) p[i] *= 1.5f;
    }
    CHECK_OK(ntm_stream_reset(stream));
    CHECK_OK(ntm_stream_step(stream, input, 4, outputs2, 3));
    CHECK(memcmp(outputs1, outputs2, sizeof outputs1) != 0);
    CHECK_OK(ntm_stream_free(stream));
    CHECK_OK(ntm_model_free(model));
}

static void test_evaluate(void) {
    enum { B = 3, T = 5, IN = 4, OUT = 3 };
    ntm_model *model = make_model(SMALL_CONFIG, 2);
    float inputs[B * T * IN], targets[B * T * OUT], mask[B * T], outputs[B * T * OUT], reference[T * OUT];
    size_t lengths[B] = {5, 2, 4}, t, i;
    double loss = -1, errors = -1, loss_all = -1, errors_all = -1, single_loss = 0, single_errors = 0;
    ntm_stream *stream = NULL;
    int outputs_match = 1, padding_zero = 1;

    fill_batch(11, B, T, IN, OUT, inputs, targets, mask);
    memset(outputs, 0x55, sizeof outputs);
    CHECK_OK(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, outputs, &loss, &errors));
    CHECK(loss > 0 && isfinite(loss) && errors >= 0);

    /* The outputs are what a stream produces, zero past each length. */
    CHECK_OK(ntm_stream_create(model, &stream));
    for (i = 0; i < B; i++) {
        CHECK_OK(ntm_stream_reset(stream));
        for (t = 0; t < T; t++) {
            if (t < lengths[i]) {
                CHECK_OK(ntm_stream_step(stream, inputs + (i * T + t) * IN, IN, reference + t * OUT, OUT));
                if (memcmp(reference + t * OUT, outputs + (i * T + t) * OUT, OUT * sizeof(float)) != 0)
                    outputs_match = 0;
            } else if (outputs[(i * T + t) * OUT] != 0 || outputs[(i * T + t) * OUT + OUT - 1] != 0) {
                padding_zero = 0;
            }
        }
    }
    CHECK(outputs_match);
    CHECK(padding_zero);
    CHECK_OK(ntm_stream_free(stream));

    /* The batch mean is the mean of the sequences evaluated one by one. */
    for (i = 0; i < B; i++) {
        double l = 0, e = 0;
        CHECK_OK(ntm_model_evaluate(model, 1, T, inputs + i * T * IN, targets + i * T * OUT, mask + i * T,
                                    lengths + i, NULL, &l, &e));
        single_loss += l / B;
        single_errors += e / B;
    }
    CHECK(fabs(single_loss - loss) <= 1e-12 * loss);
    CHECK(fabs(single_errors - errors) <= 1e-12);

    /* lengths NULL: every sequence is max_length long; results may be NULL. */
    CHECK_OK(ntm_model_evaluate(model, B, T, inputs, targets, mask, NULL, NULL, &loss_all, &errors_all));
    CHECK(loss_all > 0 && loss_all != loss);
    CHECK_OK(ntm_model_evaluate(model, B, T, inputs, targets, mask, NULL, NULL, NULL, NULL));

    /* Bad arguments, each naming what is wrong; results untouched. */
    loss = -7;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, NULL, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_NULL);
    CHECK_ERROR_MENTIONS("inputs");
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, NULL, mask, lengths, NULL, &loss, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, NULL, lengths, NULL, &loss, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_evaluate(model, 0, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("batch");
    CHECK_STATUS(ntm_model_evaluate(model, B, 0, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("max_length");
    CHECK_STATUS(ntm_model_evaluate(model, B, (size_t)1 << 40, inputs, targets, mask, lengths, NULL, &loss, NULL),
                 NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_model_evaluate(model, (size_t)-1, T, inputs, targets, mask, lengths, NULL, &loss, NULL),
                 NTM_ERR_ARGUMENT);
    lengths[1] = 0;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("lengths[1] = 0");
    lengths[1] = T + 1;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("lengths[1]");
    lengths[1] = 2;
    inputs[(2 * T + 3) * IN + 1] = NAN;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("inputs[2][3][1]");
    inputs[(2 * T + 3) * IN + 1] = 0;
    /* A NaN past a sequence's length is never read. */
    inputs[(1 * T + 4) * IN] = NAN;
    CHECK_OK(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, NULL, NULL));
    inputs[(1 * T + 4) * IN] = 0;
    targets[(0 * T + 1) * OUT + 2] = INFINITY;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("targets[0][1][2]");
    targets[(0 * T + 1) * OUT + 2] = 1.5f;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("outside [0, 1]");
    targets[(0 * T + 1) * OUT + 2] = 1;
    mask[2 * T + 1] = -1;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("mask[2][1]");
    mask[2 * T + 1] = NAN;
    CHECK_STATUS(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_NONFINITE);
    mask[2 * T + 1] = 1;
    CHECK(loss == -7);
    CHECK_STATUS(ntm_model_evaluate(NULL, B, T, inputs, targets, mask, lengths, NULL, &loss, NULL), NTM_ERR_NULL);

    CHECK_OK(ntm_model_free(model));
}

void test_models(void) {
    test_create();
    test_config_and_shape();
    test_parameters();
    test_evaluate();
}
