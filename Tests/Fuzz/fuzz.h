/* Shared pieces of the libFuzzer targets (Tests/Fuzz/fuzz_*.c).
 *
 * A target aborts -- which libFuzzer reports as a crash and saves the
 * input -- when the library breaks a promise of include/ntm.h: a status
 * that is not a status, a failure without a message, an output that
 * cannot be, a round trip that does not give back what went in. Crashes,
 * hangs and memory errors inside the library are caught by libFuzzer and
 * AddressSanitizer themselves. */
#ifndef NTM_FUZZ_H
#define NTM_FUZZ_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntm.h"

/* Every fuzz target runs with this cap, far below the library's default
 * of 8 GiB and libFuzzer's 2 GiB RSS limit: a size that passes the cap
 * must then really be allocated, so the check itself is what is fuzzed. */
#define FUZZ_MEMORY_LIMIT ((uint64_t)64 << 20)

static inline void fuzz_fail(const char *what, const char *detail) {
    fprintf(stderr, "\nFUZZ FAILURE: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

#define FUZZ_ASSERT(cond) \
    do { if (!(cond)) fuzz_fail("assertion failed", #cond); } while (0)

/* A call's status must be one of ntm_status's values, and a failure must
 * come with a message (the header's promise for every failing call). */
static inline ntm_status fuzz_status(ntm_status status, const char *call) {
    if ((int)status < NTM_OK || (int)status > NTM_ERR_MEMORY) fuzz_fail("not a status", call);
    if (status == NTM_ERR_INTERNAL) fuzz_fail("NTM_ERR_INTERNAL", ntm_last_error());
    if (status != NTM_OK && ntm_last_error()[0] == '\0') fuzz_fail("failure without a message", call);
    return status;
}

#define FUZZ_CALL(call) fuzz_status((call), #call)

/* A byte reader over the fuzzer's input: reads past the end give zeros. */
typedef struct {
    const uint8_t *data;
    size_t size, at;
} fuzz_reader;

static inline uint8_t fuzz_u8(fuzz_reader *r) { return r->at < r->size ? r->data[r->at++] : 0; }

static inline uint32_t fuzz_u32(fuzz_reader *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)fuzz_u8(r) << (8 * i);
    return v;
}

static inline int fuzz_done(const fuzz_reader *r) { return r->at >= r->size; }

/* A float chosen by one byte: mostly ordinary values, sometimes the edges
 * (NaN, infinities, huge, tiny, negative zero). */
static inline float fuzz_float(fuzz_reader *r) {
    uint8_t b = fuzz_u8(r);
    switch (b) {
    case 250: return NAN;
    case 251: return INFINITY;
    case 252: return -INFINITY;
    case 253: return 3.4e38f;
    case 254: return 1e-40f;
    case 255: return -0.0f;
    default: return (float)b / 125.0f - 1.0f;
    }
}

/* The library's saved bytes of a model or trainer, malloc'ed. */
static inline uint8_t *fuzz_model_bytes(ntm_model *model, size_t *size) {
    if (FUZZ_CALL(ntm_model_save_to_buffer(model, NULL, 0, size)) != NTM_OK) fuzz_fail("cannot size a save", NULL);
    uint8_t *bytes = malloc(*size);
    FUZZ_ASSERT(bytes != NULL);
    if (FUZZ_CALL(ntm_model_save_to_buffer(model, bytes, *size, size)) != NTM_OK) fuzz_fail("cannot save", NULL);
    return bytes;
}

static inline uint8_t *fuzz_trainer_bytes(ntm_trainer *trainer, size_t *size) {
    if (FUZZ_CALL(ntm_trainer_save_to_buffer(trainer, NULL, 0, size)) != NTM_OK) fuzz_fail("cannot size a save", NULL);
    uint8_t *bytes = malloc(*size);
    FUZZ_ASSERT(bytes != NULL);
    if (FUZZ_CALL(ntm_trainer_save_to_buffer(trainer, bytes, *size, size)) != NTM_OK) fuzz_fail("cannot save", NULL);
    return bytes;
}

/* Steps a fresh stream over a model a few times with ordinary inputs: the
 * outputs of a model that loaded (so has finite weights) must be
 * probabilities. Skipped for models too large to step quickly. */
static inline void fuzz_step_model(ntm_model *model) {
    size_t in = 0, out = 0, parameters = 0, rows = 0, width = 0;
    FUZZ_ASSERT(FUZZ_CALL(ntm_model_shape(model, &in, &out, &parameters, &rows, &width, NULL, NULL)) == NTM_OK);
    if (in > 4096 || out > 4096 || parameters > 200000 || rows * width > 200000) return;
    ntm_stream *stream = NULL;
    if (FUZZ_CALL(ntm_stream_create(model, &stream)) != NTM_OK) return; /* e.g. NTM_ERR_MEMORY */
    float *input = calloc(in, sizeof(float)), *output = calloc(out, sizeof(float));
    FUZZ_ASSERT(input != NULL && output != NULL);
    for (int step = 0; step < 3; step++) {
        for (size_t i = 0; i < in; i++) input[i] = (float)((i + (size_t)step) % 2);
        FUZZ_ASSERT(FUZZ_CALL(ntm_stream_step(stream, input, in, output, out)) == NTM_OK);
        for (size_t i = 0; i < out; i++)
            if (!(output[i] >= 0.0f && output[i] <= 1.0f)) fuzz_fail("an output is not a probability", NULL);
    }
    free(input);
    free(output);
    FUZZ_ASSERT(ntm_stream_free(stream) == NTM_OK);
}

#endif
