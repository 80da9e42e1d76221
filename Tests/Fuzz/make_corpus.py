#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Tests/Fuzz/corpus/<target>/).

    python3 Tests/Fuzz/make_corpus.py build/lib/libntm.so

The seeds are valid inputs of each target's input language (see the
comments at the top of Tests/Fuzz/fuzz_*.c), so fuzzing starts from inputs
that get through the outer checks. Run it again when the file format or a
config's fields change; the targets stay correct with stale seeds, they
only start further from the interesting inputs.
"""
import ctypes
import pathlib
import struct
import sys

HERE = pathlib.Path(__file__).resolve().parent
FEEDFORWARD = (b'{"input_size": 4, "output_size": 3, "controller": "feedforward", "controller_layers": [6],'
               b' "memory_rows": 6, "memory_width": 4}')
LSTM = (b'{"input_size": 4, "output_size": 3, "controller": "lstm", "controller_layers": [5],'
        b' "memory_rows": 6, "memory_width": 4, "read_heads": 2, "initial_memory": "learned",'
        b' "add_activation": "tanh"}')


def main() -> None:
    lib = ctypes.CDLL(sys.argv[1])
    P = ctypes.c_void_p

    def check(status: int) -> None:
        if status != 0:
            raise SystemExit(f"ntm call failed: {lib.ntm_last_error and ctypes.string_at(lib.ntm_last_error())}")

    lib.ntm_last_error.restype = ctypes.c_void_p
    lib.ntm_preset_name.restype = ctypes.c_char_p
    lib.ntm_task_name.restype = ctypes.c_char_p

    def saved(save, handle) -> bytes:
        size = ctypes.c_size_t()
        check(save(handle, None, ctypes.c_size_t(0), ctypes.byref(size)))
        buffer = ctypes.create_string_buffer(size.value)
        check(save(handle, buffer, size, ctypes.byref(size)))
        return buffer.raw

    def text(get, *args) -> bytes:
        size = ctypes.c_size_t()
        check(get(*args, None, ctypes.c_size_t(0), ctypes.byref(size)))
        buffer = ctypes.create_string_buffer(size.value)
        check(get(*args, buffer, size, ctypes.byref(size)))
        return buffer.value

    feedforward, lstm, trainer = P(), P(), P()
    check(lib.ntm_model_create(FEEDFORWARD, ctypes.c_uint64(1), ctypes.byref(feedforward)))
    check(lib.ntm_model_create(LSTM, ctypes.c_uint64(2), ctypes.byref(lstm)))
    check(lib.ntm_trainer_create(lstm, b'{"kind": "adam"}', ctypes.c_size_t(1), ctypes.c_uint64(3),
                                 ctypes.byref(trainer)))
    files = [saved(lib.ntm_model_save_to_buffer, feedforward), saved(lib.ntm_model_save_to_buffer, lstm),
             saved(lib.ntm_trainer_save_to_buffer, trainer)]

    seeds: dict = {"load": {}, "config": {}, "api": {}}
    for which, name in enumerate(["feedforward", "lstm", "trainer"]):
        file = files[which]
        header = file[8:8 + struct.unpack("<Q", file[:8])[0]]
        seeds["load"][f"as-is-{name}"] = b"\x00" + file
        seeds["load"][f"no-edits-{name}"] = b"\x01" + bytes([which])
        seeds["load"][f"same-header-{name}"] = b"\x02" + bytes([which]) + header
        seeds["load"][f"cut-{name}"] = b"\x03" + bytes([which, 1])
        seeds["load"][f"data-edits-{name}"] = b"\x04" + bytes([which])

    # Configs: the first byte picks the parser (0 model, 1 optimiser, 2 + 3k task k).
    seeds["config"]["model-feedforward"] = b"\x00" + FEEDFORWARD
    seeds["config"]["model-lstm"] = b"\x00" + LSTM
    for index in range(lib.ntm_preset_count()):
        name = lib.ntm_preset_name(ctypes.c_size_t(index))
        if name.endswith(b"ntm-lstm") or name.startswith(b"copy/"):
            seeds["config"]["preset-" + name.decode().replace("/", "-")] = \
                b"\x00" + text(lib.ntm_preset_model_json, name)
    for name, optimizer in [("rmsprop", b'{"kind": "rmsprop", "learning_rate": 1e-4, "momentum": 0.9}'),
                            ("adam", b'{"kind": "adam", "beta1": 0.9, "beta2": 0.999, "clip_norm": 50}'),
                            ("empty", b"{}")]:
        seeds["config"]["optimizer-" + name] = b"\x01" + optimizer
    options = [b'{"width": 8, "min_length": 1, "max_length": 20}',
               b'{"max_length": 10, "max_repeats": 10}', b'{"item_length": 3, "max_items": 6}',
               b'{"order": 6, "length": 200}', b'{"input_count": 20, "output_count": 16}']
    for index, option in enumerate(options):
        seeds["config"]["task-" + lib.ntm_task_name(ctypes.c_size_t(index)).decode()] = \
            bytes([2 + 3 * index]) + option

    # API: op byte, then its arguments (see run() in fuzz_api.c).
    create_model = bytes([0, 0, 1])            # model, config 0, seed 1
    create_stream = bytes([2, 0])              # stream of the newest model
    step = bytes([4, 0, 4, 4, 1])              # right counts
    create_trainer = bytes([7, 0, 1, 0, 5])    # adam, 1 thread, data seed 5
    train = bytes([10, 1, 2, 1, 1, 1, 1, 1, 0, 0])  # batch 2, length 3, both lengths 2
    seeds["api"]["model-stream-step"] = create_model + create_stream + step + step + bytes([5, 0]) + step
    seeds["api"]["trainer-train-save"] = create_model + create_trainer + train + bytes([15, 0, 1, 16, 0, 0])
    seeds["api"]["free-twice"] = create_model + bytes([1, 0, 1, 0]) + create_stream

    for target, entries in seeds.items():
        folder = HERE / "corpus" / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in entries.items():
            (folder / name).write_bytes(data)
        print(f"{folder}: {len(entries)} seeds")


if __name__ == "__main__":
    main()
