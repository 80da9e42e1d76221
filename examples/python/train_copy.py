#!/usr/bin/env python3
"""Train a Neural Turing Machine on the copy task from Python.

Trains an NTM (feedforward controller) to copy sequences of 1 ... 10 random
8-bit vectors, with a progress bar; saves the model; reloads it; checks that
the reloaded model computes exactly what the trained one does; evaluates it
on longer sequences (20 vectors) than it ever saw; and, when matplotlib is
installed, draws the learning curve and the heads' read and write weightings
over one test sequence (the NTM writes the input vectors to consecutive
memory rows and then reads them back in the same order).

    python3 examples/python/train_copy.py                    # ~15-30 s on 2 cores
    python3 examples/python/train_copy.py --steps 200 --max-length 3 --test-length 6   # a quick look

Needs the `ntm` package (pip install ./bindings/python after `make lib`, or
run from the repository: the script falls back to bindings/python and
build/lib). Files go to --output-dir: copy.safetensors, learning_curve.csv
and, with matplotlib, learning_curve.png and weightings.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import List, Optional

try:
    import ntm
except ImportError:  # not installed: use the repository's copy of the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import ntm

import numpy as np


def parse_arguments(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--steps", type=int, default=5000, help="updates to train for")
    parser.add_argument("--batch-size", type=int, default=8, help="sequences per update")
    parser.add_argument("--max-length", type=int, default=10, help="longest training sequence (vectors to copy)")
    parser.add_argument("--test-length", type=int, default=20, help="length of the longer test sequences")
    parser.add_argument("--test-sequences", type=int, default=64, help="number of test sequences")
    parser.add_argument("--controller", choices=["feedforward", "lstm"], default="feedforward")
    parser.add_argument("--units", type=int, default=100, help="controller units")
    parser.add_argument("--memory-rows", type=int, default=64, help="memory rows N (at least --test-length)")
    parser.add_argument("--memory-width", type=int, default=8, help="memory width M")
    parser.add_argument("--learning-rate", type=float, default=3e-3, help="Adam's learning rate")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1), help="training threads")
    parser.add_argument("--seed", type=int, default=1, help="seed of the initial weights and the data")
    parser.add_argument("--report-every", type=int, default=0,
                        help="print a progress line every N updates (default: a progress bar on a terminal, "
                             "else about 20 lines)")
    parser.add_argument("--output-dir", type=Path, default=Path("copy-output"), help="where to write the files")
    parser.add_argument("--no-plots", action="store_true", help="do not draw pictures even if matplotlib is there")
    return parser.parse_args(argv)


class Progress:
    """A plain-text progress bar (redrawn in place on a terminal, else printed
    as lines)."""

    def __init__(self, total: int, report_every: int) -> None:
        self.total = total
        self.interactive = report_every <= 0 and sys.stdout.isatty()
        self.every = report_every if report_every > 0 else max(1, total // 20)
        self.start = time.perf_counter()

    def update(self, done: int, loss: float, errors: float) -> None:
        if not self.interactive and done % self.every and done != self.total:
            return
        if self.interactive and done % max(1, self.total // 200) and done != self.total:
            return
        width = 30
        filled = width * done // self.total
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(self.total))}}/{self.total}  "
                f"loss {loss:7.3f} bits/seq  bit errors {errors:6.3f}/seq  {elapsed:6.1f} s  {rate:6.0f} updates/s")
        if self.interactive:
            print("\r" + line, end="\n" if done == self.total else "", flush=True)
        else:
            print(line, flush=True)


def train(args: argparse.Namespace, model: ntm.Model) -> np.ndarray:
    """Trains ``model``; returns (update, loss bits, bit errors) per update."""
    trainer = ntm.Trainer(model, kind="adam", learning_rate=args.learning_rate, threads=args.threads,
                          data_seed=args.seed)
    print(f"training {model}")
    print(f"on copy sequences of 1 ... {args.max_length} vectors, {args.batch_size} per update, "
          f"Adam lr {args.learning_rate}, {args.threads} threads")
    progress = Progress(args.steps, args.report_every)
    curve = np.zeros((args.steps, 3))
    smoothed_loss = smoothed_errors = None
    with trainer:
        for step in range(1, args.steps + 1):
            result = trainer.train_task("copy", args.batch_size, max_length=args.max_length)
            curve[step - 1] = (step, result.loss_bits, result.bit_errors)
            smoothed_loss = result.loss_bits if smoothed_loss is None else 0.95 * smoothed_loss + 0.05 * result.loss_bits
            smoothed_errors = (result.bit_errors if smoothed_errors is None
                               else 0.95 * smoothed_errors + 0.05 * result.bit_errors)
            progress.update(step, smoothed_loss, smoothed_errors)
    return curve


def evaluate(model: ntm.Model, args: argparse.Namespace, length: int) -> ntm.EvaluationResult:
    batch = ntm.tasks.sample("copy", args.test_sequences, seed=args.seed + 1000 + length,
                             min_length=length, max_length=length)
    return model.evaluate(*batch)


def draw(args: argparse.Namespace, curve: np.ndarray, model: ntm.Model) -> None:
    if args.no_plots:
        print("pictures: skipped (--no-plots)")
        return
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only; no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print("pictures: matplotlib is not installed, so no pictures were drawn "
              "(pip install matplotlib to get learning_curve.png and weightings.png)")
        return

    figure, axis = plt.subplots(figsize=(7, 4))
    axis.plot(curve[:, 0], curve[:, 1], linewidth=0.5, alpha=0.4, label="per update")
    window = max(1, len(curve) // 50)
    smooth = np.convolve(curve[:, 1], np.ones(window) / window, mode="valid")
    axis.plot(curve[window - 1 :, 0], smooth, label=f"mean of {window}")
    axis.set_yscale("log")
    axis.set_xlabel("update")
    axis.set_ylabel("loss (bits per sequence)")
    axis.set_title("copy task: learning curve")
    axis.legend()
    figure.tight_layout()
    figure.savefig(args.output_dir / "learning_curve.png", dpi=120)
    plt.close(figure)

    # one test sequence, stepped through a stream, recording the heads
    length = args.test_length
    sample = ntm.tasks.sample("copy", 1, seed=args.seed + 2000, min_length=length, max_length=length)
    steps = int(sample.lengths[0])
    inputs = np.ascontiguousarray(sample.inputs[0, :steps])
    with model.stream() as stream:
        trace = stream.trace(inputs)
    shape = model.shape
    panels = [("inputs", inputs.T), ("outputs", trace.outputs.T),
              ("write weighting", trace.weightings[:, 0, :].T),
              ("read weighting", trace.weightings[:, shape.write_heads, :].T)]
    figure, axes = plt.subplots(1, 4, figsize=(14, 4))
    for axis, (title, values) in zip(axes, panels):
        axis.imshow(values, aspect="auto", cmap="viridis", interpolation="nearest", origin="upper")
        axis.set_title(title)
        axis.set_xlabel("step")
    axes[0].set_ylabel("channel")
    axes[2].set_ylabel("memory row")
    figure.suptitle(f"copy of {length} vectors (trained on up to {args.max_length})")
    figure.tight_layout()
    figure.savefig(args.output_dir / "weightings.png", dpi=120)
    plt.close(figure)
    print(f"pictures: {args.output_dir / 'learning_curve.png'}, {args.output_dir / 'weightings.png'}")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_arguments(argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    print(f"ntm {ntm.version()} ({ntm.library_path()})")

    model = ntm.Model(input_size=9, output_size=8, controller=args.controller, controller_layers=[args.units],
                      memory_rows=args.memory_rows, memory_width=args.memory_width, seed=args.seed)
    curve = train(args, model)
    np.savetxt(args.output_dir / "learning_curve.csv", curve, delimiter=",", fmt=["%d", "%.6f", "%.4f"],
               header="update,loss_bits,bit_errors", comments="")

    path = args.output_dir / "copy.safetensors"
    model.save(path)
    reloaded = ntm.Model.load(path)
    check = ntm.tasks.sample("copy", 4, seed=args.seed + 3000, max_length=args.max_length)
    identical = model.evaluate(*check).outputs.tobytes() == reloaded.evaluate(*check).outputs.tobytes()
    print(f"saved {path} ({path.stat().st_size} bytes); reloaded: "
          f"{'bit-identical outputs' if identical else 'OUTPUTS DIFFER'}")
    if not identical:
        return 1

    for length in sorted({args.max_length, args.test_length}):
        result = evaluate(reloaded, args, length)
        note = "trained length" if length <= args.max_length else "longer than any training sequence"
        print(f"copy of {length:3d} vectors ({note}): {result.bit_errors:.3f} bit errors and "
              f"{result.loss_bits:.3f} bits of loss per sequence (of {8 * length} bits)")

    draw(args, curve, reloaded)
    model.close()
    reloaded.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
