/* Trainers: creation, updates from batches, tasks and gradients, divergence,
 * save and resume, determinism across thread counts. */
#include <math.h>
#include <stdlib.h>

#include "check.h"

static const char *COPY3 = "{\"width\": 3, \"min_length\": 1, \"max_length\": 3}";

static void test_create(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 1);
    ntm_trainer *trainer = NULL;
    size_t size = 0;
    char *json;

    CHECK_OK(ntm_trainer_create(model, NULL, 1, 0, &trainer));
    CHECK_OK(ntm_trainer_optimizer_json(trainer, NULL, 0, &size));
    json = malloc(size);
    CHECK_STATUS(ntm_trainer_optimizer_json(trainer, json, 3, &size), NTM_ERR_BUFFER_TOO_SMALL);
    CHECK_OK(ntm_trainer_optimizer_json(trainer, json, size, &size));
    CHECK(strstr(json, "\"kind\":\"rmsprop\"") != NULL && strstr(json, "\"learning_rate\":0.0001") != NULL);
    free(json);
    CHECK_STATUS(ntm_trainer_optimizer_json(trainer, NULL, 0, NULL), NTM_ERR_NULL);
    CHECK_OK(ntm_trainer_free(trainer));

    CHECK_OK(ntm_trainer_create(model, "{\"kind\": \"adam\", \"learning_rate\": 0.01, \"clip_norm\": 5}", 2, 0, &trainer));
    CHECK_OK(ntm_trainer_optimizer_json(trainer, NULL, 0, &size));
    json = malloc(size);
    CHECK_OK(ntm_trainer_optimizer_json(trainer, json, size, &size));
    CHECK(strstr(json, "\"kind\":\"adam\"") != NULL && strstr(json, "\"clip_norm\":5") != NULL);
    free(json);
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_trainer_create(model, "{\"optimizer\": \"adam\"}", 1, 0, &trainer));
    CHECK_OK(ntm_trainer_free(trainer));

    /* Bad optimiser configs name the field. */
    trainer = NULL;
    CHECK_STATUS(ntm_trainer_create(model, "{\"learning_rate\": -1}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("learning_rate");
    /* Finite as doubles, but values no Float training survives (NaN outputs before they were refused). */
    CHECK_STATUS(ntm_trainer_create(model, "{\"learning_rate\": 1e30}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("learning_rate");
    CHECK_STATUS(ntm_trainer_create(model, "{\"epsilon\": 1e-300}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("epsilon");
    CHECK_STATUS(ntm_trainer_create(model, "{\"clip_value\": 1e300}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("clip_value");
    CHECK_STATUS(ntm_trainer_create(model, "{\"clip_norm\": 1e39}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("clip_norm");
    CHECK(trainer == NULL);
    CHECK_OK(ntm_trainer_create(model, "{\"learning_rate\": 1, \"epsilon\": 1e-30, \"clip_value\": 3e38}", 1, 0,
                                &trainer));
    CHECK_OK(ntm_trainer_free(trainer));
    trainer = NULL;
    CHECK_STATUS(ntm_trainer_create(model, "{\"momentum\": 1}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("momentum");
    CHECK_STATUS(ntm_trainer_create(model, "{\"kind\": \"sgd\"}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("kind");
    CHECK_STATUS(ntm_trainer_create(model, "{\"lr\": 0.1}", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("lr");
    CHECK_STATUS(ntm_trainer_create(model, "{\"kind\": \"adam\", \"optimizer\": \"adam\"}", 1, 0, &trainer),
                 NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_trainer_create(model, "{\"decay\": 0.9", 1, 0, &trainer), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("JSON");
    CHECK_STATUS(ntm_trainer_create(model, NULL, 0, 0, &trainer), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("threads");
    CHECK_STATUS(ntm_trainer_create(model, NULL, 1000, 0, &trainer), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_trainer_create(model, NULL, 1, 0, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_trainer_create(NULL, NULL, 1, 0, &trainer), NTM_ERR_NULL);
    CHECK(trainer == NULL);
    CHECK_OK(ntm_model_free(model));
}

/* Training on one fixed batch lowers its loss. */
static void test_train_batch(void) {
    enum { B = 4, T = 7, IN = 4, OUT = 3 };
    ntm_model *model = make_model(SMALL_CONFIG, 2);
    ntm_trainer *trainer = NULL;
    float inputs[B * T * IN], targets[B * T * OUT], mask[B * T], *before, *p;
    size_t lengths[B], n = 0, i;
    double first = 0, loss = 0, errors = -1, evaluated = 0;
    uint64_t updates = 0, sequences = 0;

    CHECK_OK(ntm_task_sample("copy", COPY3, 5, B, T, inputs, targets, mask, lengths));
    CHECK_OK(ntm_trainer_create(model, "{\"kind\": \"adam\", \"learning_rate\": 0.01}", 2, 0, &trainer));
    CHECK_OK(ntm_model_evaluate(model, B, T, inputs, targets, mask, lengths, NULL, &evaluated, NULL));
    before = copy_parameters(model, &n);
    CHECK_OK(ntm_trainer_train(trainer, B, T, inputs, targets, mask, lengths, &first, &errors));
    CHECK(first == evaluated); /* the loss reported is the loss before the update */
    CHECK(errors >= 0);
    CHECK_OK(ntm_model_parameters(model, &p, &n));
    CHECK(memcmp(before, p, n * sizeof(float)) != 0);
    for (i = 0; i < 60; i++) CHECK_OK(ntm_trainer_train(trainer, B, T, inputs, targets, mask, lengths, &loss, NULL));
    CHECK(loss < 0.7 * first);
    CHECK_OK(ntm_trainer_progress(trainer, &updates, &sequences));
    CHECK(updates == 61 && sequences == 61 * B);
    CHECK_OK(ntm_trainer_progress(trainer, NULL, &sequences));

    /* Bad batches change nothing. */
    memcpy(before, p, n * sizeof(float));
    lengths[3] = 0;
    CHECK_STATUS(ntm_trainer_train(trainer, B, T, inputs, targets, mask, lengths, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("lengths[3]");
    lengths[3] = 3;
    inputs[5] = NAN;
    CHECK_STATUS(ntm_trainer_train(trainer, B, T, inputs, targets, mask, lengths, &loss, NULL), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("inputs[0][1][1]");
    inputs[5] = 0;
    CHECK_STATUS(ntm_trainer_train(trainer, B, T, NULL, targets, mask, lengths, &loss, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_trainer_train(trainer, 0, T, inputs, targets, mask, lengths, &loss, NULL), NTM_ERR_ARGUMENT);
    CHECK_STATUS(ntm_trainer_train(NULL, B, T, inputs, targets, mask, lengths, &loss, NULL), NTM_ERR_NULL);
    CHECK(memcmp(before, p, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(trainer, &updates, NULL));
    CHECK(updates == 61);

    free(before);
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_model_free(model));
}

static void test_train_task(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 3), *other = NULL;
    ntm_trainer *trainer = NULL, *mismatched = NULL;
    double loss = -1, errors = -1;
    uint64_t sequences = 0;
    float *before, *p;
    size_t n = 0;

    CHECK_OK(ntm_trainer_create(model, NULL, 1, 9, &trainer));
    CHECK_OK(ntm_trainer_train_task(trainer, "copy", COPY3, 3, &loss, &errors));
    CHECK(loss > 0 && errors >= 0);
    CHECK_OK(ntm_trainer_train_task(trainer, "copy", COPY3, 1, NULL, NULL));
    CHECK_OK(ntm_trainer_progress(trainer, NULL, &sequences));
    CHECK(sequences == 4);

    before = copy_parameters(model, &n);
    CHECK_OK(ntm_model_parameters(model, &p, &n));
    CHECK_STATUS(ntm_trainer_train_task(trainer, "copy", NULL, 1, NULL, NULL), NTM_ERR_ARGUMENT); /* width 8 */
    CHECK_ERROR_MENTIONS("inputs");
    CHECK_STATUS(ntm_trainer_train_task(trainer, "copy", COPY3, 0, NULL, NULL), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("batch_size");
    CHECK_STATUS(ntm_trainer_train_task(trainer, "kopy", COPY3, 1, NULL, NULL), NTM_ERR_CONFIG);
    CHECK_STATUS(ntm_trainer_train_task(trainer, "copy", "{\"max_lenght\": 3}", 1, NULL, NULL), NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("max_lenght");
    CHECK_STATUS(ntm_trainer_train_task(trainer, NULL, COPY3, 1, NULL, NULL), NTM_ERR_NULL);
    CHECK(memcmp(before, p, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(trainer, NULL, &sequences));
    CHECK(sequences == 4);
    free(before);

    /* Another task for a matching model. */
    other = make_model("{\"input_size\": 1, \"output_size\": 1, \"controller\": \"feedforward\","
                       " \"controller_layers\": [4], \"memory_rows\": 4, \"memory_width\": 3}", 1);
    CHECK_OK(ntm_trainer_create(other, NULL, 1, 1, &mismatched));
    CHECK_OK(ntm_trainer_train_task(mismatched, "dynamic-ngrams", "{\"order\": 3, \"length\": 10}", 2, &loss, NULL));
    CHECK_OK(ntm_trainer_free(mismatched));
    CHECK_OK(ntm_model_free(other));

    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_model_free(model));
}

/* The gradient entry points: loss and gradient without an update, the
 * gradient buffer, updates from it and from a caller's gradient. */
static void test_gradient_updates(void) {
    enum { B = 2, T = 5, IN = 4, OUT = 3 };
    ntm_model *a = make_model(SMALL_CONFIG, 4), *b = make_model(SMALL_CONFIG, 4);
    ntm_trainer *ta = NULL, *tb = NULL;
    float inputs[B * T * IN], targets[B * T * OUT], mask[B * T], *ga = NULL, *gb = NULL, *pa, *pb, *before, *copy;
    size_t lengths[B] = {5, 3}, n = 0, m = 0, count = 0;
    double loss_a = 0, loss_b = 0, errors = 0, evaluated = 0;
    uint64_t updates = 0;

    fill_batch(3, B, T, IN, OUT, inputs, targets, mask);
    CHECK_OK(ntm_trainer_create(a, NULL, 1, 0, &ta));
    CHECK_OK(ntm_trainer_create(b, NULL, 2, 0, &tb));
    CHECK_OK(ntm_trainer_gradient(ta, &ga, &count));
    CHECK_OK(ntm_model_parameters(a, &pa, &n));
    CHECK(ga != NULL && count == n);
    CHECK_STATUS(ntm_trainer_gradient(ta, NULL, &count), NTM_ERR_NULL);
    CHECK_STATUS(ntm_trainer_gradient(ta, &ga, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_trainer_gradient(NULL, &ga, &count), NTM_ERR_NULL);

    /* loss_and_gradient: no update; the loss is the evaluated loss. */
    before = copy_parameters(a, &n);
    CHECK_OK(ntm_trainer_loss_and_gradient(ta, B, T, inputs, targets, mask, lengths, &loss_a, &errors));
    CHECK_OK(ntm_model_evaluate(a, B, T, inputs, targets, mask, lengths, NULL, &evaluated, NULL));
    CHECK(loss_a == evaluated);
    CHECK(memcmp(before, pa, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(ta, &updates, NULL));
    CHECK(updates == 0);
    CHECK_STATUS(ntm_trainer_loss_and_gradient(ta, B, T, inputs, targets, NULL, lengths, NULL, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_trainer_loss_and_gradient(ta, B, 0, inputs, targets, mask, lengths, NULL, NULL),
                 NTM_ERR_ARGUMENT);

    /* train == loss_and_gradient + apply_gradient(NULL), bit for bit, and
     * two threads give what one gives. */
    CHECK_OK(ntm_trainer_apply_gradient(ta, NULL, 0));
    CHECK_OK(ntm_trainer_train(tb, B, T, inputs, targets, mask, lengths, &loss_b, NULL));
    CHECK_OK(ntm_model_parameters(b, &pb, &m));
    CHECK(loss_a == loss_b);
    CHECK(memcmp(pa, pb, n * sizeof(float)) == 0);

    /* A caller's gradient: the same update as the trainer's own buffer. */
    CHECK_OK(ntm_trainer_loss_and_gradient(ta, B, T, inputs, targets, mask, lengths, NULL, NULL));
    copy = malloc(n * sizeof(float));
    memcpy(copy, ga, n * sizeof(float));
    CHECK_OK(ntm_trainer_gradient(tb, &gb, &count));
    memset(gb, 0, n * sizeof(float));
    CHECK_OK(ntm_trainer_apply_gradient(ta, NULL, n));
    CHECK_OK(ntm_trainer_apply_gradient(tb, copy, n));
    CHECK(memcmp(pa, pb, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(tb, &updates, NULL));
    CHECK(updates == 2);

    /* Bad gradients: nothing changes. */
    memcpy(before, pb, n * sizeof(float));
    CHECK_STATUS(ntm_trainer_apply_gradient(tb, copy, n - 1), NTM_ERR_ARGUMENT);
    CHECK_ERROR_MENTIONS("parameter count");
    CHECK_STATUS(ntm_trainer_apply_gradient(tb, NULL, 7), NTM_ERR_ARGUMENT);
    copy[n / 2] = NAN;
    CHECK_STATUS(ntm_trainer_apply_gradient(tb, copy, n), NTM_ERR_NONFINITE);
    CHECK_ERROR_MENTIONS("gradient[");
    copy[n / 2] = INFINITY;
    CHECK_STATUS(ntm_trainer_apply_gradient(tb, copy, n), NTM_ERR_NONFINITE);
    /* A non-finite gradient in the trainer's own buffer: diverged. */
    gb[1] = NAN;
    CHECK_STATUS(ntm_trainer_apply_gradient(tb, NULL, 0), NTM_ERR_DIVERGED);
    CHECK_ERROR_MENTIONS("gradient is non-finite");
    CHECK(memcmp(before, pb, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(tb, &updates, NULL));
    CHECK(updates == 2);
    CHECK_STATUS(ntm_trainer_apply_gradient(NULL, NULL, 0), NTM_ERR_NULL);

    free(copy);
    free(before);
    CHECK_OK(ntm_trainer_free(ta));
    CHECK_OK(ntm_trainer_free(tb));
    CHECK_OK(ntm_model_free(a));
    CHECK_OK(ntm_model_free(b));
}

/* An update that would make the parameters or the optimiser state
 * non-finite is refused and undone; a rate that could only do that is
 * refused up front. */
static void test_divergence(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 5);
    ntm_trainer *trainer = NULL;
    float *before, *huge, *p, *gradient;
    size_t n = 0, i;
    uint64_t updates = 9;
    double loss = 0;

    CHECK_STATUS(ntm_trainer_create(model, "{\"kind\": \"adam\", \"learning_rate\": 1e300}", 1, 0, &trainer),
                 NTM_ERR_CONFIG);
    CHECK_ERROR_MENTIONS("learning_rate");
    CHECK(trainer == NULL);

    /* RMSProp squares the gradient in Float: 3e38 overflows its state. */
    CHECK_OK(ntm_trainer_create(model, "{\"kind\": \"rmsprop\", \"learning_rate\": 1, \"clip_value\": 0}", 1, 0,
                                &trainer));
    before = copy_parameters(model, &n);
    CHECK_OK(ntm_model_parameters(model, &p, &n));
    gradient = malloc(n * sizeof(float));
    for (i = 0; i < n; i++) gradient[i] = 3e38f;
    CHECK_STATUS(ntm_trainer_apply_gradient(trainer, gradient, n), NTM_ERR_DIVERGED);
    CHECK_ERROR_MENTIONS("non-finite");
    CHECK(memcmp(before, p, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(trainer, &updates, NULL));
    CHECK(updates == 0);

    /* Weights of 1e30 give a non-finite loss: refused, nothing changed. */
    for (i = 0; i < n; i++) p[i] = 1e30f;
    huge = copy_parameters(model, &n);
    CHECK_STATUS(ntm_trainer_train_task(trainer, "copy", COPY3, 1, &loss, NULL), NTM_ERR_DIVERGED);
    CHECK_ERROR_MENTIONS("non-finite");
    CHECK(memcmp(huge, p, n * sizeof(float)) == 0);
    CHECK_OK(ntm_trainer_progress(trainer, &updates, NULL));
    CHECK(updates == 0);
    free(gradient);
    free(before);
    free(huge);
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_model_free(model));
}

/* Train 2k steps straight, or k steps, save, load, k steps: the same bits. */
static void test_resume(void) {
    enum { K = 4 };
    const char *path = scratch_path(0, "trainer.safetensors");
    ntm_model *straight = make_model(SMALL_LSTM_CONFIG, 6), *first = make_model(SMALL_LSTM_CONFIG, 6);
    ntm_model *resumed = NULL, *from_buffer = NULL;
    ntm_trainer *ts = NULL, *tf = NULL, *tr = NULL, *tbuf = NULL;
    float *ps, *pr, *pbuf;
    size_t n = 0, m = 0, size = 0, small = 0;
    uint64_t updates = 0, sequences = 0;
    unsigned char *bytes;
    int i;
    const char *optimizer = "{\"kind\": \"rmsprop\", \"learning_rate\": 0.001, \"clip_norm\": 1}";

    CHECK_OK(ntm_trainer_create(straight, optimizer, 1, 77, &ts));
    CHECK_OK(ntm_trainer_create(first, optimizer, 2, 77, &tf));
    for (i = 0; i < 2 * K; i++) CHECK_OK(ntm_trainer_train_task(ts, "copy", COPY3, 2, NULL, NULL));
    for (i = 0; i < K; i++) CHECK_OK(ntm_trainer_train_task(tf, "copy", COPY3, 2, NULL, NULL));

    CHECK_OK(ntm_trainer_save(tf, path));
    CHECK_OK(ntm_trainer_save_to_buffer(tf, NULL, 0, &size));
    bytes = malloc(size);
    CHECK_STATUS(ntm_trainer_save_to_buffer(tf, bytes, size / 2, &small), NTM_ERR_BUFFER_TOO_SMALL);
    CHECK(small == size);
    CHECK_OK(ntm_trainer_save_to_buffer(tf, bytes, size, &size));
    CHECK_OK(ntm_trainer_free(tf));
    CHECK_OK(ntm_model_free(first));

    CHECK_OK(ntm_trainer_load(path, 2, &resumed, &tr));
    CHECK_OK(ntm_trainer_load_from_buffer(bytes, size, 1, &from_buffer, &tbuf));
    CHECK_OK(ntm_trainer_progress(tr, &updates, &sequences));
    CHECK(updates == K && sequences == 2 * K);
    for (i = 0; i < K; i++) {
        CHECK_OK(ntm_trainer_train_task(tr, "copy", COPY3, 2, NULL, NULL));
        CHECK_OK(ntm_trainer_train_task(tbuf, "copy", COPY3, 2, NULL, NULL));
    }
    CHECK_OK(ntm_model_parameters(straight, &ps, &n));
    CHECK_OK(ntm_model_parameters(resumed, &pr, &m));
    CHECK(n == m && memcmp(ps, pr, n * sizeof(float)) == 0);
    CHECK_OK(ntm_model_parameters(from_buffer, &pbuf, &m));
    CHECK(n == m && memcmp(ps, pbuf, n * sizeof(float)) == 0);
    /* A trainer file is also a model file. */
    {
        ntm_model *model_only = NULL;
        float *p;
        CHECK_OK(ntm_trainer_save(tr, path));
        CHECK_OK(ntm_model_load(path, &model_only));
        CHECK_OK(ntm_model_parameters(model_only, &p, &m));
        CHECK(memcmp(ps, p, n * sizeof(float)) == 0);
        CHECK_OK(ntm_model_free(model_only));
    }

    /* Bad arguments and damaged trainer files. */
    {
        ntm_model *m2 = NULL;
        ntm_trainer *t2 = NULL;
        CHECK_STATUS(ntm_trainer_save(tr, NULL), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_save(NULL, path), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_save(tr, "scratch/missing/dir/t.safetensors"), NTM_ERR_IO);
        CHECK_STATUS(ntm_trainer_save_to_buffer(tr, NULL, 0, NULL), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_load(NULL, 1, &m2, &t2), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_load(path, 1, NULL, &t2), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_load(path, 1, &m2, NULL), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_load(path, 0, &m2, &t2), NTM_ERR_ARGUMENT);
        CHECK_STATUS(ntm_trainer_load("scratch/none.safetensors", 1, &m2, &t2), NTM_ERR_IO);
        CHECK_STATUS(ntm_trainer_load_from_buffer(bytes, size - 10, 1, &m2, &t2), NTM_ERR_FORMAT);
        bytes[size - 20] ^= 1; /* inside the optimiser state or the generator state */
        CHECK_STATUS(ntm_trainer_load_from_buffer(bytes, size, 1, &m2, &t2), NTM_ERR_FORMAT);
        CHECK_ERROR_MENTIONS("checksum");
        CHECK_STATUS(ntm_trainer_load_from_buffer(NULL, size, 1, &m2, &t2), NTM_ERR_NULL);
        CHECK_STATUS(ntm_trainer_load_from_buffer(bytes, size, 300, &m2, &t2), NTM_ERR_ARGUMENT);
        CHECK_STATUS(ntm_trainer_load_from_buffer(bytes, size, 1, NULL, &t2), NTM_ERR_NULL);
        CHECK(m2 == NULL && t2 == NULL);
    }

    free(bytes);
    CHECK_OK(ntm_trainer_free(ts));
    CHECK_OK(ntm_trainer_free(tr));
    CHECK_OK(ntm_trainer_free(tbuf));
    CHECK_OK(ntm_model_free(straight));
    CHECK_OK(ntm_model_free(resumed));
    CHECK_OK(ntm_model_free(from_buffer));
}

/* `bytes` with the checkpoint metadata value of `key` replaced by `value`:
 * a new buffer of *out_size bytes (the header re-measured, padded with
 * spaces to a multiple of 8), or NULL if the key is not there. */
static unsigned char *with_metadata(const unsigned char *bytes, size_t size, const char *key,
                                    const char *value, size_t *out_size) {
    size_t header_length = 0, i, new_length, prefix, old_value_length;
    const char *header, *at, *start, *end;
    char *text;
    unsigned char *out;
    char pattern[64];
    for (i = 0; i < 8; i++) header_length |= (size_t)bytes[i] << (8 * i);
    text = malloc(header_length + 1);
    memcpy(text, bytes + 8, header_length);
    text[header_length] = 0;
    header = text;
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    at = strstr(header, pattern);
    if (!at) { free(text); return NULL; }
    start = strchr(at + strlen(pattern), '"');      /* the value's opening quote */
    end = start ? strchr(start + 1, '"') : NULL;    /* and its closing one */
    if (!end) { free(text); return NULL; }
    prefix = (size_t)(start + 1 - header);
    old_value_length = (size_t)(end - start - 1);
    new_length = header_length - old_value_length + strlen(value);
    while (new_length % 8 != 0) new_length++;
    *out_size = 8 + new_length + (size - 8 - header_length);
    out = malloc(*out_size);
    for (i = 0; i < 8; i++) out[i] = (unsigned char)(new_length >> (8 * i));
    memcpy(out + 8, header, prefix);
    memcpy(out + 8 + prefix, value, strlen(value));
    memcpy(out + 8 + prefix + strlen(value), end, header_length - (size_t)(end - header));
    memset(out + 8 + prefix + strlen(value) + header_length - (size_t)(end - header), ' ',
           new_length - (header_length - old_value_length + strlen(value)));
    memcpy(out + 8 + new_length, bytes + 8 + header_length, size - 8 - header_length);
    free(text);
    return out;
}

/* Counters read from a checkpoint are range-checked: a file claiming
 * INT64_MAX updates or sequences used to load and then overflow (and kill
 * the process) on the next update. The limit, 2^53, still loads and trains. */
static void test_checkpoint_counters(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 3), *loaded = NULL;
    ntm_trainer *trainer = NULL, *resumed = NULL;
    size_t size = 0, edited_size = 0;
    unsigned char *bytes, *edited;
    uint64_t updates = 0, sequences = 0;
    const char *keys[] = {"optimizer_steps", "sequences_seen"};
    const char *too_big[] = {"9223372036854775807", "9007199254740993", "99999999999999999999999"};
    int k, v;

    CHECK_OK(ntm_trainer_create(model, "{\"kind\": \"adam\", \"learning_rate\": 0.001}", 1, 5, &trainer));
    CHECK_OK(ntm_trainer_train_task(trainer, "copy", COPY3, 2, NULL, NULL));
    CHECK_OK(ntm_trainer_save_to_buffer(trainer, NULL, 0, &size));
    bytes = malloc(size);
    CHECK_OK(ntm_trainer_save_to_buffer(trainer, bytes, size, &size));

    for (k = 0; k < 2; k++) {
        for (v = 0; v < 3; v++) {
            edited = with_metadata(bytes, size, keys[k], too_big[v], &edited_size);
            if (!CHECK(edited != NULL)) continue;
            if (CHECK_STATUS(ntm_trainer_load_from_buffer(edited, edited_size, 1, &loaded, &resumed),
                             NTM_ERR_FORMAT))
                CHECK_ERROR_MENTIONS(keys[k]);
            CHECK(loaded == NULL && resumed == NULL);
            free(edited);
        }
        /* At the limit it loads, and training on from it works. */
        edited = with_metadata(bytes, size, keys[k], "9007199254740992", &edited_size);
        if (!CHECK(edited != NULL)) continue;
        if (CHECK_OK(ntm_trainer_load_from_buffer(edited, edited_size, 1, &loaded, &resumed))) {
            CHECK_OK(ntm_trainer_train_task(resumed, "copy", COPY3, 2, NULL, NULL));
            CHECK_OK(ntm_trainer_progress(resumed, &updates, &sequences));
            CHECK(k == 0 ? updates == 9007199254740993ull : sequences == 9007199254740994ull);
            CHECK_OK(ntm_trainer_free(resumed));
            CHECK_OK(ntm_model_free(loaded));
        }
        loaded = NULL;
        resumed = NULL;
        free(edited);
    }
    free(bytes);
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_model_free(model));
}

/* Sizes the header accepts but the machine cannot hold are refused up
 * front with NTM_ERR_MEMORY (they used to end the process in the
 * allocator), leaving everything usable; the limit can be set. */
static void test_memory_limit(void) {
    const char *copy_config = "{\"input_size\": 9, \"output_size\": 8, \"controller_layers\": [100], "
                              "\"memory_rows\": 128, \"memory_width\": 20}";
    ntm_model *model = make_model(copy_config, 1), *wide = NULL;
    ntm_trainer *trainer = NULL, *other = NULL;
    enum { LONG = 1 << 20 };
    float *inputs = calloc((size_t)LONG * 9, sizeof(float)), *grads = calloc((size_t)LONG * 8, sizeof(float));
    float *targets = calloc((size_t)LONG * 8, sizeof(float)), *mask = calloc(LONG, sizeof(float));
    uint64_t updates = 0;

    CHECK(ntm_memory_limit() == 8ull << 30);
    CHECK_OK(ntm_trainer_create(model, "{\"kind\": \"adam\"}", 2, 1, &trainer));
    /* Backpropagation through 2^20 steps of the copy model: about 20 GB. */
    if (CHECK_STATUS(ntm_trainer_backward(trainer, LONG, inputs, grads, NULL, NULL), NTM_ERR_MEMORY))
        CHECK_ERROR_MENTIONS("backpropagating through 1048576 steps needs");
    /* A task batch of 65536 sequences of up to 200,001 steps. */
    if (CHECK_STATUS(ntm_trainer_train_task(trainer, "copy", "{\"max_length\": 100000}", 65536, NULL, NULL),
                     NTM_ERR_MEMORY))
        CHECK_ERROR_MENTIONS("memory limit of 8589934592 bytes");
    /* Evaluating one sequence of 2^20 steps on a 65536 x 256 memory. */
    wide = make_model("{\"input_size\": 9, \"output_size\": 8, \"memory_rows\": 65536, \"memory_width\": 256}", 1);
    if (wide) {
        if (CHECK_STATUS(ntm_model_evaluate(wide, 1, LONG, inputs, targets, mask, NULL, NULL, NULL, NULL),
                         NTM_ERR_MEMORY))
            CHECK_ERROR_MENTIONS("evaluating 1 sequences of up to 1048576 steps needs");
        CHECK_OK(ntm_model_free(wide));
    }
    /* Nothing was done: the trainer still trains. */
    CHECK_OK(ntm_trainer_progress(trainer, &updates, NULL));
    CHECK(updates == 0);
    CHECK_OK(ntm_trainer_train_task(trainer, "copy", NULL, 2, NULL, NULL));

    /* A lower limit refuses a trainer (gradient, Adam state, undo copy). */
    CHECK(ntm_set_memory_limit(100000) == 8ull << 30);
    CHECK(ntm_memory_limit() == 100000);
    if (CHECK_STATUS(ntm_trainer_create(model, "{\"kind\": \"adam\"}", 1, 1, &other), NTM_ERR_MEMORY))
        CHECK_ERROR_MENTIONS("a trainer needs");
    CHECK(other == NULL);
    CHECK(ntm_set_memory_limit(0) == 100000); /* 0: back to the default */
    CHECK(ntm_memory_limit() == 8ull << 30);
    CHECK_OK(ntm_trainer_create(model, "{\"kind\": \"adam\"}", 1, 1, &other));

    free(inputs);
    free(grads);
    free(targets);
    free(mask);
    CHECK_OK(ntm_trainer_free(other));
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_model_free(model));
}

void test_trainers(void) {
    test_create();
    test_train_batch();
    test_train_task();
    test_gradient_updates();
    test_divergence();
    test_resume();
    test_checkpoint_counters();
    test_memory_limit();
}
