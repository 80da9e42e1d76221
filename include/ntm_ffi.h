/* ntm_ffi.h -- the declarations of ntm.h for foreign-function interfaces
 * that read C declarations without a preprocessor: LuaJIT's ffi.cdef,
 * cffi's cdef and the like. Generated from ntm.h by scripts/generate-header;
 * do not edit. C and C++ programs include ntm.h instead.
 *
 * It declares what ntm.h declares, with the same documentation (see ntm.h
 * for the overview: handles, ownership, errors, threads), but has no `#`
 * lines: it relies on the FFI knowing the standard types it uses
 * (size_t, int32_t, uint64_t and bool), as LuaJIT and cffi do, and gives the
 * version as enum constants. */

enum {
    NTM_VERSION_MAJOR = 0,
    NTM_VERSION_MINOR = 1,
    NTM_VERSION_PATCH = 0,
    NTM_VERSION_NUMBER = 100
};

/* Opaque handles; see HANDLES in ntm.h. */
typedef struct ntm_model ntm_model;
typedef struct ntm_stream ntm_stream;
typedef struct ntm_trainer ntm_trainer;

/* ==== Version =============================================================== */

/**
 * The library's version as one number: `major * 10000 + minor * 100 + patch`.
 *
 * Compare it with `NTM_VERSION_NUMBER` to check that the library loaded at
 * run time is the one the program was compiled against.
 *
 * Errors: none. Thread-safety: any thread, any time.
 */
int32_t ntm_version_number(void);

/**
 * The library's version as text, `"major.minor.patch"` (e.g. `"0.1.0"`).
 *
 * Ownership: a static string owned by the library; never free it.
 * Errors: none. Thread-safety: any thread, any time.
 */
const char *ntm_version_string(void);

/* ==== Status codes and errors =============================================== */

/**
 * What a call did. Every function that can fail returns one of these; on
 * any status other than `NTM_OK`, `ntm_last_error()` says what was wrong
 * (naming the argument, field or index at fault) and nothing was changed:
 * no handle was created or freed, no model, stream, trainer or file was
 * modified, and output arguments were not written -- except that
 * `NTM_ERR_BUFFER_TOO_SMALL` still reports the size needed, and a failed
 * update leaves the gradient it tried in the trainer's gradient buffer.
 */
typedef enum ntm_status {
    /**
     * Success.
     */
    NTM_OK = 0,
    /**
     * A pointer argument that must not be NULL was NULL.
     */
    NTM_ERR_NULL = 1,
    /**
     * An argument is out of range or of the wrong size: a count that does
     * not match the model, a length of 0 or above `max_length`, a target
     * outside [0, 1], a negative mask, an unknown head index.
     */
    NTM_ERR_ARGUMENT = 2,
    /**
     * A handle that is not a live handle of the expected kind: already
     * freed, of another kind (a stream passed as a model), or not made by
     * this library.
     */
    NTM_ERR_HANDLE = 3,
    /**
     * A JSON config or options text that is malformed, has an unknown
     * field, or a value out of range (the message names the field); an
     * unknown preset or task name.
     */
    NTM_ERR_CONFIG = 4,
    /**
     * A file could not be read or written.
     */
    NTM_ERR_IO = 5,
    /**
     * Not an ntm checkpoint, or a damaged one: not safetensors, truncated,
     * foreign metadata, missing or mis-shaped tensors, a checksum mismatch,
     * no trainer state where one is required.
     */
    NTM_ERR_FORMAT = 6,
    /**
     * An input value (input, target, mask, gradient) is NaN or infinite, or
     * a model or trainer to be saved holds one.
     */
    NTM_ERR_NONFINITE = 7,
    /**
     * An output buffer is too small; the size needed was reported.
     */
    NTM_ERR_BUFFER_TOO_SMALL = 8,
    /**
     * An update would have made a parameter non-finite or larger than 1e6
     * in magnitude, or the optimiser state non-finite, or the gradient to
     * update from is non-finite. The
     * parameters, the optimiser state and the data generator are as they
     * were (the gradient buffer holds the offending gradient). Lower the
     * learning rate or clip the gradient.
     */
    NTM_ERR_DIVERGED = 9,
    /**
     * A bug in the library (please report it with the message).
     */
    NTM_ERR_INTERNAL = 10,
    /**
     * A stream or trainer is being used by another thread right now; a
     * stream or trainer belongs to one thread at a time. Nothing was done.
     */
    NTM_ERR_BUSY = 11,
    /**
     * The call would allocate more than the memory limit
     * (`ntm_set_memory_limit`); the message says how many bytes it needs.
     * Nothing was done.
     */
    NTM_ERR_MEMORY = 12
} ntm_status;

/**
 * The name of a status code, e.g. `"NTM_ERR_HANDLE"` for
 * `NTM_ERR_HANDLE`; `"NTM_UNKNOWN_STATUS"` for a value that is not a status.
 *
 * Ownership: a static string owned by the library; never free it.
 * Errors: none. Thread-safety: any thread, any time.
 */
const char *ntm_status_name(int32_t status);

/**
 * The message of the last call that failed on the calling thread, e.g.
 * `ntm_model_create: config field "read_heads": expected an integer from 1
 * to 64, got 0`; `""` if no call has failed on this thread yet.
 * Successful calls do not clear it (like `errno`), so read it right after
 * a call returned a status other than `NTM_OK`.
 *
 * Ownership: owned by the library, per thread; valid until the next
 * failing call on the same thread or the thread's exit. Copy it to keep it.
 * Errors: none. Thread-safety: any thread; each thread sees its own message.
 */
const char *ntm_last_error(void);

/* ==== Memory limit ========================================================== */

/**
 * Sets the most memory one call may allocate, in bytes, for every handle
 * in the process, and returns the previous limit; 0 restores the default
 * of 8 GiB. Calls whose arguments would need more (long sequences, large
 * batches or models; computed before allocating) fail with NTM_ERR_MEMORY
 * and change nothing. The limit covers one call's own allocations, not
 * the total over all handles.
 *
 * Errors: none. Thread-safety: any thread, any time; calls already past
 * their check are not affected.
 */
uint64_t ntm_set_memory_limit(uint64_t bytes);

/**
 * The current memory limit in bytes (see `ntm_set_memory_limit`).
 *
 * Errors: none. Thread-safety: any thread, any time.
 */
uint64_t ntm_memory_limit(void);

/* ==== Presets: the paper's configurations by name =========================== */

/**
 * The number of built-in presets: the paper's three networks (an NTM with
 * a feedforward controller, an NTM with an LSTM controller, the LSTM
 * baseline) on each of its five tasks.
 *
 * Errors: none. Thread-safety: any thread, any time.
 */
size_t ntm_preset_count(void);

/**
 * The name of preset `index` (0 <= index < `ntm_preset_count()`), of the
 * form `"<task>/<network>"`, e.g. `"copy/ntm-lstm"`; NULL if `index` is out
 * of range.
 *
 * Ownership: a static string owned by the library; never free it.
 * Errors: returns NULL for an index out of range (the last error is not set).
 * Thread-safety: any thread, any time.
 */
const char *ntm_preset_name(size_t index);

/**
 * The task a preset trains on and its batch size: `*out_task` receives the
 * task's name (see `ntm_task_name`) for `ntm_task_shape`, `ntm_task_sample`
 * and `ntm_trainer_train_task`, used with its default options;
 * `*out_batch_size` the sequences per update. Either output may be NULL.
 *
 * Ownership: `*out_task` is a static string owned by the library.
 * Errors: NTM_ERR_NULL if `name` is NULL; NTM_ERR_CONFIG for an unknown
 * preset (the message lists the valid names).
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_preset_info(const char *name, const char **out_task, size_t *out_batch_size);

/**
 * A preset's model config as JSON text (every field written; see
 * `ntm_model_create` for the fields), for `ntm_model_create`.
 *
 * Two-call pattern: `*out_size` (required) receives the bytes needed
 * including the terminating NUL; with `buffer` NULL nothing else is
 * written; otherwise the text is copied into `buffer` (`capacity` bytes) if
 * it fits.
 *
 * Errors: NTM_ERR_NULL if `name` or `out_size` is NULL; NTM_ERR_CONFIG for
 * an unknown preset; NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but
 * smaller than `*out_size`.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_preset_model_json(const char *name, char *buffer, size_t capacity, size_t *out_size);

/**
 * A preset's optimiser config as JSON text (every field written; see
 * `ntm_trainer_create` for the fields), for `ntm_trainer_create`.
 * Two-call pattern as in `ntm_preset_model_json`.
 *
 * Errors: NTM_ERR_NULL if `name` or `out_size` is NULL; NTM_ERR_CONFIG for
 * an unknown preset; NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but
 * smaller than `*out_size`.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_preset_optimizer_json(const char *name,
                                     char *buffer,
                                     size_t capacity,
                                     size_t *out_size);

/* ==== Models: config and weights ============================================ */

/**
 * Creates a model from a JSON config and a seed for its initial weights
 * (the same config and seed give the same weights on every platform).
 *
 * The config is a JSON object; every field but `input_size` and
 * `output_size` is optional, and any other field is rejected:
 *
 *     field                 type      default   allowed
 *     kind                  string    "ntm"     "ntm" (controller + heads + memory) or
 *                                               "lstm" (the paper's LSTM baseline: no heads, no memory)
 *     input_size            integer   required  1 ... 65536
 *     output_size           integer   required  1 ... 65536
 *     controller            string    "lstm"    "feedforward" or "lstm" ("lstm" when kind is "lstm")
 *     controller_layers     [integer] [100]     1 ... 8 layer sizes, each 1 ... 4096
 *     read_heads            integer   1         1 ... 64 (kind "lstm": 0)
 *     write_heads           integer   1         1 ... 64 (kind "lstm": 0)
 *     memory_rows           integer   128       N, 1 ... 65536 (kind "lstm": 0, unused)
 *     memory_width          integer   20        M, 1 ... 4096, N x M <= 2^24 (kind "lstm": 0, unused)
 *     shift_range           integer   1         S, shifts -S ... +S, 2S + 1 <= N (kind "lstm": 0)
 *     initial_memory        string    "constant" "constant", "learned" or "random"
 *     initial_memory_value  number    1e-6      from -1e6 to 1e6 (for "constant")
 *     add_activation        string    "linear"  "linear" or "tanh"
 *     initial_weighting     string    "focused" "focused" (every head's learned w_0 starts on
 *                                               location 0) or "random" (logits uniform +-1)
 *
 * Integers may be written `3` or `3.0`, not `2.5` or `"3"`. See
 * docs/MODEL.md for what each choice means.
 *
 * Ownership: on success `*out_model` receives a new handle; free it with
 * `ntm_model_free`. On failure `*out_model` is not written.
 * Errors: NTM_ERR_NULL if `config_json` or `out_model` is NULL;
 * NTM_ERR_CONFIG if the JSON is malformed (the message gives line and
 * column), has an unknown field, or a value of the wrong type or out of
 * range (the message names the field), or if the network would have more
 * than 2^30 parameters.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_model_create(const char *config_json, uint64_t seed, ntm_model **out_model);

/**
 * The default config of a model kind as JSON text: every field
 * `ntm_model_create` accepts, in its order, with the value it takes when
 * the field is left out, and `null` for the two required sizes. `kind` is
 * NULL or `"ntm"` (an NTM), or `"lstm"` (the LSTM baseline: no heads, no
 * memory). Bindings read the defaults here instead of restating them.
 *
 * Two-call pattern: `*out_size` (required) receives the bytes needed
 * including the terminating NUL; with `buffer` NULL nothing else is
 * written; otherwise the text is copied into `buffer` (`capacity` bytes) if
 * it fits.
 *
 * Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_CONFIG for any other
 * kind; NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but smaller than
 * `*out_size`.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_model_default_config_json(const char *kind,
                                         char *buffer,
                                         size_t capacity,
                                         size_t *out_size);

/**
 * Creates a model from a built-in preset (see `ntm_preset_name`), e.g.
 * `"copy/ntm-lstm"`, with initial weights from `seed`.
 *
 * Ownership: on success `*out_model` receives a new handle; free it with
 * `ntm_model_free`.
 * Errors: NTM_ERR_NULL if `name` or `out_model` is NULL; NTM_ERR_CONFIG for
 * an unknown preset (the message lists the valid names).
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_model_create_preset(const char *name, uint64_t seed, ntm_model **out_model);

/**
 * Frees a model handle. NULL is a no-op. Streams and trainers made from the
 * model keep its weights alive and go on working; the weights are released
 * when the last of them is freed.
 *
 * Errors: NTM_ERR_HANDLE (and nothing is freed) if `model` is not a live
 * model handle -- in particular when it was freed already, so freeing twice
 * is detected and harmless.
 * Thread-safety: any thread; calls already running on the model on other
 * threads finish normally.
 */
ntm_status ntm_model_free(ntm_model *model);

/**
 * The model's config as compact JSON text with every field written, which
 * `ntm_model_create` accepts.
 *
 * Two-call pattern: `*out_size` (required) receives the bytes needed
 * including the terminating NUL; with `buffer` NULL nothing else is
 * written; otherwise the text is copied into `buffer` (`capacity` bytes) if
 * it fits.
 *
 * Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but smaller than `*out_size`.
 * Thread-safety: any thread; reads only the config, which never changes.
 */
ntm_status ntm_model_config_json(ntm_model *model, char *buffer, size_t capacity, size_t *out_size);

/**
 * The model's sizes; each output may be NULL. `out_input_size` and
 * `out_output_size`: the widths of one step's input and output vectors;
 * `out_parameter_count`: the length of the parameter (and gradient)
 * buffer; `out_memory_rows` (N) and `out_memory_width` (M): the memory
 * (0 for the LSTM baseline); `out_read_heads` and `out_write_heads`. Heads
 * are numbered write heads first, then read heads.
 *
 * Errors: NTM_ERR_HANDLE.
 * Thread-safety: any thread; reads only the config, which never changes.
 */
ntm_status ntm_model_shape(ntm_model *model,
                           size_t *out_input_size,
                           size_t *out_output_size,
                           size_t *out_parameter_count,
                           size_t *out_memory_rows,
                           size_t *out_memory_width,
                           size_t *out_read_heads,
                           size_t *out_write_heads);

/**
 * The model's parameters: `*out_parameters` receives a pointer to its one
 * flat buffer of `*out_count` floats, in the layout of docs/MODEL.md (the
 * tensors of a saved model, in order). Writes through the pointer change
 * the model at once, for every stream, trainer and evaluation using it;
 * keep them finite and within +-1e6, the range the library trains, saves
 * and loads (saving refuses other values).
 *
 * Ownership: the buffer belongs to the model's weights; it stays valid
 * while the model or any stream or trainer made from it is alive. Never
 * free it.
 * Errors: NTM_ERR_NULL if `out_parameters` or `out_count` is NULL;
 * NTM_ERR_HANDLE.
 * Thread-safety: getting the pointer: any thread. Writing through it is
 * an update of the model: it must not overlap with any other call that
 * reads or updates the model's weights (steps, evaluation, training,
 * saving) on any thread.
 */
ntm_status ntm_model_parameters(ntm_model *model, float **out_parameters, size_t *out_count);

/**
 * Saves the model (config and weights) to `path` as a safetensors file
 * (readable by Python's `safetensors` package): one float32 tensor per
 * parameter tensor, the config as JSON in the metadata and a CRC-32C
 * checksum of the tensor data. The write is atomic: afterwards the file
 * holds either its old content or the complete new one. `path` is used
 * byte for byte (it need not be UTF-8). The data goes first to
 * `<path>.<pid>.<n>.tmp`; such files left by a process killed mid-save are
 * removed by the next successful save to the same path.
 *
 * Errors: NTM_ERR_NULL if `path` is NULL; NTM_ERR_HANDLE; NTM_ERR_IO if the
 * file cannot be written (the message has the system's reason);
 * NTM_ERR_NONFINITE, and nothing is written, if a parameter is NaN,
 * infinite or beyond +-1e6 (a file that loading would refuse).
 * Thread-safety: reads the weights: may run alongside steps and
 * evaluations of the model, not alongside updates of it.
 */
ntm_status ntm_model_save(ntm_model *model, const char *path);

/**
 * Saves the model into memory: the same bytes `ntm_model_save` writes.
 * Two-call pattern: `*out_size` (required) receives the bytes needed; with
 * `buffer` NULL nothing else is written; otherwise the bytes are copied
 * into `buffer` (`capacity` bytes) if they fit.
 *
 * Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_BUFFER_TOO_SMALL if `buffer` is given but smaller than `*out_size`;
 * NTM_ERR_NONFINITE as for `ntm_model_save`.
 * Thread-safety: as `ntm_model_save`.
 */
ntm_status ntm_model_save_to_buffer(ntm_model *model,
                                    void *buffer,
                                    size_t capacity,
                                    size_t *out_size);

/**
 * Loads a model saved by `ntm_model_save` or `ntm_trainer_save` (any
 * trainer state in the file is ignored). Loading creates a new model;
 * existing models are never touched.
 *
 * Ownership: on success `*out_model` receives a new handle; free it with
 * `ntm_model_free`.
 * Errors: NTM_ERR_NULL if `path` or `out_model` is NULL; NTM_ERR_IO if the
 * file cannot be read, is larger than 2 GiB, or is not a regular file (a
 * FIFO, device or directory is refused without reading); NTM_ERR_FORMAT if
 * it is not an ntm checkpoint or is damaged: truncated, not safetensors,
 * another program's safetensors file, an invalid config, missing or
 * mis-shaped tensors, non-finite values, a parameter beyond +-1e6 (which
 * this library never trains or saves; within it the outputs of inputs of
 * ordinary size are finite), or a checksum mismatch (the message says
 * which).
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_model_load(const char *path, ntm_model **out_model);

/**
 * Loads a model from `size` bytes at `data`, as written by
 * `ntm_model_save_to_buffer` (or read from a file `ntm_model_save` wrote).
 * The bytes are copied; the caller keeps ownership of `data`.
 *
 * Ownership: on success `*out_model` receives a new handle; free it with
 * `ntm_model_free`.
 * Errors: NTM_ERR_NULL if `data` or `out_model` is NULL; NTM_ERR_FORMAT as
 * for `ntm_model_load`.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_model_load_from_buffer(const void *data, size_t size, ntm_model **out_model);

/**
 * Runs the model over a batch of sequences without learning: the loss and
 * bit errors, and optionally the outputs.
 *
 * Arrays are padded to `max_length` steps and sequence-major: `inputs`
 * holds `batch x max_length x input_size` floats (sequence `i`, step `t`
 * at `inputs[(i * max_length + t) * input_size]`), `targets` `batch x
 * max_length x output_size` floats in [0, 1], `mask` `batch x max_length`
 * floats >= 0 (the weight of each step's loss; 0 = no target). `lengths`
 * holds each sequence's length (1 ... max_length), or is NULL when all are
 * `max_length`; values past a sequence's length are never read. `batch` is
 * 1 ... 65536, `max_length` 1 ... 2^20.
 *
 * Results: `*out_loss_bits` the cross-entropy over the masked steps in
 * bits, and `*out_bit_errors` the outputs on the wrong side of 1/2 over the
 * masked steps, both averaged over the batch's sequences; `outputs`
 * (`batch x max_length x output_size`) the output probabilities, zero past
 * each sequence's length. Each result pointer may be NULL.
 *
 * Errors: NTM_ERR_NULL if `inputs`, `targets` or `mask` is NULL;
 * NTM_ERR_HANDLE; NTM_ERR_ARGUMENT for `batch`, `max_length` or a length out
 * of range, a target outside [0, 1] or a negative mask value;
 * NTM_ERR_NONFINITE for a NaN or infinite input, target or mask value (the
 * message names the array and index).
 * Thread-safety: reads the weights: any number of threads may evaluate and
 * step a model at once, but not while it is being updated.
 */
ntm_status ntm_model_evaluate(ntm_model *model,
                              size_t batch,
                              size_t max_length,
                              const float *inputs,
                              const float *targets,
                              const float *mask,
                              const size_t *lengths,
                              float *outputs,
                              double *out_loss_bits,
                              double *out_bit_errors);

/* ==== Streams: inference one step at a time ================================= */

/**
 * Creates a stream over a model: one sequence's inference state (memory,
 * head weightings, read vectors, controller state), starting from the
 * model's initial state. Any number of streams may share one model, each
 * with its own memory. The stream keeps the model's weights alive: it goes
 * on working after `ntm_model_free(model)`.
 *
 * Ownership: on success `*out_stream` receives a new handle; free it with
 * `ntm_stream_free`.
 * Errors: NTM_ERR_NULL if `out_stream` is NULL; NTM_ERR_HANDLE.
 * Thread-safety: any thread; reads the model's weights.
 */
ntm_status ntm_stream_create(ntm_model *model, ntm_stream **out_stream);

/**
 * Frees a stream handle. NULL is a no-op.
 *
 * Errors: NTM_ERR_HANDLE (and nothing is freed) if `stream` is not a live
 * stream handle -- in particular when it was freed already.
 * Thread-safety: any thread; a call running on the stream on another
 * thread finishes normally.
 */
ntm_status ntm_stream_free(ntm_stream *stream);

/**
 * Puts the stream back into the model's initial state, as at the start of
 * a sequence.
 *
 * Errors: NTM_ERR_HANDLE; NTM_ERR_BUSY if another thread is using the stream.
 * Thread-safety: a stream belongs to one thread at a time.
 */
ntm_status ntm_stream_reset(ntm_stream *stream);

/**
 * One time step: reads `input_count` floats from `input` (the model's
 * input size), updates the stream's state and writes `output_count`
 * output probabilities (the model's output size) to `output`.
 *
 * Errors: NTM_ERR_NULL if `input` or `output` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_ARGUMENT if a count differs from the model's size;
 * NTM_ERR_NONFINITE for a NaN or infinite input (the state is unchanged);
 * NTM_ERR_BUSY if another thread is using the stream.
 * Thread-safety: a stream belongs to one thread at a time; steps of
 * different streams over one model may run on different threads at once.
 * Reads the model's weights, so not while the model is being updated.
 */
ntm_status ntm_stream_step(ntm_stream *stream,
                           const float *input,
                           size_t input_count,
                           float *output,
                           size_t output_count);

/**
 * The number of steps taken since the stream was created or last reset.
 *
 * Errors: NTM_ERR_NULL if `out_steps` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_BUSY if another thread is using the stream.
 * Thread-safety: a stream belongs to one thread at a time.
 */
ntm_status ntm_stream_step_count(ntm_stream *stream, size_t *out_steps);

/**
 * Copies the stream's memory after its last step (after a reset: the
 * initial memory) into `out_values`: `count` must be N x M (memory rows x
 * width, see `ntm_model_shape`), row-major; 0 for the LSTM baseline, which
 * has no memory (then `out_values` may be NULL).
 *
 * Errors: NTM_ERR_NULL if `out_values` is NULL and `count` is not 0;
 * NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `count` is not N x M; NTM_ERR_BUSY.
 * Thread-safety: a stream belongs to one thread at a time.
 */
ntm_status ntm_stream_memory(ntm_stream *stream, float *out_values, size_t count);

/**
 * Copies head `head`'s weighting over the memory rows after the last step
 * (after a reset: the initial weighting) into `out_values`: `count` = N
 * floats, which sum to 1. Heads are numbered write heads first, then read
 * heads: 0 ... write_heads + read_heads - 1.
 *
 * Errors: NTM_ERR_NULL if `out_values` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_ARGUMENT if `head` is out of range (the LSTM baseline has no
 * heads) or `count` is not N; NTM_ERR_BUSY.
 * Thread-safety: a stream belongs to one thread at a time.
 */
ntm_status ntm_stream_weighting(ntm_stream *stream, size_t head, float *out_values, size_t count);

/**
 * Copies the read vectors after the last step (after a reset: the initial
 * read vectors) into `out_values`: `count` = read_heads x M floats, one
 * row of M per read head; 0 for the LSTM baseline (then `out_values` may
 * be NULL).
 *
 * Errors: NTM_ERR_NULL if `out_values` is NULL and `count` is not 0;
 * NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `count` is not read_heads x M;
 * NTM_ERR_BUSY.
 * Thread-safety: a stream belongs to one thread at a time.
 */
ntm_status ntm_stream_read_vectors(ntm_stream *stream, float *out_values, size_t count);

/* ==== Trainers: learning ==================================================== */

/**
 * Creates a trainer for a model: an optimiser with its state, a gradient
 * buffer, and a generator for training data seeded with `data_seed`.
 * Updates change the model's weights in place.
 *
 * `optimizer_json` is NULL for the defaults (Graves' RMSProp) or a JSON
 * object; every field is optional, and any other field is rejected:
 *
 *     field          type    default            allowed
 *     kind           string  "rmsprop"          "rmsprop" (Graves 2013, centred, epsilon inside
 *                                               the root) or "adam"; "optimizer" is another name
 *     learning_rate  number  1e-4 (adam: 1e-3)  0 < x <= 1
 *     decay          number  0.95               0 <= x < 1 (RMSProp)
 *     momentum       number  0.9                0 <= x < 1 (RMSProp)
 *     epsilon        number  1e-4 (adam: 1e-8)  1e-30 <= x <= 1
 *     beta1          number  0.9                0 <= x < 1 (Adam)
 *     beta2          number  0.999              0 <= x < 1 (Adam)
 *     clip_value     number  10                 0 <= x <= 3.4e38; element-wise gradient clip, 0 = none
 *     clip_norm      number  0                  0 <= x <= 3.4e38; global gradient-norm clip, 0 = none
 *
 * `threads` (1 ... 256) is the number of threads a batch is spread over;
 * results are bit-identical for any number of threads.
 *
 * Ownership: on success `*out_trainer` receives a new handle; free it with
 * `ntm_trainer_free`. The trainer keeps the model's weights alive: it goes
 * on working after `ntm_model_free(model)`.
 * Errors: NTM_ERR_NULL if `out_trainer` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_ARGUMENT if `threads` is out of range; NTM_ERR_CONFIG for a
 * malformed optimiser config or a field unknown or out of range (the
 * message names it).
 * Thread-safety: any thread. Updates by a trainer change its model's
 * weights, so while one trainer is training a model no other thread may
 * step, evaluate, save or train that model.
 */
ntm_status ntm_trainer_create(ntm_model *model,
                              const char *optimizer_json,
                              size_t threads,
                              uint64_t data_seed,
                              ntm_trainer **out_trainer);

/**
 * Frees a trainer handle. NULL is a no-op.
 *
 * Errors: NTM_ERR_HANDLE (and nothing is freed) if `trainer` is not a live
 * trainer handle -- in particular when it was freed already.
 * Thread-safety: any thread; a call running on the trainer on another
 * thread finishes normally.
 */
ntm_status ntm_trainer_free(ntm_trainer *trainer);

/**
 * One update from a batch of sequences: the mean over the batch of each
 * sequence's loss gradient, then gradient clipping and an optimiser step.
 * The arrays are padded batches as in `ntm_model_evaluate`; the results
 * (loss in bits and bit errors, averaged over the sequences, computed
 * before the update) may be NULL.
 *
 * Errors: as `ntm_model_evaluate`, plus NTM_ERR_DIVERGED if the gradient
 * or the updated parameters or optimiser state would be non-finite (then
 * the parameters and optimiser state are unchanged; the gradient buffer
 * holds the batch's gradient) and NTM_ERR_BUSY if another thread is using
 * the trainer.
 * Thread-safety: a trainer belongs to one thread at a time. Updates the
 * model's weights: no other thread may use the model meanwhile.
 */
ntm_status ntm_trainer_train(ntm_trainer *trainer,
                             size_t batch,
                             size_t max_length,
                             const float *inputs,
                             const float *targets,
                             const float *mask,
                             const size_t *lengths,
                             double *out_loss_bits,
                             double *out_bit_errors);

/**
 * One update from a batch of a named task (see `ntm_task_shape`), sampled
 * with the trainer's own data generator (seeded by `data_seed`, saved with
 * the trainer): `batch_size` (1 ... 65536) sequences, gradient, clipping,
 * optimiser step. `options_json` is NULL or a JSON object of the task's
 * options (see `ntm_task_shape`). The task's input and output sizes must
 * match the model's. Results as in `ntm_trainer_train`.
 *
 * Errors: NTM_ERR_NULL if `task` is NULL; NTM_ERR_HANDLE; NTM_ERR_CONFIG
 * for an unknown task, malformed options or an unknown or invalid option;
 * NTM_ERR_ARGUMENT if `batch_size` is out of range or the task's sizes do
 * not match the model's; NTM_ERR_DIVERGED; NTM_ERR_BUSY.
 * Thread-safety: as `ntm_trainer_train`.
 */
ntm_status ntm_trainer_train_task(ntm_trainer *trainer,
                                  const char *task,
                                  const char *options_json,
                                  size_t batch_size,
                                  double *out_loss_bits,
                                  double *out_bit_errors);

/**
 * The loss and its gradient on a batch, without an update: the gradient
 * (the mean over the batch's sequences of the gradient of each sequence's
 * cross-entropy in nats, i.e. loss bits x ln 2; unclipped) is written to
 * the trainer's gradient buffer (see `ntm_trainer_gradient`). Arrays and
 * results as in `ntm_trainer_train`.
 *
 * Errors: as `ntm_model_evaluate`, plus NTM_ERR_BUSY.
 * Thread-safety: a trainer belongs to one thread at a time. Reads the
 * model's weights, so not while it is being updated.
 */
ntm_status ntm_trainer_loss_and_gradient(ntm_trainer *trainer,
                                         size_t batch,
                                         size_t max_length,
                                         const float *inputs,
                                         const float *targets,
                                         const float *mask,
                                         const size_t *lengths,
                                         double *out_loss_bits,
                                         double *out_bit_errors);

/**
 * The trainer's gradient buffer: `*out_gradient` receives a pointer to
 * `*out_count` floats (the parameter count), in the parameter layout.
 * `ntm_trainer_loss_and_gradient` and `ntm_trainer_backward` write it;
 * the caller may read it, or write it and then call
 * `ntm_trainer_apply_gradient(trainer, NULL, 0)`. `ntm_trainer_train` and
 * `ntm_trainer_train_task` overwrite it, and an update clips it in place.
 *
 * Ownership: owned by the trainer; valid until `ntm_trainer_free`. Never
 * free it.
 * Errors: NTM_ERR_NULL if `out_gradient` or `out_count` is NULL;
 * NTM_ERR_HANDLE.
 * Thread-safety: getting the pointer: any thread. Use the buffer only on
 * the thread that owns the trainer, between its calls.
 */
ntm_status ntm_trainer_gradient(ntm_trainer *trainer, float **out_gradient, size_t *out_count);

/**
 * One update from a gradient: `count` floats at `gradient` (the parameter
 * count; e.g. averaged over several trainers elsewhere), or, with
 * `gradient` NULL, the trainer's own gradient buffer (then `count` must be
 * 0 or the parameter count). The gradient is copied into the trainer's
 * buffer, frozen parameters' entries are zeroed, it is clipped as the
 * optimiser config says, and the optimiser takes one step.
 *
 * Errors: NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `count` is not the parameter
 * count; NTM_ERR_NONFINITE if the supplied gradient holds NaN or infinity
 * (the message gives the index); NTM_ERR_DIVERGED if the trainer's own
 * gradient is non-finite or the update would make the parameters or the
 * optimiser state non-finite (nothing was changed); NTM_ERR_BUSY.
 * Thread-safety: as `ntm_trainer_train`.
 */
ntm_status ntm_trainer_apply_gradient(ntm_trainer *trainer, const float *gradient, size_t count);

/**
 * Backpropagation from output gradients the caller supplies, for an NTM
 * inside a larger model: runs the model from its initial state over
 * `length` (1 ... 2^20) steps of `inputs` (`length x input_size`), then
 * backpropagates `output_gradients` (`length x output_size`), the gradient
 * of the caller's loss with respect to the output probabilities. Writes the
 * outputs to `outputs` (`length x output_size`) and the gradient with
 * respect to the inputs to `input_gradients` (`length x input_size`) when
 * they are not NULL, and the parameter gradient to the trainer's gradient
 * buffer (overwritten; see `ntm_trainer_gradient`), ready for
 * `ntm_trainer_apply_gradient(trainer, NULL, 0)`. (`ntm_model_backward`
 * does this for a batch, with the recurrent state in and out, gradients
 * with respect to logits if wanted, and no trainer.)
 *
 * Errors: NTM_ERR_NULL if `inputs` or `output_gradients` is NULL;
 * NTM_ERR_HANDLE; NTM_ERR_ARGUMENT if `length` is out of range;
 * NTM_ERR_NONFINITE for a NaN or infinite input or output gradient;
 * NTM_ERR_BUSY.
 * Thread-safety: a trainer belongs to one thread at a time. Reads the
 * model's weights, so not while it is being updated.
 */
ntm_status ntm_trainer_backward(ntm_trainer *trainer,
                                size_t length,
                                const float *inputs,
                                const float *output_gradients,
                                float *outputs,
                                float *input_gradients);

/**
 * Saves the model and the trainer's complete state -- optimiser config,
 * optimiser state and step count, the data generator's state, the number
 * of sequences seen -- to `path` (safetensors, written atomically), so that
 * `ntm_trainer_load` resumes training bit-identically.
 *
 * Errors: NTM_ERR_NULL if `path` is NULL; NTM_ERR_HANDLE; NTM_ERR_IO;
 * NTM_ERR_NONFINITE, and nothing is written, if a parameter is NaN,
 * infinite or beyond +-1e6, or an optimiser state value NaN or infinite;
 * NTM_ERR_BUSY.
 * Thread-safety: a trainer belongs to one thread at a time.
 */
ntm_status ntm_trainer_save(ntm_trainer *trainer, const char *path);

/**
 * Saves what `ntm_trainer_save` writes into memory. Two-call pattern:
 * `*out_size` (required) receives the bytes needed; with `buffer` NULL
 * nothing else is written; otherwise the bytes are copied into `buffer`
 * (`capacity` bytes) if they fit.
 *
 * Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_BUFFER_TOO_SMALL; NTM_ERR_NONFINITE as for `ntm_trainer_save`;
 * NTM_ERR_BUSY.
 * Thread-safety: a trainer belongs to one thread at a time.
 */
ntm_status ntm_trainer_save_to_buffer(ntm_trainer *trainer,
                                      void *buffer,
                                      size_t capacity,
                                      size_t *out_size);

/**
 * Loads a file written by `ntm_trainer_save`: a new model and a new
 * trainer bound to it, with the saved optimiser config and state, data
 * generator and counters, using `threads` (1 ... 256) threads.
 *
 * Ownership: on success `*out_model` and `*out_trainer` receive new
 * handles; free each with its `_free` function. On failure neither is
 * written.
 * Errors: NTM_ERR_NULL if `path`, `out_model` or `out_trainer` is NULL;
 * NTM_ERR_ARGUMENT if `threads` is out of range; NTM_ERR_IO;
 * NTM_ERR_FORMAT as for `ntm_model_load`, or if the file holds a model
 * without trainer state.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_trainer_load(const char *path,
                            size_t threads,
                            ntm_model **out_model,
                            ntm_trainer **out_trainer);

/**
 * Loads what `ntm_trainer_save_to_buffer` wrote: `size` bytes at `data`
 * (copied). Otherwise as `ntm_trainer_load`.
 *
 * Ownership: as `ntm_trainer_load`.
 * Errors: NTM_ERR_NULL if `data`, `out_model` or `out_trainer` is NULL;
 * NTM_ERR_ARGUMENT if `threads` is out of range; NTM_ERR_FORMAT.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_trainer_load_from_buffer(const void *data,
                                        size_t size,
                                        size_t threads,
                                        ntm_model **out_model,
                                        ntm_trainer **out_trainer);

/**
 * The trainer's optimiser config as compact JSON text with every field
 * written (what `ntm_trainer_create` accepts). Two-call pattern as in
 * `ntm_model_config_json`.
 *
 * Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_BUFFER_TOO_SMALL.
 * Thread-safety: any thread; the config never changes.
 */
ntm_status ntm_trainer_optimizer_json(ntm_trainer *trainer,
                                      char *buffer,
                                      size_t capacity,
                                      size_t *out_size);

/**
 * The trainer's counters; either output may be NULL: `*out_updates` the
 * optimiser steps taken, `*out_sequences` the sequences trained on (both
 * restored by `ntm_trainer_load`).
 *
 * Errors: NTM_ERR_HANDLE; NTM_ERR_BUSY.
 * Thread-safety: a trainer belongs to one thread at a time.
 */
ntm_status ntm_trainer_progress(ntm_trainer *trainer,
                                uint64_t *out_updates,
                                uint64_t *out_sequences);

/* ==== Models: sequences in chunks, and their gradients ====================== */

/**
 * The number of floats in one sequence's recurrent state, the unit of the
 * `initial_states`, `final_states` and state gradient arrays of
 * `ntm_model_forward` and `ntm_model_backward`. The state is, in order:
 * the memory (`memory_rows x memory_width`, row-major; NTMs only), the read
 * vectors (`read_heads x memory_width`), the head weightings (`(write_heads
 * + read_heads) x memory_rows`, write heads first; NTMs only), and, for an
 * LSTM controller, each layer's hidden state and then each layer's cell
 * state, bottom layer first. A feedforward controller carries no state of
 * its own.
 *
 * Errors: NTM_ERR_NULL if `out_size` is NULL; NTM_ERR_HANDLE.
 * Thread-safety: any thread; reads only the config, which never changes.
 */
ntm_status ntm_model_state_size(ntm_model *model, size_t *out_size);

/**
 * The learned initial state (what a sequence starts from when no state is
 * given) into `state`, `count` floats (`ntm_model_state_size`). It
 * depends on the weights: the weightings are the softmax of learned
 * logits, and the memory and read vectors may be learned.
 *
 * Errors: NTM_ERR_NULL if `state` is NULL; NTM_ERR_HANDLE; NTM_ERR_ARGUMENT
 * if `count` is not the state size.
 * Thread-safety: reads the weights: not while the model is being updated.
 */
ntm_status ntm_model_initial_state(ntm_model *model, float *state, size_t count);

/**
 * Runs `batch` (1 ... 65536) sequences of `length` (1 ... 2^20) steps
 * each, without gradients. `inputs` holds `batch x length x input_size`
 * floats (sequence `i`, step `t` at `[(i * length + t) * input_size]`).
 * Each sequence starts from its state in `initial_states` (`batch x
 * state_size`, see `ntm_model_state_size`; e.g. the `final_states` of
 * the previous chunk) or, when it is NULL, from the learned initial state.
 *
 * Writes to `outputs` (`batch x length x output_size`) the output
 * probabilities, or with `logits` true the logits before the sigmoid; and
 * to `final_states` (`batch x state_size`) the state after each
 * sequence's last step. Either may be NULL. The outputs are exactly those
 * `ntm_model_backward` computes for the same arguments.
 *
 * Errors: NTM_ERR_NULL if `inputs` is NULL; NTM_ERR_HANDLE;
 * NTM_ERR_ARGUMENT if `batch` or `length` is out of range or a weighting
 * in `initial_states` is negative; NTM_ERR_NONFINITE for a NaN or
 * infinite input or state value (the message names the array and index);
 * NTM_ERR_MEMORY.
 * Thread-safety: reads the weights: any number of threads may run a model
 * at once, but not while it is being updated.
 */
ntm_status ntm_model_forward(ntm_model *model,
                             size_t batch,
                             size_t length,
                             const float *inputs,
                             const float *initial_states,
                             bool logits,
                             float *outputs,
                             float *final_states);

/**
 * Backpropagation through a batch of sequences from gradients the caller
 * supplies: `ntm_model_forward` with the same `batch`, `length`,
 * `inputs`, `initial_states` and `logits` (its outputs and final states
 * are written to `outputs` and `final_states` when they are not NULL),
 * then backpropagation of
 *   - `output_gradients` (`batch x length x output_size`, required): the
 *     gradient of the caller's loss with respect to the outputs, i.e. the
 *     probabilities, or with `logits` true the logits;
 *   - `final_state_gradients` (`batch x state_size`, or NULL for zero):
 *     the gradient with respect to each final state, as a later chunk's
 *     `initial_state_gradients` returned it.
 *
 * Writes `input_gradients` (`batch x length x input_size`) and
 * `initial_state_gradients` (`batch x state_size`, the gradient with
 * respect to each initial state: pass it to the previous chunk as its
 * `final_state_gradients`) when they are not NULL, and OVERWRITES
 * `parameter_gradient` (`parameter_count` floats, the parameter count of
 * `ntm_model_shape`, required) with the gradient with respect to the
 * parameters, summed over the batch. The learned initial-state parameters
 * get a gradient only when `initial_states` is NULL. The forward pass is
 * computed again here (a tape of `length` steps is kept only within the
 * call). Chaining chunks this way gives the gradient of one pass over the
 * whole sequence (the sum of the chunks' parameter gradients), up to
 * float rounding.
 *
 * The parameter gradient is the exact gradient as long as the gradient
 * carried from step to step stays within the library's per-step bound
 * (docs/MODEL.md, "BPTT through the weightings and the memory"); beyond it, as in training, it is
 * rescaled.
 *
 * Errors: NTM_ERR_NULL if `inputs`, `output_gradients` or
 * `parameter_gradient` is NULL; NTM_ERR_HANDLE; NTM_ERR_ARGUMENT as
 * `ntm_model_forward`, or if `parameter_count` is not the parameter
 * count; NTM_ERR_NONFINITE for a NaN or infinite input, state, output
 * gradient or state gradient (the message names the array and index);
 * NTM_ERR_MEMORY. On failure nothing is written.
 * Thread-safety: reads the weights: any number of threads may run a model
 * at once, but not while it is being updated.
 */
ntm_status ntm_model_backward(ntm_model *model,
                              size_t batch,
                              size_t length,
                              const float *inputs,
                              const float *initial_states,
                              bool logits,
                              const float *output_gradients,
                              const float *final_state_gradients,
                              float *outputs,
                              float *final_states,
                              float *input_gradients,
                              float *initial_state_gradients,
                              float *parameter_gradient,
                              size_t parameter_count);

/* ==== Tasks: the paper's experiments as data generators ===================== */

/**
 * The number of built-in tasks.
 *
 * Errors: none. Thread-safety: any thread, any time.
 */
size_t ntm_task_count(void);

/**
 * The name of task `index` (0 <= index < `ntm_task_count()`): `"copy"`,
 * `"repeat-copy"`, `"associative-recall"`, `"dynamic-ngrams"`,
 * `"priority-sort"`; NULL if `index` is out of range.
 *
 * Ownership: a static string owned by the library; never free it.
 * Errors: returns NULL for an index out of range (the last error is not set).
 * Thread-safety: any thread, any time.
 */
const char *ntm_task_name(size_t index);

/**
 * The shape of a task's sequences: `*out_input_size` and
 * `*out_output_size`, the widths of one step's input and target vectors
 * (a model for the task needs the same sizes), and `*out_max_length`, the
 * most steps a sequence of the task can have -- the `max_length` to give
 * `ntm_task_sample`. Each output may be NULL.
 *
 * `options_json` is NULL (all defaults) or a JSON object of integer
 * options; a missing option takes its default:
 *
 *     task                options (default)
 *     copy                width (8), min_length (1), max_length (20)
 *     repeat-copy         width (8), min_length (1), max_length (10),
 *                         min_repeats (1), max_repeats (10)
 *     associative-recall  width (6), item_length (3), min_items (2), max_items (6)
 *     dynamic-ngrams      order (6, 2 ... 16), length (200)
 *     priority-sort       width (8), input_count (20), output_count (16)
 *
 * Sizes are 1 ... 100000 (items at least 2), minimums at most maximums,
 * output_count at most input_count. See Sources/NTM/Tasks for each task's
 * channel layout.
 *
 * Errors: NTM_ERR_NULL if `task` is NULL; NTM_ERR_CONFIG for an unknown
 * task, options that are not a JSON object of numbers, or an unknown,
 * non-integer or out-of-range option (the message names it).
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_task_shape(const char *task,
                          const char *options_json,
                          size_t *out_input_size,
                          size_t *out_output_size,
                          size_t *out_max_length);

/**
 * Samples `batch` (1 ... 65536) sequences of a task into caller buffers, as
 * a padded batch ready for `ntm_model_evaluate` and `ntm_trainer_train`:
 * `inputs` receives `batch x max_length x input_size` floats, `targets`
 * `batch x max_length x output_size`, `mask` `batch x max_length` (1 where
 * a step's targets count, else 0), and `lengths` the `batch` lengths;
 * steps past a sequence's length are zero. `max_length` must be at least
 * the task's `*out_max_length` from `ntm_task_shape`. The same name,
 * options and `seed` always give the same batch.
 *
 * Errors: NTM_ERR_NULL if `task` or a buffer is NULL; NTM_ERR_CONFIG as
 * for `ntm_task_shape`; NTM_ERR_ARGUMENT if `batch` is out of range or
 * `max_length` is too small.
 * Thread-safety: any thread, any time.
 */
ntm_status ntm_task_sample(const char *task,
                           const char *options_json,
                           uint64_t seed,
                           size_t batch,
                           size_t max_length,
                           float *inputs,
                           float *targets,
                           float *mask,
                           size_t *lengths);
