/* The train-save-load-step cycle, for `valgrind --leak-check=full`: every
 * handle kind made and freed, files and buffers written and read, errors
 * raised (their messages live in thread-specific storage), a second thread
 * that fails a call and exits (its message must be freed). Exits 0 when
 * every call returned what it should.
 *
 * Usage: cycle DIRECTORY */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntm.h"

static int failures = 0;

static void expect(ntm_status got, ntm_status expected, const char *what) {
    if (got != expected) {
        printf("cycle: %s returned %s, expected %s: %s\n", what, ntm_status_name(got), ntm_status_name(expected),
               ntm_last_error());
        failures++;
    }
}

/* The threads of this process, from /proc/self/task (0 if unknown). */
static int thread_count(void) {
    DIR *tasks = opendir("/proc/self/task");
    struct dirent *entry;
    int count = 0;
    if (!tasks) return 0;
    while ((entry = readdir(tasks)) != NULL)
        if (entry->d_name[0] != '.') count++;
    closedir(tasks);
    return count;
}

static void *failing_thread(void *arg) {
    ntm_model *model = NULL;
    (void)arg;
    expect(ntm_model_create("{\"input_size\": 0}", 1, &model), NTM_ERR_CONFIG, "create on a thread");
    return NULL;
}

int main(int argc, char **argv) {
    const char *options = "{\"width\": 3, \"min_length\": 1, \"max_length\": 3}";
    char path[1024], trainer_path[1024];
    ntm_model *model = NULL, *loaded = NULL, *resumed_model = NULL;
    ntm_trainer *trainer = NULL, *resumed = NULL;
    ntm_stream *stream = NULL;
    float input[4] = {1, 0, 1, 0}, output[3], memory[8 * 4], *gradient = NULL;
    size_t size = 0, count = 0, i;
    unsigned char *bytes;
    double loss = 0;
    pthread_t thread;

    if (argc != 2) {
        fprintf(stderr, "usage: cycle DIRECTORY\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/cycle-model.safetensors", argv[1]);
    snprintf(trainer_path, sizeof trainer_path, "%s/cycle-trainer.safetensors", argv[1]);

    /* Train. */
    expect(ntm_model_create("{\"input_size\": 4, \"output_size\": 3, \"controller_layers\": [8],"
                            " \"memory_rows\": 8, \"memory_width\": 4}", 1, &model), NTM_OK, "create");
    expect(ntm_trainer_create(model, "{\"kind\": \"adam\", \"learning_rate\": 0.01}", 2, 1, &trainer), NTM_OK,
           "trainer");
    for (i = 0; i < 5; i++) expect(ntm_trainer_train_task(trainer, "copy", options, 2, &loss, NULL), NTM_OK, "train");
    expect(ntm_trainer_gradient(trainer, &gradient, &count), NTM_OK, "gradient");
    expect(ntm_trainer_apply_gradient(trainer, gradient, count), NTM_OK, "apply");

    /* Save: files and buffers. */
    expect(ntm_model_save(model, path), NTM_OK, "save");
    expect(ntm_trainer_save(trainer, trainer_path), NTM_OK, "save trainer");
    expect(ntm_model_save_to_buffer(model, NULL, 0, &size), NTM_OK, "size");
    bytes = malloc(size);
    expect(ntm_model_save_to_buffer(model, bytes, size, &size), NTM_OK, "save to buffer");

    /* Errors along the way. */
    expect(ntm_model_load_from_buffer(bytes, size / 2, &loaded), NTM_ERR_FORMAT, "truncated");
    expect(ntm_stream_step(stream, input, 4, output, 3), NTM_ERR_NULL, "NULL stream");
    expect(ntm_model_create("{", 1, &loaded), NTM_ERR_CONFIG, "bad JSON");
    pthread_create(&thread, NULL, failing_thread, NULL);
    pthread_join(thread, NULL);

    /* Load and step. */
    expect(ntm_model_load_from_buffer(bytes, size, &loaded), NTM_OK, "load from buffer");
    free(bytes);
    expect(ntm_model_free(loaded), NTM_OK, "free");
    expect(ntm_model_load(path, &loaded), NTM_OK, "load");
    expect(ntm_stream_create(loaded, &stream), NTM_OK, "stream");
    for (i = 0; i < 6; i++) expect(ntm_stream_step(stream, input, 4, output, 3), NTM_OK, "step");
    expect(ntm_stream_memory(stream, memory, 8 * 4), NTM_OK, "memory");
    expect(ntm_model_free(loaded), NTM_OK, "free model before its stream");
    expect(ntm_stream_step(stream, input, 4, output, 3), NTM_OK, "step after the model's free");
    expect(ntm_stream_free(stream), NTM_OK, "free stream");
    expect(ntm_stream_free(stream), NTM_ERR_HANDLE, "double free");

    /* Resume training and backpropagate a caller's gradient. */
    expect(ntm_trainer_load(trainer_path, 1, &resumed_model, &resumed), NTM_OK, "load trainer");
    expect(ntm_trainer_train_task(resumed, "copy", options, 1, &loss, NULL), NTM_OK, "train resumed");
    {
        float inputs[2 * 4] = {1, 0, 0, 0, 0, 0, 0, 1}, dy[2 * 3] = {1, -1, 0, 0, 1, 1}, dx[2 * 4];
        expect(ntm_trainer_backward(resumed, 2, inputs, dy, NULL, dx), NTM_OK, "backward");
    }

    expect(ntm_trainer_free(resumed), NTM_OK, "free trainer");
    expect(ntm_model_free(resumed_model), NTM_OK, "free model");
    expect(ntm_trainer_free(trainer), NTM_OK, "free trainer");
    expect(ntm_model_free(model), NTM_OK, "free model");
    /* Freeing the trainers joined their worker threads. */
    if (thread_count() > 1) {
        printf("cycle: %d threads are still running after every handle was freed\n", thread_count());
        failures++;
    }
    printf("cycle: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
