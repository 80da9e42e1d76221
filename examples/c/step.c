/* Loads a model and runs it one input vector at a time through a stream,
 * printing each step's input and output.
 *
 *     step MODEL_PATH [LENGTH]
 *
 * For a copy-task model (inputs = outputs + 1) the input is a copy
 * sequence: LENGTH random bit vectors, the delimiter, then LENGTH blank
 * steps during which the model should echo the vectors. For any other
 * model the inputs are LENGTH random bit vectors. LENGTH defaults to 5.
 *
 * Build: cc step.c $(pkg-config --cflags --libs ntm) -o step */
#include <stdio.h>
#include <stdlib.h>

#include "ntm.h"

static void check(ntm_status status, const char *call) {
    if (status != NTM_OK) {
        fprintf(stderr, "step: %s failed: %s: %s\n", call, ntm_status_name(status), ntm_last_error());
        exit(1);
    }
}

int main(int argc, char **argv) {
    ntm_model *model = NULL;
    ntm_stream *stream = NULL;
    size_t in = 0, out = 0, length, steps, t, i, rows = 0, width = 0;
    float *input, *output, *sequence;
    unsigned long state = 12345;
    int copy;

    if (argc < 2) {
        fprintf(stderr, "usage: step MODEL_PATH [LENGTH]\n");
        return 2;
    }
    length = argc > 2 ? strtoul(argv[2], NULL, 10) : 5;
    if (length < 1 || length > 1000) length = 5;

    check(ntm_model_load(argv[1], &model), "ntm_model_load");
    check(ntm_model_shape(model, &in, &out, NULL, &rows, &width, NULL, NULL), "ntm_model_shape");
    copy = in == out + 1;
    steps = copy ? 2 * length + 1 : length;
    printf("%s: %zu inputs, %zu outputs, memory %zu x %zu; %zu steps\n", argv[1], in, out, rows, width, steps);

    input = calloc(in, sizeof *input);
    output = malloc(out * sizeof *output);
    sequence = malloc(length * in * sizeof *sequence);
    for (i = 0; i < length * in; i++) {
        state = state * 1103515245ul + 12345ul;
        sequence[i] = (state >> 16) & 1 ? 1.0f : 0.0f;
    }

    check(ntm_stream_create(model, &stream), "ntm_stream_create");
    for (t = 0; t < steps; t++) {
        for (i = 0; i < in; i++) input[i] = 0;
        if (!copy || t < length) {
            for (i = 0; i < (copy ? out : in); i++) input[i] = sequence[(t % length) * in + i];
        } else if (t == length) {
            input[in - 1] = 1; /* the delimiter */
        }
        check(ntm_stream_step(stream, input, in, output, out), "ntm_stream_step");
        printf("step %3zu  in ", t);
        for (i = 0; i < in; i++) putchar(input[i] > 0.5f ? '1' : '0');
        printf("  out ");
        for (i = 0; i < out; i++) printf("%.2f ", output[i]);
        if (copy && t > length) {
            size_t wrong = 0;
            for (i = 0; i < out; i++) wrong += (output[i] > 0.5f) != (sequence[(t - length - 1) * in + i] > 0.5f);
            printf(" (%zu bit errors)", wrong);
        }
        putchar('\n');
    }

    check(ntm_stream_free(stream), "ntm_stream_free");
    check(ntm_model_free(model), "ntm_model_free");
    free(input);
    free(output);
    free(sequence);
    return 0;
}
