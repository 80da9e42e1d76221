/* Saving and loading models: files and buffers, bit-identical round trips,
 * and truncated, corrupted, foreign and missing files. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "check.h"

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    unsigned char *bytes;
    long length;
    *size = 0;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    length = ftell(f);
    fseek(f, 0, SEEK_SET);
    bytes = malloc(length > 0 ? (size_t)length : 1);
    *size = fread(bytes, 1, (size_t)length, f);
    fclose(f);
    return bytes;
}

static void write_file(const char *path, const void *bytes, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!CHECK(f != NULL)) return;
    CHECK(fwrite(bytes, 1, size, f) == size);
    fclose(f);
}

/* Runs `steps` steps of a fixed input sequence through a new stream over
 * `model`, writing every output. */
static void run(ntm_model *model, size_t steps, float *outputs) {
    ntm_stream *stream = NULL;
    float input[4];
    size_t t;
    unsigned long long state = 99;
    CHECK_OK(ntm_stream_create(model, &stream));
    for (t = 0; t < steps; t++) {
        size_t i;
        for (i = 0; i < 4; i++) input[i] = (float)test_uniform(&state);
        CHECK_OK(ntm_stream_step(stream, input, 4, outputs + t * 3, 3));
    }
    CHECK_OK(ntm_stream_free(stream));
}

/* A model must load from `bytes` as neither a file nor a buffer, with
 * `status`, and the message must mention `text`. */
static void reject_bytes(const unsigned char *bytes, size_t size, ntm_status status, const char *text) {
    ntm_model *model = NULL;
    const char *path = scratch_path(1, "rejected.safetensors");
    write_file(path, bytes, size);
    if (CHECK_STATUS(ntm_model_load(path, &model), status)) CHECK_ERROR_MENTIONS(text);
    CHECK(model == NULL);
    if (size > 0) {
        if (CHECK_STATUS(ntm_model_load_from_buffer(bytes, size, &model), status)) CHECK_ERROR_MENTIONS(text);
        CHECK(model == NULL);
    }
}

static void test_round_trips(void) {
    const char *path = scratch_path(0, "model.safetensors");
    ntm_model *model = make_model(SMALL_LSTM_CONFIG, 21), *loaded = NULL, *from_buffer = NULL;
    float before[20 * 3], after[20 * 3], *p1, *p2;
    size_t n1 = 0, n2 = 0, size = 0, small = 0, file_size = 0;
    unsigned char *buffer, *file;
    char *json1, *json2;

    /* Train-free changes to make the weights arbitrary floats. */
    CHECK_OK(ntm_model_parameters(model, &p1, &n1));
    p1[0] = 1.0f / 3.0f;
    p1[n1 - 1] = -1e-30f;

    CHECK_OK(ntm_model_save(model, path));
    CHECK_OK(ntm_model_load(path, &loaded));
    CHECK_OK(ntm_model_parameters(loaded, &p2, &n2));
    CHECK(n1 == n2 && memcmp(p1, p2, n1 * sizeof(float)) == 0);
    run(model, 20, before);
    run(loaded, 20, after);
    CHECK(memcmp(before, after, sizeof before) == 0); /* bit-identical outputs */
    CHECK_OK(ntm_model_config_json(model, NULL, 0, &size));
    json1 = malloc(size);
    json2 = malloc(size);
    CHECK_OK(ntm_model_config_json(model, json1, size, &size));
    CHECK_OK(ntm_model_config_json(loaded, json2, size, &size));
    CHECK(strcmp(json1, json2) == 0);
    free(json1);
    free(json2);

    /* Buffers: two calls; the bytes are the file's. */
    CHECK_OK(ntm_model_save_to_buffer(model, NULL, 0, &size));
    buffer = malloc(size);
    CHECK_STATUS(ntm_model_save_to_buffer(model, buffer, size - 1, &small), NTM_ERR_BUFFER_TOO_SMALL);
    CHECK(small == size);
    CHECK_OK(ntm_model_save_to_buffer(model, buffer, size, &small));
    file = read_file(path, &file_size);
    CHECK(file != NULL && file_size == size && memcmp(file, buffer, size) == 0);
    CHECK(size > 8 && memcmp(buffer + 8, "{", 1) == 0); /* safetensors: length, then a JSON header */
    CHECK_OK(ntm_model_load_from_buffer(buffer, size, &from_buffer));
    run(from_buffer, 20, after);
    CHECK(memcmp(before, after, sizeof before) == 0);
    CHECK_STATUS(ntm_model_save_to_buffer(model, buffer, size, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_save_to_buffer(NULL, buffer, size, &size), NTM_ERR_NULL);

    /* Loading never touches existing models. */
    CHECK_OK(ntm_model_parameters(model, &p1, &n1));
    {
        float first = p1[0];
        ntm_model *other = NULL;
        CHECK_OK(ntm_model_load_from_buffer(buffer, size, &other));
        CHECK(p1[0] == first && other != model && other != from_buffer);
        CHECK_OK(ntm_model_free(other));
    }

    /* Bad arguments. */
    CHECK_STATUS(ntm_model_save(model, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_save(NULL, path), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_load(NULL, &loaded), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_load(path, NULL), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_load_from_buffer(NULL, size, &loaded), NTM_ERR_NULL);
    CHECK_STATUS(ntm_model_load_from_buffer(buffer, size, NULL), NTM_ERR_NULL);

    free(buffer);
    free(file);
    CHECK_OK(ntm_model_free(model));
    CHECK_OK(ntm_model_free(loaded));
    CHECK_OK(ntm_model_free(from_buffer));
}

static void test_bad_files(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 4), *loaded = NULL;
    size_t size = 0, header_length, before_size = 0, after_size = 0;
    unsigned char *bytes, *copy, *before, *after;
    const char *path = scratch_path(0, "good.safetensors");
    /* A valid safetensors file of another program: one F32 tensor, no "format". */
    static const char foreign_header[] = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    unsigned char foreign[8 + sizeof foreign_header - 1 + 4];
    static const char wrong_format_header[] =
        "{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    unsigned char wrong_format[8 + sizeof wrong_format_header - 1 + 4];
    size_t i;

    CHECK_OK(ntm_model_save_to_buffer(model, NULL, 0, &size));
    bytes = malloc(size);
    copy = malloc(size);
    CHECK_OK(ntm_model_save_to_buffer(model, bytes, size, &size));
    header_length = 0;
    for (i = 0; i < 8; i++) header_length |= (size_t)bytes[i] << (8 * i);

    /* Truncated: anywhere from empty to one byte short. */
    reject_bytes(bytes, 0, NTM_ERR_FORMAT, "safetensors");
    reject_bytes(bytes, 5, NTM_ERR_FORMAT, "safetensors");
    reject_bytes(bytes, 8 + header_length / 2, NTM_ERR_FORMAT, "safetensors");
    reject_bytes(bytes, size - 1, NTM_ERR_FORMAT, "safetensors");

    /* Corrupted: a flipped bit in the weights fails the checksum. */
    memcpy(copy, bytes, size);
    copy[size - 3] ^= 0x10;
    reject_bytes(copy, size, NTM_ERR_FORMAT, "checksum");
    /* A damaged header. */
    memcpy(copy, bytes, size);
    copy[8] = '[';
    reject_bytes(copy, size, NTM_ERR_FORMAT, "safetensors");
    /* A damaged config inside the metadata. */
    memcpy(copy, bytes, size);
    {
        char *config = strstr((char *)copy + 8, "memory_rows");
        if (CHECK(config != NULL)) config[0] = 'M';
    }
    reject_bytes(copy, size, NTM_ERR_FORMAT, "config");

    /* Foreign: another program's safetensors file, and random bytes. */
    memset(foreign, 0, sizeof foreign);
    foreign[0] = (unsigned char)(sizeof foreign_header - 1);
    memcpy(foreign + 8, foreign_header, sizeof foreign_header - 1);
    reject_bytes(foreign, sizeof foreign, NTM_ERR_FORMAT, "not an ntm checkpoint");
    memset(wrong_format, 0, sizeof wrong_format);
    wrong_format[0] = (unsigned char)(sizeof wrong_format_header - 1);
    memcpy(wrong_format + 8, wrong_format_header, sizeof wrong_format_header - 1);
    reject_bytes(wrong_format, sizeof wrong_format, NTM_ERR_FORMAT, "\"pt\"");
    for (i = 0; i < size; i++) copy[i] = (unsigned char)(i * 2654435761u >> 13);
    reject_bytes(copy, size, NTM_ERR_FORMAT, "safetensors");

    /* Missing and unreadable files. */
    CHECK_STATUS(ntm_model_load("scratch/does/not/exist.safetensors", &loaded), NTM_ERR_IO);
    CHECK_ERROR_MENTIONS("exist.safetensors");
    CHECK_STATUS(ntm_model_load("scratch", &loaded), NTM_ERR_IO);
    CHECK(loaded == NULL);
    /* A model file is not a trainer file. */
    write_file(path, bytes, size);
    {
        ntm_trainer *trainer = NULL;
        CHECK_STATUS(ntm_trainer_load(path, 1, &loaded, &trainer), NTM_ERR_FORMAT);
        CHECK_ERROR_MENTIONS("trainer state");
        CHECK(loaded == NULL && trainer == NULL);
    }

    /* Saves that cannot be done fail cleanly; a save over a file replaces it whole. */
    CHECK_STATUS(ntm_model_save(model, "scratch/no-such-directory/model.safetensors"), NTM_ERR_IO);
    CHECK_ERROR_MENTIONS("no-such-directory");
    CHECK_STATUS(ntm_model_save(model, "scratch"), NTM_ERR_IO);
    before = read_file(path, &before_size);
    {
        ntm_model *other = make_model(SMALL_LSTM_CONFIG, 1);
        CHECK_OK(ntm_model_save(other, path));
        CHECK_OK(ntm_model_free(other));
    }
    after = read_file(path, &after_size);
    CHECK(before_size != after_size || memcmp(before, after, before_size) != 0); /* replaced as a whole */
    CHECK_OK(ntm_model_load(path, &loaded));
    CHECK_OK(ntm_model_free(loaded));

    free(before);
    free(after);
    free(bytes);
    free(copy);
    CHECK_OK(ntm_model_free(model));
}

static int file_exists(const char *path) {
    struct stat info;
    return stat(path, &info) == 0;
}

/* Paths are bytes: a name that is not UTF-8 is neither rewritten on save
 * nor confused with another file on load (they used to pass through a
 * lossy string conversion, U+FFFD for every bad byte). */
static void test_paths_are_bytes(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 4), *loaded = NULL;
    float *a, *b;
    size_t n = 0, m = 0;
    CHECK_OK(ntm_model_save(model, "scratch/caf\xe9.st"));
    CHECK(file_exists("scratch/caf\xe9.st"));
    CHECK(!file_exists("scratch/caf\xef\xbf\xbd.st"));
    if (CHECK_STATUS(ntm_model_load("scratch/caf\xe8.st", &loaded), NTM_ERR_IO))
        CHECK_ERROR_MENTIONS("caf\\xe8.st"); /* the bad byte shown escaped */
    CHECK(loaded == NULL);
    CHECK_OK(ntm_model_save(model, "scratch/raw\xff.st"));
    if (CHECK_OK(ntm_model_load("scratch/raw\xff.st", &loaded))) {
        CHECK_OK(ntm_model_parameters(model, &a, &n));
        CHECK_OK(ntm_model_parameters(loaded, &b, &m));
        CHECK(n == m && memcmp(a, b, n * sizeof(float)) == 0);
        CHECK_OK(ntm_model_free(loaded));
    }
    remove("scratch/caf\xe9.st");
    remove("scratch/raw\xff.st");
    CHECK_OK(ntm_model_free(model));
}

/* Loading refuses what is not a regular file, at once: a FIFO used to
 * block forever, /dev/zero to read 2 GiB. */
static void test_non_regular_files(void) {
    ntm_model *model = NULL;
    ntm_trainer *trainer = NULL;
    const char *fifo = scratch_path(0, "model.fifo");
    remove(fifo);
    if (CHECK(mkfifo(fifo, 0600) == 0)) {
        if (CHECK_STATUS(ntm_model_load(fifo, &model), NTM_ERR_IO)) CHECK_ERROR_MENTIONS("not a regular file (a FIFO)");
        CHECK_STATUS(ntm_trainer_load(fifo, 1, &model, &trainer), NTM_ERR_IO);
        remove(fifo);
    }
    if (CHECK_STATUS(ntm_model_load("/dev/zero", &model), NTM_ERR_IO))
        CHECK_ERROR_MENTIONS("not a regular file (a character device)");
    if (CHECK_STATUS(ntm_model_load("scratch", &model), NTM_ERR_IO)) CHECK_ERROR_MENTIONS("a directory");
    CHECK(model == NULL && trainer == NULL);
}

/* A process killed mid-save leaves <path>.<pid>.<n>.tmp; the next save to
 * the same path removes it once that process is gone and the file is a
 * minute old. Files of live processes, fresh files and other names stay. */
static void test_stale_temporary_files(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 4);
    char stale[128], fresh[128], live[128], other[128];
    struct utimbuf old_times;
    pid_t child = fork();
    FILE *f;
    int i;
    if (child == 0) _exit(0);
    if (!CHECK(child > 0)) return;
    waitpid(child, NULL, 0); /* now a pid that no process has */
    snprintf(stale, sizeof stale, "scratch/kept.st.%d.1.tmp", (int)child);
    snprintf(fresh, sizeof fresh, "scratch/kept.st.%d.2.tmp", (int)child);
    snprintf(live, sizeof live, "scratch/kept.st.%d.3.tmp", (int)getppid());
    snprintf(other, sizeof other, "scratch/kept.stx.%d.1.tmp", (int)child);
    {
        const char *names[4];
        names[0] = stale; names[1] = fresh; names[2] = live; names[3] = other;
        for (i = 0; i < 4; i++) {
            f = fopen(names[i], "wb");
            if (CHECK(f != NULL)) { fputs("partial", f); fclose(f); }
        }
    }
    old_times.actime = old_times.modtime = time(NULL) - 3600;
    CHECK(utime(stale, &old_times) == 0);
    CHECK(utime(live, &old_times) == 0);
    CHECK(utime(other, &old_times) == 0);
    CHECK_OK(ntm_model_save(model, "scratch/kept.st"));
    CHECK(!file_exists(stale));
    CHECK(file_exists(fresh));
    CHECK(file_exists(live));
    CHECK(file_exists(other));
    remove(fresh);
    remove(live);
    remove(other);
    remove("scratch/kept.st");
    CHECK_OK(ntm_model_free(model));
}

/* A model or trainer holding NaN or infinity (written through the
 * parameter pointer, say) is refused by every save, and the file it would
 * have replaced is kept. */
static void test_nonfinite_saves(void) {
    ntm_model *model = make_model(SMALL_CONFIG, 6);
    ntm_trainer *trainer = NULL;
    const char *path = scratch_path(0, "nonfinite.st");
    unsigned char *good, *after;
    size_t good_size = 0, after_size = 0, size = 0, count = 0;
    float *parameters = NULL, kept;
    CHECK_OK(ntm_trainer_create(model, NULL, 1, 1, &trainer));
    CHECK_OK(ntm_model_save(model, path));
    good = read_file(path, &good_size);
    CHECK_OK(ntm_model_parameters(model, &parameters, &count));
    kept = parameters[count - 1];
    parameters[count - 1] = (float)INFINITY;

    if (CHECK_STATUS(ntm_model_save(model, path), NTM_ERR_NONFINITE)) CHECK_ERROR_MENTIONS("nothing was written");
    if (CHECK_STATUS(ntm_trainer_save(trainer, path), NTM_ERR_NONFINITE)) CHECK_ERROR_MENTIONS("non-finite");
    if (CHECK_STATUS(ntm_model_save_to_buffer(model, NULL, 0, &size), NTM_ERR_NONFINITE))
        CHECK_ERROR_MENTIONS("element");
    CHECK_STATUS(ntm_trainer_save_to_buffer(trainer, NULL, 0, &size), NTM_ERR_NONFINITE);
    CHECK(size == 0);
    after = read_file(path, &after_size);
    CHECK(after != NULL && after_size == good_size && memcmp(after, good, good_size) == 0);

    parameters[count - 1] = kept;
    CHECK_OK(ntm_model_save(model, path));
    CHECK_OK(ntm_trainer_save(trainer, path));
    free(good);
    free(after);
    remove(path);
    CHECK_OK(ntm_trainer_free(trainer));
    CHECK_OK(ntm_model_free(model));
}

void test_files(void) {
    test_round_trips();
    test_bad_files();
    test_paths_are_bytes();
    test_non_regular_files();
    test_stale_temporary_files();
    test_nonfinite_saves();
}
