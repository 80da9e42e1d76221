/*
 * Inference step latency through the C API, with heap
 * allocations counted by an interposer on malloc and friends.
 *
 *   make lib
 *   cc -O2 -std=c11 -Iinclude benchmarks/bench_step.c -o build/bench_step \
 *      -Lbuild/lib -lntm -Wl,-rpath,$PWD/build/lib -ldl
 *   build/bench_step [--preset NAME]... [--steps N] [--repeats R] [--json FILE]
 *
 * For each preset (default copy/ntm-lstm, priority-sort/ntm-feedforward,
 * associative-recall/ntm-feedforward): a model from the preset (seed 1), one
 * stream, and 20 sequences of the preset's task from ntm_task_sample, stepped
 * through in turn (ntm_stream_reset between sequences). After two warm-up
 * passes, one pass of N steps counts heap allocations made inside
 * ntm_stream_step (and, apart, inside ntm_stream_reset); then R passes of N
 * steps, each step timed on its own with CLOCK_MONOTONIC; the median and
 * the 99th percentile of each pass, and the median over passes, are printed.
 *
 * The interposer (alloc_count.h) defines malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc, memalign, valloc and pvalloc in this
 * executable, so every call from libntm.so (its statically linked Swift
 * runtime included) lands here and is counted before being forwarded to
 * the C library with dlsym(RTLD_NEXT, ...).
 */
#define _GNU_SOURCE
#include "alloc_count.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntm.h"

static unsigned long long allocations(void) {
    return atomic_load_explicit(&ntm_count_allocations, memory_order_relaxed);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the whole process, so that run.py can tell whether the timed
 * loop had a core to itself (its CPU share, CPU over wall time). */
static uint64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void check(ntm_status status, const char *what) {
    if (status != NTM_OK) {
        fprintf(stderr, "bench_step: %s: %s: %s\n", what, ntm_status_name(status), ntm_last_error());
        exit(1);
    }
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *values, int n) {
    qsort(values, (size_t)n, sizeof *values, compare_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#define POOL 20

struct result {
    const char *preset;
    double median_us, p99_us;
    double step_allocations, reset_allocations;
    size_t steps;
    double wall_seconds, cpu_seconds;   /* summed over the timed passes */
};

static struct result bench(const char *preset, size_t steps, int repeats) {
    ntm_model *model;
    ntm_stream *stream;
    const char *task;
    size_t batch_size, x_size, y_size, max_length;
    /* The allocations of creating the model and the stream show that the
     * interposer sees the library's heap traffic (a zero below is real). */
    unsigned long long setup_start = allocations();
    check(ntm_model_create_preset(preset, 1, &model), "ntm_model_create_preset");
    check(ntm_preset_info(preset, &task, &batch_size), "ntm_preset_info");
    check(ntm_model_shape(model, &x_size, &y_size, NULL, NULL, NULL, NULL, NULL), "ntm_model_shape");
    check(ntm_task_shape(task, NULL, NULL, NULL, &max_length), "ntm_task_shape");
    check(ntm_stream_create(model, &stream), "ntm_stream_create");
    unsigned long long setup_allocs = allocations() - setup_start;

    float *inputs = malloc(POOL * max_length * x_size * sizeof(float));
    float *targets = malloc(POOL * max_length * y_size * sizeof(float));
    float *mask = malloc(POOL * max_length * sizeof(float));
    size_t lengths[POOL];
    float *output = malloc(y_size * sizeof(float));
    uint64_t *times = malloc(steps * sizeof *times);
    double *medians = malloc((size_t)repeats * sizeof *medians);
    double *p99s = malloc((size_t)repeats * sizeof *p99s);
    if (!inputs || !targets || !mask || !output || !times || !medians || !p99s) {
        fprintf(stderr, "bench_step: out of memory\n");
        exit(1);
    }
    check(ntm_task_sample(task, NULL, 7, POOL, max_length, inputs, targets, mask, lengths), "ntm_task_sample");

    unsigned long long step_allocs = 0, reset_allocs = 0;
    uint64_t timed_wall_ns = 0, timed_cpu_ns = 0;
    for (int pass = -3; pass < repeats; pass++) {
        /* passes -3 and -2: warm-up; -1: allocation count; 0…: timing */
        size_t sequence = 0, position = 0;
        check(ntm_stream_reset(stream), "ntm_stream_reset");
        uint64_t pass_wall = now_ns(), pass_cpu = cpu_ns();
        for (size_t i = 0; i < steps; i++) {
            if (position == lengths[sequence]) {
                unsigned long long a = allocations();
                ntm_stream_reset(stream);
                if (pass == -1) reset_allocs += allocations() - a;
                sequence = (sequence + 1) % POOL;
                position = 0;
            }
            const float *x = inputs + (sequence * max_length + position) * x_size;
            if (pass == -1) {
                unsigned long long a = allocations();
                check(ntm_stream_step(stream, x, x_size, output, y_size), "ntm_stream_step");
                step_allocs += allocations() - a;
            } else if (pass >= 0) {
                uint64_t t0 = now_ns();
                ntm_stream_step(stream, x, x_size, output, y_size);
                times[i] = now_ns() - t0;
            } else {
                ntm_stream_step(stream, x, x_size, output, y_size);
            }
            position++;
        }
        if (pass >= 0) {
            timed_cpu_ns += cpu_ns() - pass_cpu;
            timed_wall_ns += now_ns() - pass_wall;
            qsort(times, steps, sizeof *times, compare_u64);
            medians[pass] = (double)times[steps / 2] * 1e-3;
            p99s[pass] = (double)times[steps * 99 / 100 < steps ? steps * 99 / 100 : steps - 1] * 1e-3;
        }
    }
    struct result r = {preset, median_of(medians, repeats), median_of(p99s, repeats),
                       (double)step_allocs / (double)steps, (double)reset_allocs, steps,
                       (double)timed_wall_ns * 1e-9, (double)timed_cpu_ns * 1e-9};
    printf("%-36s step median %8.2f µs   p99 %8.2f µs   runs", preset, r.median_us, r.p99_us);
    for (int k = 0; k < repeats; k++) printf(" %.2f", medians[k]);
    printf("   CPU share %.0f %%", 100 * r.cpu_seconds / r.wall_seconds);
    printf("\n%-36s heap allocations: %.3f per step (%llu in %zu steps), %llu in all resets\n", "",
           r.step_allocations, step_allocs, steps, reset_allocs);
    printf("%-36s (interposer check: %llu allocations while creating the model and stream)\n", "", setup_allocs);
    ntm_stream_free(stream);
    ntm_model_free(model);
    free(inputs); free(targets); free(mask); free(output); free(times); free(medians); free(p99s);
    return r;
}

int main(int argc, char **argv) {
    const char *presets[16];
    int preset_count = 0;
    size_t steps = 20000;
    int repeats = 5;
    const char *json = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--preset") && i + 1 < argc && preset_count < 16) presets[preset_count++] = argv[++i];
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc) steps = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else {
            fprintf(stderr, "usage: bench_step [--preset NAME]... [--steps N] [--repeats R] [--json FILE]\n");
            return 2;
        }
    }
    if (steps < 100) steps = 100;
    if (repeats < 1) repeats = 1;
    if (preset_count == 0) {
        presets[preset_count++] = "copy/ntm-lstm";
        presets[preset_count++] = "priority-sort/ntm-feedforward";
        presets[preset_count++] = "associative-recall/ntm-feedforward";
        presets[preset_count++] = "copy/lstm";
    }
    printf("bench_step: libntm %s through the C API, %zu steps per run, %d runs (median)\n",
           ntm_version_string(), steps, repeats);
    struct result results[16];
    for (int k = 0; k < preset_count; k++) results[k] = bench(presets[k], steps, repeats);
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) { perror(json); return 1; }
        fprintf(f, "{\"steps\": %zu, \"repeats\": %d, \"configs\": [", steps, repeats);
        for (int k = 0; k < preset_count; k++) {
            fprintf(f, "%s\n {\"preset\": \"%s\", \"median_us\": %.4f, \"p99_us\": %.4f, "
                       "\"allocations_per_step\": %.6f, \"allocations_in_resets\": %.0f, "
                       "\"wall_seconds\": %.6f, \"cpu_seconds\": %.6f, \"cpu_share\": %.4f}",
                    k ? "," : "", results[k].preset, results[k].median_us, results[k].p99_us,
                    results[k].step_allocations, results[k].reset_allocations,
                    results[k].wall_seconds, results[k].cpu_seconds, results[k].cpu_seconds / results[k].wall_seconds);
        }
        fprintf(f, "]}\n");
        fclose(f);
    }
    return 0;
}
