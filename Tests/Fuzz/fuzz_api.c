/* Fuzz target: random sequences of C API calls over a few handle slots.
 *
 * Each operation is one input byte (which call) followed by the bytes it
 * needs (which handles, sizes, data). A handle argument is one of the
 * last few handles of its kind, live or freed (using or freeing a freed
 * one must be refused with NTM_ERR_HANDLE), NULL, or a pointer that was
 * never a handle. Sizes are drawn
 * around the right ones, so both the checks and the work behind them run;
 * data includes NaN, infinities and huge values. The library must answer
 * every call with a status and, on failure, a message, must never read or
 * write past the arrays a call describes, and must refuse every use of a
 * freed or foreign handle; a model it saved must load. */
#include "fuzz.h"

enum { SLOTS = 4, MAX_LENGTH = 6, MAX_BATCH = 3, MAX_STATE = 128 };

static const char *CONFIGS[] = {
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"feedforward\", \"controller_layers\": [6],"
    " \"memory_rows\": 6, \"memory_width\": 4}",
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"lstm\", \"controller_layers\": [5],"
    " \"memory_rows\": 6, \"memory_width\": 4, \"read_heads\": 2, \"initial_memory\": \"learned\"}",
    "{\"kind\": \"lstm\", \"input_size\": 4, \"output_size\": 3, \"controller_layers\": [4, 3]}",
    "{\"input_size\": 10, \"output_size\": 9, \"controller\": \"feedforward\", \"controller_layers\": [8],"
    " \"memory_rows\": 8, \"memory_width\": 5}",
};
static const char *OPTIMIZERS[] = {
    NULL, "{\"kind\": \"adam\"}", "{\"kind\": \"rmsprop\", \"learning_rate\": 1, \"clip_value\": 0}",
    "{\"kind\": \"adam\", \"learning_rate\": 1, \"clip_norm\": 3.4e38, \"epsilon\": 1e-30}",
};
static const char *TASK_OPTIONS[] = {NULL, "{\"max_length\": 3}", "{\"width\": 8, \"max_length\": 4}"};

/* A handle-sized object that is not a handle. */
static struct { uint64_t words[8]; } foreign;

/* Every handle an input created, in order; slots index into these lists,
 * so a freed handle stays reachable and is used again. All are freed at
 * the end of the input (those freed already are refused). */
enum { MAX_HANDLES = 256 };
typedef struct {
    void *models[MAX_HANDLES], *streams[MAX_HANDLES], *trainers[MAX_HANDLES];
    int model_count, stream_count, trainer_count;
} handles;

static int pick(fuzz_reader *r, int n) { return fuzz_u8(r) % n; }

/* One of the last SLOTS handles of a kind, or now and then NULL or the
 * foreign pointer. */
static void *handle(fuzz_reader *r, void *const *list, int count) {
    uint8_t b = fuzz_u8(r);
    if (b == 255 || count == 0) return NULL;
    if (b == 254) return &foreign;
    int back = b % SLOTS;
    return list[count - 1 - (back < count ? back : count - 1)];
}

#define MODEL(r) handle((r), h->models, h->model_count)
#define STREAM(r) handle((r), h->streams, h->stream_count)
#define TRAINER(r) handle((r), h->trainers, h->trainer_count)

/* A size near `right`: usually right, sometimes off by one, zero or huge. */
static size_t size_near(fuzz_reader *r, size_t right) {
    switch (fuzz_u8(r) % 8) {
    case 0: return right + 1;
    case 1: return right ? right - 1 : 0;
    case 2: return 0;
    case 3: return (size_t)1 << 40;
    default: return right;
    }
}

static float buffer_a[MAX_BATCH * MAX_LENGTH * 16], buffer_b[MAX_BATCH * MAX_LENGTH * 16];
static float mask[MAX_BATCH * MAX_LENGTH], outputs[MAX_BATCH * MAX_LENGTH * 16];
static size_t lengths[MAX_BATCH];
static float states[MAX_BATCH * MAX_STATE], state_gradients[MAX_BATCH * MAX_STATE];
static float final_states[MAX_BATCH * MAX_STATE], initial_state_gradients[MAX_BATCH * MAX_STATE];
static float input_gradients[MAX_BATCH * MAX_LENGTH * 16];

/* Fills n floats: ordinary values with now and then an edge value; targets
 * and masks mostly in range. */
static void fill(fuzz_reader *r, float *x, size_t n, int probabilities) {
    uint8_t style = fuzz_u8(r);
    for (size_t i = 0; i < n; i++) {
        if (style % 4 == 0) x[i] = fuzz_float(r);
        else x[i] = probabilities ? (float)((i * 7 + style) % 2) : (float)((int)((i * 5 + style) % 7) - 3) / 3.0f;
    }
}

static void put(void **list, int *count, void *handle) {
    if (*count == MAX_HANDLES) fuzz_fail("more handles than an input can make", NULL);
    list[(*count)++] = handle;
}

static void sizes_of(void *model, size_t *in, size_t *out, size_t *parameters, size_t *rows, size_t *width,
                     size_t *reads, size_t *writes) {
    *in = *out = *parameters = *rows = *width = *reads = *writes = 0;
    if (model) ntm_model_shape(model, in, out, parameters, rows, width, reads, writes);
}

static void run(fuzz_reader *r, handles *h) {
    size_t in, out, parameters, rows, width, reads, writes;
    int op = pick(r, 21);
    /* The sizes of the newest model: the arrays below are sized for it, and
     * large enough for any model here (inputs <= 10, outputs <= 9). */
    sizes_of(h->model_count ? h->models[h->model_count - 1] : NULL, &in, &out, &parameters, &rows, &width, &reads,
             &writes);
    switch (op) {
    case 0: { /* create a model */
        ntm_model *m = NULL;
        if (FUZZ_CALL(ntm_model_create(CONFIGS[pick(r, 4)], fuzz_u8(r), &m)) == NTM_OK)
            put(h->models, &h->model_count, m);
        break;
    }
    case 1: /* free a model: live, freed, foreign or NULL */
        FUZZ_CALL(ntm_model_free(MODEL(r)));
        break;
    case 2: { /* create a stream */
        ntm_stream *s = NULL;
        if (FUZZ_CALL(ntm_stream_create(MODEL(r), &s)) == NTM_OK) put(h->streams, &h->stream_count, s);
        break;
    }
    case 3:
        FUZZ_CALL(ntm_stream_free(STREAM(r)));
        break;
    case 4: { /* one step */
        ntm_stream *s = STREAM(r);
        /* A wrong count (e.g. 2^40) must be refused before anything is read
         * or written; the buffers hold 16 floats, more than any model here. */
        size_t n_in = size_near(r, in), n_out = size_near(r, out), steps = 0;
        fill(r, buffer_a, 16, 0);
        FUZZ_CALL(ntm_stream_step(s, buffer_a, n_in, outputs, n_out));
        FUZZ_CALL(ntm_stream_step_count(s, &steps));
        break;
    }
    case 5:
        FUZZ_CALL(ntm_stream_reset(STREAM(r)));
        break;
    case 6: { /* inspect a stream's state */
        ntm_stream *s = STREAM(r);
        size_t n = size_near(r, 48);
        if (n > MAX_BATCH * MAX_LENGTH * 16) n = MAX_BATCH * MAX_LENGTH * 16;
        FUZZ_CALL(ntm_stream_memory(s, buffer_b, n));
        FUZZ_CALL(ntm_stream_weighting(s, fuzz_u8(r) % 4, buffer_b, n > 8 ? 8 : n));
        FUZZ_CALL(ntm_stream_read_vectors(s, buffer_b, n));
        break;
    }
    case 7: { /* create a trainer */
        ntm_trainer *t = NULL;
        if (FUZZ_CALL(ntm_trainer_create(MODEL(r), OPTIMIZERS[pick(r, 4)], 1 + pick(r, 3), fuzz_u8(r), &t))
            == NTM_OK)
            put(h->trainers, &h->trainer_count, t);
        break;
    }
    case 8:
        FUZZ_CALL(ntm_trainer_free(TRAINER(r)));
        break;
    case 9:
    case 10:
    case 11: { /* evaluate, train or loss-and-gradient on a padded batch */
        size_t batch = 1 + (size_t)pick(r, MAX_BATCH), length = 1 + (size_t)pick(r, MAX_LENGTH);
        size_t width_in = in ? in : 4, width_out = out ? out : 3;
        if (width_in > 16 || width_out > 16) break;
        fill(r, buffer_a, batch * length * width_in, 0);
        fill(r, buffer_b, batch * length * width_out, 1);
        fill(r, mask, batch * length, 1);
        for (size_t k = 0; k < batch; k++) lengths[k] = 1 + (size_t)pick(r, (int)length + 1); /* may exceed */
        const size_t *l = fuzz_u8(r) % 2 ? lengths : NULL;
        double loss = 0, errors = 0;
        if (op == 9)
            FUZZ_CALL(ntm_model_evaluate(MODEL(r), batch, length, buffer_a, buffer_b, mask, l, outputs,
                                         &loss, &errors));
        else if (op == 10)
            FUZZ_CALL(ntm_trainer_train(TRAINER(r), batch, length, buffer_a, buffer_b, mask, l, &loss,
                                        &errors));
        else
            FUZZ_CALL(ntm_trainer_loss_and_gradient(TRAINER(r), batch, length, buffer_a, buffer_b, mask,
                                                    l, &loss, &errors));
        break;
    }
    case 12: { /* one update of a task's batch */
        double loss = 0;
        FUZZ_CALL(ntm_trainer_train_task(TRAINER(r), ntm_task_name(0), TASK_OPTIONS[pick(r, 3)],
                                         1 + (size_t)pick(r, 2), &loss, NULL));
        break;
    }
    case 13: { /* an update from a gradient the caller gives, or the trainer's own */
        ntm_trainer *t = TRAINER(r);
        float *own = NULL;
        size_t count = 0;
        if (FUZZ_CALL(ntm_trainer_gradient(t, &own, &count)) != NTM_OK) break;
        if (fuzz_u8(r) % 2) {
            fill(r, own, count < 64 ? count : 64, 0);
            FUZZ_CALL(ntm_trainer_apply_gradient(t, NULL, size_near(r, count) % 2 ? 0 : count));
        } else {
            float *g = calloc(count + 1, sizeof(float));
            FUZZ_ASSERT(g != NULL);
            fill(r, g, count < 64 ? count : 64, 0);
            FUZZ_CALL(ntm_trainer_apply_gradient(t, g, size_near(r, count) > count + 1 ? count + 1 : count));
            free(g);
        }
        break;
    }
    case 14: { /* backward from output gradients */
        size_t length = 1 + (size_t)pick(r, MAX_LENGTH);
        fill(r, buffer_a, length * 16, 0);
        fill(r, buffer_b, length * 16, 0);
        size_t huge = fuzz_u8(r) == 7 ? (size_t)1 << 40 : length;
        FUZZ_CALL(ntm_trainer_backward(TRAINER(r), huge, buffer_a, buffer_b, outputs, NULL));
        break;
    }
    case 15: { /* save and load through memory */
        size_t size = 0;
        ntm_model *m = MODEL(r);
        if (FUZZ_CALL(ntm_model_save_to_buffer(m, NULL, 0, &size)) != NTM_OK) break;
        uint8_t *bytes = malloc(size);
        FUZZ_ASSERT(bytes != NULL);
        size_t capacity = fuzz_u8(r) % 4 == 0 ? size / 2 : size;
        if (FUZZ_CALL(ntm_model_save_to_buffer(m, bytes, capacity, &size)) == NTM_OK) {
            ntm_model *loaded = NULL;
            if (FUZZ_CALL(ntm_model_load_from_buffer(bytes, size, &loaded)) != NTM_OK)
                fuzz_fail("a saved model does not load", ntm_last_error());
            put(h->models, &h->model_count, loaded);
        }
        free(bytes);
        break;
    }
    case 16: { /* save and load a trainer through memory */
        size_t size = 0;
        ntm_trainer *t = TRAINER(r);
        if (FUZZ_CALL(ntm_trainer_save_to_buffer(t, NULL, 0, &size)) != NTM_OK) break;
        uint8_t *bytes = malloc(size);
        FUZZ_ASSERT(bytes != NULL);
        if (FUZZ_CALL(ntm_trainer_save_to_buffer(t, bytes, size, &size)) == NTM_OK) {
            ntm_model *m = NULL;
            ntm_trainer *loaded = NULL;
            if (FUZZ_CALL(ntm_trainer_load_from_buffer(bytes, size, 1 + pick(r, 2), &m, &loaded)) != NTM_OK)
                fuzz_fail("a saved trainer does not load", ntm_last_error());
            put(h->models, &h->model_count, m);
            put(h->trainers, &h->trainer_count, loaded);
        }
        free(bytes);
        break;
    }
    case 17: { /* write through the parameter pointer, within the model's range */
        float *p = NULL;
        size_t count = 0;
        if (FUZZ_CALL(ntm_model_parameters(MODEL(r), &p, &count)) == NTM_OK && count > 0) {
            size_t at = fuzz_u32(r) % count;
            p[at] = fuzz_float(r);
        }
        break;
    }
    case 18: { /* read-only queries */
        size_t size = 0;
        uint64_t updates = 0, sequences = 0;
        FUZZ_CALL(ntm_model_config_json(MODEL(r), NULL, 0, &size));
        FUZZ_CALL(ntm_trainer_progress(TRAINER(r), &updates, &sequences));
        FUZZ_CALL(ntm_trainer_optimizer_json(TRAINER(r), NULL, 0, &size));
        FUZZ_CALL(ntm_model_shape(MODEL(r), &in, &out, &parameters, &rows, &width, &reads, &writes));
        break;
    }
    case 19: { /* a batch of chunks, forward or backward, with states in and out */
        size_t batch = 1 + (size_t)pick(r, MAX_BATCH), length = 1 + (size_t)pick(r, MAX_LENGTH);
        size_t state_size = 0, count = 0;
        ntm_model *m = MODEL(r);
        if (FUZZ_CALL(ntm_model_state_size(m, &state_size)) == NTM_OK) {
            FUZZ_ASSERT(state_size <= MAX_STATE);
            ntm_model_shape(m, NULL, NULL, &count, NULL, NULL, NULL, NULL);
        }
        fill(r, buffer_a, batch * length * 16, 0);
        fill(r, buffer_b, batch * length * 16, 0);
        fill(r, states, batch * MAX_STATE, 1); /* mostly 0 and 1: weightings that are valid */
        fill(r, state_gradients, batch * MAX_STATE, 0);
        if (fuzz_u8(r) % 2) FUZZ_CALL(ntm_model_initial_state(m, states, size_near(r, state_size)));
        const float *initial = fuzz_u8(r) % 2 ? states : NULL;
        bool logits = fuzz_u8(r) % 2;
        size_t huge = fuzz_u8(r) == 7 ? (size_t)1 << 40 : length;
        if (fuzz_u8(r) % 2) {
            FUZZ_CALL(ntm_model_forward(m, batch, huge, buffer_a, initial, logits, outputs, final_states));
        } else {
            float *g = calloc(count + 1, sizeof(float)); /* written only when the count is right */
            FUZZ_ASSERT(g != NULL);
            FUZZ_CALL(ntm_model_backward(m, batch, huge, buffer_a, initial, logits, buffer_b,
                                         fuzz_u8(r) % 2 ? state_gradients : NULL, outputs, final_states,
                                         input_gradients, initial_state_gradients, g, size_near(r, count)));
            free(g);
        }
        break;
    }
    default: { /* the memory limit, set low and restored */
        uint64_t previous = ntm_set_memory_limit(fuzz_u8(r) % 2 ? 4096 : 1 << 20);
        ntm_stream *s = NULL;
        if (FUZZ_CALL(ntm_stream_create(MODEL(r), &s)) == NTM_OK) put(h->streams, &h->stream_count, s);
        ntm_set_memory_limit(previous);
        break;
    }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    ntm_set_memory_limit(FUZZ_MEMORY_LIMIT);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_reader reader = {data, size, 0};
    handles h;
    memset(&h, 0, sizeof h);
    for (int ops = 0; ops < 64 && !fuzz_done(&reader); ops++) run(&reader, &h);
    /* Free everything once; frees of handles already freed are refused. */
    for (int i = 0; i < h.trainer_count; i++) ntm_trainer_free(h.trainers[i]);
    for (int i = 0; i < h.stream_count; i++) ntm_stream_free(h.streams[i]);
    for (int i = 0; i < h.model_count; i++) ntm_model_free(h.models[i]);
    return 0;
}
