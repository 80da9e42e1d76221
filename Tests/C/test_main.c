/* The C API test suite: every function's happy path and its bad inputs.
 * Built with -fsanitize=address,undefined against build/lib/libntm.so and
 * run by `make test` from build/ctest; the last line of output is
 * "N passed, 0 failed". */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "check.h"

int checks_passed = 0;
int checks_failed = 0;

int check_condition(int ok, const char *what, const char *file, int line) {
    if (ok) {
        checks_passed++;
    } else {
        checks_failed++;
        printf("FAILED %s:%d: %s\n", file, line, what);
    }
    return ok;
}

int check_status(ntm_status got, ntm_status expected, const char *call, const char *file, int line) {
    if (got == expected) {
        checks_passed++;
        return 1;
    }
    checks_failed++;
    printf("FAILED %s:%d: %s\n  returned %s, expected %s; last error: %s\n", file, line, call,
           ntm_status_name(got), ntm_status_name(expected), ntm_last_error());
    return 0;
}

int check_mentions(const char *text, const char *file, int line) {
    const char *message = ntm_last_error();
    if (strstr(message, text) != NULL) {
        checks_passed++;
        return 1;
    }
    checks_failed++;
    printf("FAILED %s:%d: last error does not mention \"%s\": %s\n", file, line, text, message);
    return 0;
}

const char *SMALL_CONFIG =
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"feedforward\", \"controller_layers\": [6],"
    " \"memory_rows\": 6, \"memory_width\": 4}";

const char *SMALL_LSTM_CONFIG =
    "{\"input_size\": 4, \"output_size\": 3, \"controller\": \"lstm\", \"controller_layers\": [5],"
    " \"memory_rows\": 6, \"memory_width\": 4, \"read_heads\": 2, \"initial_memory\": \"learned\","
    " \"add_activation\": \"tanh\"}";

ntm_model *make_model(const char *config, unsigned long long seed) {
    ntm_model *model = NULL;
    if (!CHECK_OK(ntm_model_create(config, seed, &model))) return NULL;
    return model;
}

double test_uniform(unsigned long long *state) {
    /* splitmix64 */
    unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

void fill_batch(unsigned long long seed, size_t batch, size_t max_length, size_t in, size_t out,
                float *inputs, float *targets, float *mask) {
    unsigned long long state = seed;
    size_t i;
    for (i = 0; i < batch * max_length * in; i++) inputs[i] = (float)(2 * test_uniform(&state) - 1);
    for (i = 0; i < batch * max_length * out; i++) targets[i] = test_uniform(&state) < 0.5 ? 0.0f : 1.0f;
    for (i = 0; i < batch * max_length; i++) mask[i] = i % 3 == 0 ? 0.0f : (i % 3 == 1 ? 1.0f : 0.5f);
}

float *copy_parameters(ntm_model *model, size_t *count) {
    float *parameters = NULL;
    float *copy;
    *count = 0;
    if (!CHECK_OK(ntm_model_parameters(model, &parameters, count))) return NULL;
    copy = malloc(*count * sizeof(float));
    memcpy(copy, parameters, *count * sizeof(float));
    return copy;
}

const char *scratch_path(int slot, const char *name) {
    static char paths[4][256];
    snprintf(paths[slot], sizeof paths[slot], "scratch/%s", name);
    return paths[slot];
}

int main(void) {
    mkdir("scratch", 0777);
    test_basics();
    test_tasks();
    test_models();
    test_files();
    test_streams();
    test_handles();
    test_trainers();
    test_gradients();
    test_chunks();
    printf("%d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
