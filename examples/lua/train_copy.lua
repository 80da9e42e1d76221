-- Trains a Neural Turing Machine on the copy task from LuaJIT, through
-- libntm's C API and LuaJIT's FFI: create, train, save, load, then run the
-- loaded model one step at a time through a stream.
--
--     luajit train_copy.lua [MODEL_PATH]       (default copy.safetensors)
--
-- The FFI reads include/ntm_ffi.h, the generated variant of ntm.h without
-- preprocessor lines. Settings (environment variables, all optional):
--     NTM_INCLUDE       folder holding ntm_ffi.h        (default: ../../include)
--     NTM_LIBRARY       path of libntm.so               (default: the linker's search, "ntm")
--     NTM_STEPS         updates                         (default 3000)
--     NTM_MAX_LENGTH    longest training sequence       (default 5)
--     NTM_REPORT_EVERY  updates between progress lines  (default 500)

local ffi = require("ffi")

local function setting(name, fallback)
    local text = os.getenv(name)
    if text and text ~= "" then return text end
    return fallback
end

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local include = setting("NTM_INCLUDE", here .. "/../../include")
local header = assert(io.open(include .. "/ntm_ffi.h", "r"),
                      "cannot open " .. include .. "/ntm_ffi.h; set NTM_INCLUDE")
ffi.cdef(header:read("*a"))
header:close()
local lib = ffi.load(setting("NTM_LIBRARY", "ntm"))

-- Every call returns an ntm_status; anything but NTM_OK raises a Lua error
-- carrying the status name and the library's message for this thread.
local function check(status, call)
    if status ~= lib.NTM_OK then
        error(string.format("%s failed: %s: %s", call, ffi.string(lib.ntm_status_name(status)),
                            ffi.string(lib.ntm_last_error())), 2)
    end
end

-- Handles are freed by the garbage collector as well as explicitly, so an
-- error anywhere cannot leak them.
local function model_handle(out)
    return ffi.gc(out[0], lib.ntm_model_free)
end

local path = arg[1] or "copy.safetensors"
local steps = tonumber(setting("NTM_STEPS", "3000"))
local max_length = tonumber(setting("NTM_MAX_LENGTH", "5"))
local report = tonumber(setting("NTM_REPORT_EVERY", "500"))

print(string.format("libntm %s (header %d.%d.%d) from LuaJIT", ffi.string(lib.ntm_version_string()),
                    lib.NTM_VERSION_MAJOR, lib.NTM_VERSION_MINOR, lib.NTM_VERSION_PATCH))
if lib.ntm_version_number() ~= lib.NTM_VERSION_NUMBER then
    error("the library loaded is not the version ntm_ffi.h describes")
end

-- The task decides the model's input and output sizes.
local options = string.format('{"width": 8, "min_length": 1, "max_length": %d}', max_length)
local sizes = ffi.new("size_t[3]")
check(lib.ntm_task_shape("copy", options, sizes, sizes + 1, sizes + 2), "ntm_task_shape")
local inputs, outputs = tonumber(sizes[0]), tonumber(sizes[1])

-- A malformed config is refused with a message naming the field.
local out_model = ffi.new("ntm_model *[1]")
local status = lib.ntm_model_create('{"input_size": 9, "output_size": 8, "memory_rows": -1}', 1, out_model)
print(string.format("a bad config is refused: %s: %s", ffi.string(lib.ntm_status_name(status)),
                    ffi.string(lib.ntm_last_error())))
assert(status == lib.NTM_ERR_CONFIG)

local config = string.format('{"input_size": %d, "output_size": %d, "controller": "feedforward",' ..
                             ' "controller_layers": [100], "memory_rows": 128, "memory_width": 20}',
                             inputs, outputs)
check(lib.ntm_model_create(config, 1, out_model), "ntm_model_create")
local model = model_handle(out_model)

local out_trainer = ffi.new("ntm_trainer *[1]")
check(lib.ntm_trainer_create(model, '{"kind": "adam", "learning_rate": 0.001, "clip_value": 10}', 1, 2,
                             out_trainer), "ntm_trainer_create")
local trainer = ffi.gc(out_trainer[0], lib.ntm_trainer_free)

local loss, errors = ffi.new("double[1]"), ffi.new("double[1]")
local sum_loss, sum_errors = 0, 0
for update = 1, steps do
    check(lib.ntm_trainer_train_task(trainer, "copy", options, 1, loss, errors), "ntm_trainer_train_task")
    sum_loss, sum_errors = sum_loss + loss[0], sum_errors + errors[0]
    if update % report == 0 then
        print(string.format("update %6d: loss %8.3f bits/sequence, %6.2f bit errors/sequence", update,
                            sum_loss / report, sum_errors / report))
        sum_loss, sum_errors = 0, 0
    end
end

check(lib.ntm_model_save(model, path), "ntm_model_save")
print("saved " .. path)
local load_status = lib.ntm_model_load(path .. ".missing", out_model)
print("loading a file that is not there: " .. ffi.string(lib.ntm_status_name(load_status)))
assert(load_status == lib.NTM_ERR_IO)
check(lib.ntm_model_load(path, out_model), "ntm_model_load")
local loaded = model_handle(out_model)

-- Step the loaded model through one copy sequence: the vectors, the
-- delimiter, then blank inputs while it writes the vectors back.
local length = max_length
local out_stream = ffi.new("ntm_stream *[1]")
check(lib.ntm_stream_create(loaded, out_stream), "ntm_stream_create")
local stream = ffi.gc(out_stream[0], lib.ntm_stream_free)
local input, output = ffi.new("float[?]", inputs), ffi.new("float[?]", outputs)
local sequence, seed = {}, 12345
for t = 1, length do
    sequence[t] = {}
    for i = 1, outputs do
        seed = (seed * 1103515245 + 12345) % 2147483648
        sequence[t][i] = math.floor(seed / 65536) % 2
    end
end
local wrong = 0
for t = 1, 2 * length + 1 do
    ffi.fill(input, inputs * ffi.sizeof("float"))
    if t <= length then
        for i = 1, outputs do input[i - 1] = sequence[t][i] end
    elseif t == length + 1 then
        input[inputs - 1] = 1 -- the delimiter
    end
    check(lib.ntm_stream_step(stream, input, inputs, output, outputs), "ntm_stream_step")
    if t > length + 1 then
        local bits = {}
        for i = 1, outputs do
            local bit = output[i - 1] > 0.5 and 1 or 0
            bits[i] = bit
            if bit ~= sequence[t - length - 1][i] then wrong = wrong + 1 end
        end
        print(string.format("step %2d  out %s", t, table.concat(bits)))
    end
end
print(string.format("copied %d vectors back with %d bit errors", length, wrong))

-- A wrong size is an error status, never a crash.
local bad = lib.ntm_stream_step(stream, input, inputs + 1, output, outputs)
print("a step with the wrong input size: " .. ffi.string(lib.ntm_status_name(bad)))
assert(bad == lib.NTM_ERR_ARGUMENT)

-- Free explicitly (the collector would too), trainer before its model.
check(lib.ntm_stream_free(ffi.gc(stream, nil)), "ntm_stream_free")
check(lib.ntm_trainer_free(ffi.gc(trainer, nil)), "ntm_trainer_free")
check(lib.ntm_model_free(ffi.gc(loaded, nil)), "ntm_model_free")
check(lib.ntm_model_free(ffi.gc(model, nil)), "ntm_model_free")
