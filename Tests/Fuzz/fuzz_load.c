/* Fuzz target: the model and trainer-checkpoint loaders
 * (ntm_model_load_from_buffer, ntm_trainer_load_from_buffer; the file
 * loaders read the file and share the same parser).
 *
 * Structure-aware: the first input byte picks how the rest becomes a file,
 * so most inputs get past the outer format and reach the inner checks:
 *   0  the rest is the file, as is;
 *   1  byte edits (4-byte offset, 1-byte xor) on a valid saved model,
 *      LSTM model or trainer checkpoint (the second byte picks which);
 *   2  the rest replaces the JSON header of one of those files, with its
 *      length prefix fixed up and the tensor data kept;
 *   3  the rest is appended to or cut from the end of one of those files;
 *   4  values written into the tensor data of one of those files (4-byte
 *      offset, then a float chosen as in fuzz_float: NaN, infinities,
 *      3.4e38, ...), with the file's CRC-32C checksum recomputed, so the
 *      edited values reach the checks behind the checksum.
 * Whatever loads must keep every promise of a loaded model: its config is
 * accepted by ntm_model_create, it steps to probabilities, and it saves to
 * bytes that load back to the same parameters bit for bit. */
#include "fuzz.h"

static const char *FEEDFORWARD =
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"feedforward\", \"controller_layers\": [6],"
    " \"memory_rows\": 6, \"memory_width\": 4}";
static const char *LSTM =
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"lstm\", \"controller_layers\": [5],"
    " \"memory_rows\": 6, \"memory_width\": 4, \"read_heads\": 2, \"initial_memory\": \"learned\","
    " \"add_activation\": \"tanh\"}";

/* The valid files the edits start from, made once. */
static uint8_t *valid[3];
static size_t valid_size[3];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    ntm_set_memory_limit(FUZZ_MEMORY_LIMIT);
    ntm_model *feedforward = NULL, *lstm = NULL;
    ntm_trainer *trainer = NULL;
    if (ntm_model_create(FEEDFORWARD, 1, &feedforward) != NTM_OK || ntm_model_create(LSTM, 2, &lstm) != NTM_OK
        || ntm_trainer_create(lstm, "{\"kind\": \"adam\"}", 1, 3, &trainer) != NTM_OK)
        fuzz_fail("cannot make the valid files", ntm_last_error());
    valid[0] = fuzz_model_bytes(feedforward, &valid_size[0]);
    valid[1] = fuzz_model_bytes(lstm, &valid_size[1]);
    valid[2] = fuzz_trainer_bytes(trainer, &valid_size[2]);
    ntm_trainer_free(trainer);
    ntm_model_free(lstm);
    ntm_model_free(feedforward);
    return 0;
}

/* A safetensors file: 8-byte little-endian header length, JSON header, data. */
static size_t header_length(const uint8_t *file) {
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n |= (uint64_t)file[i] << (8 * i);
    return (size_t)n;
}

/* CRC-32C (Castagnoli, reflected 0x82F63B78), as the file format uses. */
static uint32_t crc32c(const uint8_t *bytes, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= bytes[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return crc ^ 0xFFFFFFFFu;
}

/* Rewrites the header's "checksum":"xxxxxxxx" for the file's data section. */
static void fix_checksum(uint8_t *file, size_t size) {
    size_t header = header_length(file);
    if (header > size - 8) return;
    static const char key[] = "\"checksum\":\"";
    for (size_t i = 8; i + sizeof key - 1 + 8 <= 8 + header; i++) {
        if (memcmp(file + i, key, sizeof key - 1) == 0) {
            char digits[9];
            snprintf(digits, sizeof digits, "%08x", crc32c(file + 8 + header, size - 8 - header));
            memcpy(file + i + sizeof key - 1, digits, 8);
            return;
        }
    }
}

/* The file the input describes, malloc'ed. */
static uint8_t *make_file(fuzz_reader *r, size_t *size) {
    uint8_t mode = fuzz_u8(r) % 5;
    if (mode == 0) {
        *size = r->size - r->at;
        uint8_t *file = malloc(*size ? *size : 1);
        FUZZ_ASSERT(file != NULL);
        memcpy(file, r->data + r->at, *size);
        return file;
    }
    int which = fuzz_u8(r) % 3;
    const uint8_t *base = valid[which];
    size_t base_size = valid_size[which];
    uint8_t *file = NULL;
    if (mode == 1) {
        *size = base_size;
        file = malloc(*size);
        FUZZ_ASSERT(file != NULL);
        memcpy(file, base, *size);
        while (r->size - r->at >= 5) {
            uint32_t offset = fuzz_u32(r);
            file[offset % *size] ^= fuzz_u8(r);
        }
    } else if (mode == 2) {
        size_t old_header = header_length(base), data = base_size - 8 - old_header;
        size_t new_header = r->size - r->at;
        *size = 8 + new_header + data;
        file = malloc(*size);
        FUZZ_ASSERT(file != NULL);
        for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)new_header >> (8 * i));
        memcpy(file + 8, r->data + r->at, new_header);
        memcpy(file + 8 + new_header, base + 8 + old_header, data);
    } else if (mode == 4) {
        *size = base_size;
        file = malloc(*size);
        FUZZ_ASSERT(file != NULL);
        memcpy(file, base, *size);
        size_t data_start = 8 + header_length(base), floats = (base_size - data_start) / 4;
        while (r->size - r->at >= 5) {
            float value = 0;
            uint32_t index = fuzz_u32(r);
            value = fuzz_float(r);
            memcpy(file + data_start + 4 * (index % floats), &value, 4);
        }
        fix_checksum(file, *size);
    } else {
        /* The first byte after the choice: 0-127 cut that many bytes times
         * 16 from the end, 128-255 append the rest of the input. */
        uint8_t how = fuzz_u8(r);
        if (how < 128) {
            size_t cut = (size_t)how * 16 < base_size ? (size_t)how * 16 : base_size;
            *size = base_size - cut;
            file = malloc(*size ? *size : 1);
            FUZZ_ASSERT(file != NULL);
            memcpy(file, base, *size);
        } else {
            size_t extra = r->size - r->at;
            *size = base_size + extra;
            file = malloc(*size);
            FUZZ_ASSERT(file != NULL);
            memcpy(file, base, base_size);
            memcpy(file + base_size, r->data + r->at, extra);
        }
    }
    return file;
}

/* What a loaded model must satisfy. */
static void check_loaded_model(ntm_model *model) {
    size_t config_size = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_model_config_json(model, NULL, 0, &config_size)) == NTM_OK);
    char *config = malloc(config_size);
    FUZZ_ASSERT(config != NULL);
    FUZZ_ASSERT(FUZZ_CALL(ntm_model_config_json(model, config, config_size, &config_size)) == NTM_OK);
    ntm_model *again = NULL;
    if (FUZZ_CALL(ntm_model_create(config, 7, &again)) != NTM_OK && ntm_memory_limit() == FUZZ_MEMORY_LIMIT) {
        /* The same sizes were just allocated by the load, so only the
         * memory cap may refuse them (a load allocates less than a create
         * with its initialisation scratch, never more). */
        if (strstr(ntm_last_error(), "bytes") == NULL) fuzz_fail("a loaded model's config is refused", config);
    }
    ntm_model_free(again);
    free(config);

    fuzz_step_model(model);

    float *parameters = NULL;
    size_t count = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_model_parameters(model, &parameters, &count)) == NTM_OK);
    for (size_t i = 0; i < count; i++)
        if (!isfinite(parameters[i])) fuzz_fail("a loaded parameter is not finite", NULL);

    size_t size = 0;
    uint8_t *bytes = fuzz_model_bytes(model, &size);
    ntm_model *reloaded = NULL;
    if (FUZZ_CALL(ntm_model_load_from_buffer(bytes, size, &reloaded)) != NTM_OK)
        fuzz_fail("a saved model does not load", ntm_last_error());
    float *reloaded_parameters = NULL;
    size_t reloaded_count = 0;
    FUZZ_ASSERT(ntm_model_parameters(reloaded, &reloaded_parameters, &reloaded_count) == NTM_OK);
    if (reloaded_count != count || memcmp(parameters, reloaded_parameters, count * sizeof(float)) != 0)
        fuzz_fail("save and load changed the parameters", NULL);
    ntm_model_free(reloaded);
    free(bytes);
}

/* What a loaded trainer must satisfy: its state saves and loads back, and
 * an update from a zero gradient either works or is refused cleanly. */
static void check_loaded_trainer(ntm_trainer *trainer) {
    uint64_t updates = 0, sequences = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_trainer_progress(trainer, &updates, &sequences)) == NTM_OK);
    size_t optimizer_size = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_trainer_optimizer_json(trainer, NULL, 0, &optimizer_size)) == NTM_OK);

    size_t size = 0;
    uint8_t *bytes = fuzz_trainer_bytes(trainer, &size);
    ntm_model *model = NULL;
    ntm_trainer *reloaded = NULL;
    if (FUZZ_CALL(ntm_trainer_load_from_buffer(bytes, size, 1, &model, &reloaded)) != NTM_OK)
        fuzz_fail("a saved trainer does not load", ntm_last_error());
    uint64_t reloaded_updates = 0, reloaded_sequences = 0;
    FUZZ_ASSERT(ntm_trainer_progress(reloaded, &reloaded_updates, &reloaded_sequences) == NTM_OK);
    if (reloaded_updates != updates || reloaded_sequences != sequences)
        fuzz_fail("save and load changed the trainer's counters", NULL);
    ntm_trainer_free(reloaded);
    ntm_model_free(model);
    free(bytes);

    float *gradient = NULL;
    size_t count = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_trainer_gradient(trainer, &gradient, &count)) == NTM_OK);
    memset(gradient, 0, count * sizeof(float));
    ntm_status status = FUZZ_CALL(ntm_trainer_apply_gradient(trainer, NULL, 0));
    FUZZ_ASSERT(status == NTM_OK || status == NTM_ERR_DIVERGED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_reader reader = {data, size, 0};
    size_t file_size = 0;
    uint8_t *file = make_file(&reader, &file_size);

    ntm_model *model = NULL;
    if (FUZZ_CALL(ntm_model_load_from_buffer(file, file_size, &model)) == NTM_OK) {
        FUZZ_ASSERT(model != NULL);
        check_loaded_model(model);
        FUZZ_ASSERT(ntm_model_free(model) == NTM_OK);
    } else {
        FUZZ_ASSERT(model == NULL);
    }

    ntm_model *trainer_model = NULL;
    ntm_trainer *trainer = NULL;
    if (FUZZ_CALL(ntm_trainer_load_from_buffer(file, file_size, 1, &trainer_model, &trainer)) == NTM_OK) {
        check_loaded_model(trainer_model);
        check_loaded_trainer(trainer);
        FUZZ_ASSERT(ntm_trainer_free(trainer) == NTM_OK);
        FUZZ_ASSERT(ntm_model_free(trainer_model) == NTM_OK);
    } else {
        FUZZ_ASSERT(trainer_model == NULL && trainer == NULL);
    }
    free(file);
    return 0;
}
