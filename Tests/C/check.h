/* A tiny test harness for the C API tests: checks count as passed or
 * failed, failures print where and why, and main() prints
 * "N passed, 0 failed" as its last line. */
#ifndef NTM_TEST_CHECK_H
#define NTM_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "ntm.h"

extern int checks_passed;
extern int checks_failed;

/* A condition. */
#define CHECK(cond) check_condition((cond) != 0, #cond, __FILE__, __LINE__)

/* A call returning `expected`; on failure prints both names and the last error. */
#define CHECK_STATUS(call, expected) check_status((call), (expected), #call, __FILE__, __LINE__)

/* A call returning NTM_OK. */
#define CHECK_OK(call) CHECK_STATUS(call, NTM_OK)

/* The calling thread's last error mentions `text`. */
#define CHECK_ERROR_MENTIONS(text) check_mentions((text), __FILE__, __LINE__)

int check_condition(int ok, const char *what, const char *file, int line);
int check_status(ntm_status got, ntm_status expected, const char *call, const char *file, int line);
int check_mentions(const char *text, const char *file, int line);

/* Test groups, one per source file. */
void test_basics(void);
void test_models(void);
void test_files(void);
void test_streams(void);
void test_trainers(void);
void test_gradients(void);
void test_chunks(void);
void test_handles(void);
void test_tasks(void);

/* Shared helpers (test_main.c). */

/* A small NTM: 4 inputs, 3 outputs, feedforward controller [6], memory 6 x 4. */
extern const char *SMALL_CONFIG;
/* The same with an LSTM controller and learned initial memory. */
extern const char *SMALL_LSTM_CONFIG;

ntm_model *make_model(const char *config, unsigned long long seed);
/* Deterministic pseudo-random numbers for test data. */
double test_uniform(unsigned long long *state);
/* A padded batch for a model with the given sizes: inputs uniform in
 * [-1, 1], binary targets, a mask with some zero and some fractional steps. */
void fill_batch(unsigned long long seed, size_t batch, size_t max_length, size_t in, size_t out,
                float *inputs, float *targets, float *mask);
/* The model's parameters copied into a malloc'ed buffer. */
float *copy_parameters(ntm_model *model, size_t *count);
/* A path in the test's scratch directory (static buffer, one at a time per slot). */
const char *scratch_path(int slot, const char *name);

#endif
