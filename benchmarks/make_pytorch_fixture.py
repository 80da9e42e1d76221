#!/usr/bin/env python3
"""Writes the committed PyTorch fixture that `make test` checks without torch.

  swift build -c release --product ntm-bench
  .build/release/ntm-bench --export /tmp/ntm-check
  PYTHON_WITH_TORCH benchmarks/make_pytorch_fixture.py /tmp/ntm-check

For the two small export cases (ff-small: feedforward controller of two
layers, two read and two write heads, learned initial memory, tanh adds;
lstm-small: two LSTM layers, shift range 2, random initial memory), copies
the model and batch into Tests/NTMTests/Fixtures/pytorch/<case>/ and adds
reference.safetensors: the outputs, loss (nats, mean over the batch) and
every parameter gradient of the PyTorch reference (pytorch_ntm.py) in
float64, computed by autograd. PyTorchFixtureTests compares our float64
and float32 results with it, so a change to a formula is caught by the
tests on every machine, not only where torch is installed. Run it again
only when the reference or the export cases change; the weights depend on
nothing but the seeds in `ntm-bench --export`.
"""

import os
import shutil
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_reference  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "NTMTests", "Fixtures", "pytorch")
CASES = ("ff-small", "lstm-small")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    export = sys.argv[1]
    for case in CASES:
        source = os.path.join(export, case)
        if not os.path.isfile(os.path.join(source, "model.safetensors")):
            sys.exit(f"make_pytorch_fixture: {source} has no model.safetensors (run ntm-bench --export {export})")
        ref = check_reference.reference(source)
        target = os.path.join(FIXTURES, case)
        os.makedirs(target, exist_ok=True)
        for name in ("model.safetensors", "batch.safetensors"):
            shutil.copyfile(os.path.join(source, name), os.path.join(target, name))
        tensors = {"outputs": ref["outputs"].contiguous(), "loss": ref["loss"].contiguous()}
        tensors.update({"grad." + name: g.contiguous() for name, g in ref["grads"].items()})
        save_file(tensors, os.path.join(target, "reference.safetensors"),
                  metadata={"torch": torch.__version__, "dtype": "float64"})
        print(f"{target}: {len(ref['grads'])} gradient tensors, loss {ref['loss'].item():.12g}")


if __name__ == "__main__":
    main()
