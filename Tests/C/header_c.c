/* include/ntm.h must compile without a warning as C99:
 * gcc/clang -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only. */
#include "ntm.h"
#include "ntm.h" /* the include guard works */

/* The types are what the documentation says. */
static ntm_status (*const create)(const char *, uint64_t, ntm_model **) = ntm_model_create;
static ntm_status (*const step)(ntm_stream *, const float *, size_t, float *, size_t) = ntm_stream_step;

int main(void) {
    ntm_status status = NTM_OK;
    return (int)status + (create != 0) + (step != 0) - 2 + (NTM_VERSION_NUMBER > 0) - 1;
}
