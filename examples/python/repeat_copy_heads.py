#!/usr/bin/env python3
"""Follow a repeat-copy NTM's heads through a sequence, one repetition a line.

Loads a model trained on repeat copy (e.g. by `ntm train --task repeat-copy`),
builds one sequence of L random vectors to be repeated R times (either may lie
beyond the training range), steps it through a stream, and prints for each
repetition of the output: the bit errors on the data channels, the largest
end-marker probability, the memory rows the write and read heads focus on,
and how much of the input is still in memory ("input kept": the smallest
cosine similarity between a row written while the input was read and that
same row now). This tells apart the two ways a trained model can fail beyond
its training range: it may stop copying because its write head has swept
round the memory onto the rows that hold the input (input kept drops), or
because its control breaks while the input is still intact.

    python3 examples/python/repeat_copy_heads.py runs/repeat-copy-ntm-feedforward/model.safetensors 10 20

The repeat count is standardised with the *training* range of counts, as the
task does: the range `ntm train` recorded in the model file, or
--min-repeats/--max-repeats (the paper's 1 and 10 when neither says).
Prints only; needs the `ntm` package (or runs from the repository).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path
from typing import Dict, List, Optional

try:
    import ntm
except ImportError:  # not installed: use the repository's copy of the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import ntm

import numpy as np


def parse_arguments(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("model", type=Path, help="a repeat-copy model (.safetensors)")
    parser.add_argument("length", type=int, help="vectors in the sequence (L)")
    parser.add_argument("repeats", type=int, help="times to repeat it (R)")
    parser.add_argument("--min-repeats", type=int, help="smallest repeat count of the training range "
                        "(default: the model file's, else 1)")
    parser.add_argument("--max-repeats", type=int, help="largest repeat count of the training range "
                        "(default: the model file's, else 10)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the random vectors")
    args = parser.parse_args(argv)
    if args.length < 1 or args.repeats < 1:
        parser.error("length and repeats must be at least 1")
    return args


def training_metadata(path: Path) -> Dict[str, str]:
    """The string metadata of a .safetensors file (`ntm train` records its
    task and task options there); empty if the header cannot be read."""
    try:
        with open(path, "rb") as f:
            size = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(size))
        metadata = header.get("__metadata__", {})
        return metadata if isinstance(metadata, dict) else {}
    except (OSError, ValueError, struct.error):
        return {}


def standardised_count(repeats: int, low: int, high: int) -> float:
    """The count as the task puts it on its channel: standardised with the mean
    and variance of the uniform distribution over [low, high]."""
    span = high - low + 1
    variance = (span * span - 1) / 12
    centred = repeats - (low + high) / 2
    return centred / np.sqrt(variance) if variance > 0 else centred


def repeat_copy_inputs(data: np.ndarray, repeats: int, count: float) -> np.ndarray:
    """Inputs of one sequence: the vectors, then the delimiter with the count,
    then silence while the network answers (L + 1 + R·L + 1 steps)."""
    length, width = data.shape
    inputs = np.zeros((length + 1 + repeats * length + 1, width + 2), dtype=np.float32)
    inputs[:length, :width] = data
    inputs[length, width] = 1
    inputs[length, width + 1] = count
    return inputs


def rows(weightings: np.ndarray) -> str:
    """The rows a head focused on over some steps, first..last."""
    focus = weightings.argmax(axis=1)
    return f"{focus[0]:3d}..{focus[-1]:3d}"


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity."""
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.sum(a * b, axis=1) / np.maximum(norms, 1e-12)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_arguments(argv)
    model = ntm.Model.load(args.model)
    metadata = training_metadata(args.model)
    task = metadata.get("ntm.task")
    if task is not None and task != "repeat-copy":
        print(f"{args.model}: trained on {task}, not repeat-copy", file=sys.stderr)
        return 2
    options = json.loads(metadata.get("ntm.task_options", "{}"))
    low = args.min_repeats if args.min_repeats is not None else int(options.get("min_repeats", 1))
    high = args.max_repeats if args.max_repeats is not None else int(options.get("max_repeats", 10))
    if not 1 <= low <= high:
        print(f"the training range of repeat counts must satisfy 1 <= min <= max, not {low}-{high}", file=sys.stderr)
        return 2
    shape = model.shape
    width = shape.output_size - 1
    if shape.memory_rows == 0 or shape.input_size != width + 2:
        print(f"{args.model}: not shaped like a repeat-copy NTM ({shape.input_size} inputs, {shape.output_size} outputs, "
              f"{shape.memory_rows} memory rows)", file=sys.stderr)
        return 2
    data = np.random.default_rng(args.seed).integers(0, 2, (args.length, width)).astype(np.float32)
    count = standardised_count(args.repeats, low, high)
    inputs = repeat_copy_inputs(data, args.repeats, count)

    steps = len(inputs)
    heads = shape.write_heads + shape.read_heads
    outputs = np.zeros((steps, shape.output_size), dtype=np.float32)
    weightings = np.zeros((steps, heads, shape.memory_rows), dtype=np.float32)
    memories = np.zeros((steps, shape.memory_rows, shape.memory_width), dtype=np.float32)
    with model.stream() as stream:
        for t in range(steps):
            outputs[t] = stream.step(inputs[t])
            weightings[t] = stream.weightings
            memories[t] = stream.memory

    # The rows the write head wrote while the input came in, as they stood
    # once the input had been read.
    write, read = 0, shape.write_heads
    input_rows = np.unique(weightings[: args.length, write].argmax(axis=1))
    stored = memories[args.length - 1, input_rows]

    print(f"{args.model}: {args.length} vectors x {args.repeats} repeats (count {count:+.2f}; "
          f"training range {low}-{high}), {steps} steps, "
          f"{shape.memory_rows} memory rows")
    print(f"input written to rows {rows(weightings[: args.length, write])} "
          f"(sharpness {weightings[: args.length, write].max(axis=1).min():.2f})")
    print(f"{'repetition':>10}  {'data errors':>11}  {'marker max':>10}  {'write head':>10}  "
          f"{'read head':>10}  {'read sharpness':>14}  {'input kept':>10}")
    first_output = args.length + 1
    for r in range(args.repeats):
        block = slice(first_output + r * args.length, first_output + (r + 1) * args.length)
        errors = int(((outputs[block, :width] > 0.5) != (data > 0.5)).sum())
        kept = cosine(memories[block.stop - 1, input_rows], stored).min()
        print(f"{r + 1:>10}  {errors:>11}  {outputs[block, width].max():>10.2f}  "
              f"{rows(weightings[block, write]):>10}  {rows(weightings[block, read]):>10}  "
              f"{weightings[block, read].max(axis=1).min():>14.2f}  {kept:>10.2f}")
    marker_step = steps - 1
    print(f"{'end':>10}  {'':>11}  {outputs[marker_step, width]:>10.2f}")
    model.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
