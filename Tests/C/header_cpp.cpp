// include/ntm.h used from C++17 (g++ -std=c++17 -Wall -Wextra -Werror -pedantic):
// the declarations have C linkage, so this links against libntm.so and runs.
#include "ntm.h"

#include <cstdio>
#include <string>

int main() {
    ntm_model *model = nullptr;
    ntm_status status = ntm_model_create_preset("copy/ntm-lstm", 1, &model);
    if (status != NTM_OK) {
        std::printf("ntm_model_create_preset: %s: %s\n", ntm_status_name(status), ntm_last_error());
        return 1;
    }
    std::size_t inputs = 0, outputs = 0;
    if (ntm_model_shape(model, &inputs, &outputs, nullptr, nullptr, nullptr, nullptr, nullptr) != NTM_OK) return 1;
    std::string version = ntm_version_string();
    std::printf("C++: libntm %s, copy/ntm-lstm: %zu inputs, %zu outputs\n", version.c_str(), inputs, outputs);
    return ntm_model_free(model) == NTM_OK && inputs == 9 && outputs == 8 ? 0 : 1;
}
