#!/usr/bin/env python3
"""The independent check of the gradients and outputs: our library against the PyTorch reference.

  swift build -c release --scratch-path .build-bench --product ntm-bench
  .build-bench/release/ntm-bench --export /tmp/ntm-check
  .venv-bench/bin/python benchmarks/check_reference.py /tmp/ntm-check

For every case directory that `ntm-bench --export` wrote (model.safetensors,
batch.safetensors, ours_float32.safetensors, ours_float64.safetensors), loads
our weights into the PyTorch NTM of pytorch_ntm.py in float64, runs the batch
forward, takes the loss (cross-entropy in nats over masked steps and bits,
mean over the batch) and its gradient with autograd, and compares them with
ours: outputs y_t (over each sequence's own steps), the loss, and the
gradient of every parameter tensor.

Error measure, per tensor: max |ours − ref| / max |ref| (the largest error
relative to the tensor's scale; an elementwise relative error would be
dominated by entries that are zero up to rounding).

Tolerances (stated in advance, not fitted):
  * ours in float64 vs reference in float64: 1e-9. Both compute the same
    formulas in double precision; only the order of additions (our 8-lane
    dot products, PyTorch's BLAS) and the libm versions of exp/log/tanh
    differ, each contributing O(1e-16) per operation. Growth through ~40
    recurrent steps, softmaxes and the sharpening γ·log(·) stays far below
    1e-9 (we see ~1e-15), while a mistake in a formula — a wrong sign,
    index, factor or epsilon — shows many orders of magnitude above it.
    This is the sharp test of the math.
  * ours in float32 vs reference in float64: 1e-3. float32 has unit
    roundoff 6e-8; one training step is a chain of ~1e5 operations per time
    step over up to 41 steps, and the sharpening (γ > 1 applied to log w̃,
    with 1/w̃ in its gradient) and the softmaxes amplify the relative errors
    of small weightings. Errors of 1e-7…1e-4 are expected; the bound keeps
    an order of magnitude of margin. This comparison shows that float32
    training computes the same thing to working precision.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_ntm  # noqa: E402
from safetensors import safe_open  # noqa: E402

TOLERANCE = {"float64": 1e-9, "float32": 1e-3}


def load(path):
    with safe_open(path, framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, f.metadata()


def reference(case_dir):
    """Outputs, loss and gradients of the reference in float64."""
    model = pytorch_ntm.load_checkpoint(os.path.join(case_dir, "model.safetensors"), torch.float64)
    batch, _ = load(os.path.join(case_dir, "batch.safetensors"))
    x = batch["inputs"].double()
    targets = batch["targets"].double()
    mask = batch["mask"].double()
    logits = model(x)
    loss = pytorch_ntm.sequence_loss(logits, targets, mask)
    loss.backward()
    return {
        "outputs": torch.sigmoid(logits).detach(),
        "loss": loss.detach().reshape(1),
        "grads": pytorch_ntm.gradients_as_ours(model),
        "lengths": batch["lengths"].tolist(),
        "config": model.cfg,
    }


def relative_error(ours, ref):
    ours = ours.double()
    ref = ref.double()
    scale = ref.abs().max().item()
    err = (ours - ref).abs().max().item()
    return err / scale if scale > 0 else err, err, scale


def check_case(case_dir):
    name = os.path.basename(case_dir.rstrip("/"))
    ref = reference(case_dir)
    cfg = ref["config"]
    print(f"== {name}: {cfg.controller} {cfg.layers}, {cfg.read_heads} read + {cfg.write_heads} write heads, "
          f"memory {cfg.rows}x{cfg.width}, shifts ±{cfg.shift_range}, initial memory {cfg.initial_memory}, "
          f"adds {cfg.add_activation}; batch lengths {ref['lengths']}")
    ok = True
    for dtype in ("float64", "float32"):
        ours, _ = load(os.path.join(case_dir, f"ours_{dtype}.safetensors"))
        tol = TOLERANCE[dtype]
        rows = []
        # Outputs over each sequence's own steps only (padding is ours: zeros).
        mask = torch.zeros_like(ref["outputs"], dtype=torch.bool)
        for b, n in enumerate(ref["lengths"]):
            mask[b, :n] = True
        rows.append(("outputs",) + relative_error(ours["outputs"][mask], ref["outputs"][mask]))
        rows.append(("loss",) + relative_error(ours["loss"], ref["loss"]))
        worst_grad = ("", 0.0, 0.0, 0.0)
        for tname, g in ref["grads"].items():
            r = (f"grad {tname}",) + relative_error(ours["grad." + tname].reshape(g.shape), g)
            rows.append(r)
            if r[1] >= worst_grad[1]:
                worst_grad = r
        failed = [r for r in rows if not (r[1] <= tol)]
        ok = ok and not failed
        verdict = "PASS" if not failed else "FAIL"
        print(f"   ours {dtype} vs reference float64: {verdict} (tolerance {tol:g}, max |Δ| / max |ref| per tensor)")
        for label, rel, err, scale in rows:
            flag = "" if rel <= tol else "   <-- over tolerance"
            if dtype == "float64" or rel > tol or label in ("outputs", "loss") or label == worst_grad[0]:
                print(f"      {label:32s} rel {rel:9.2e}  max|Δ| {err:9.2e}  max|ref| {scale:9.2e}{flag}")
        print(f"      (worst gradient: {worst_grad[0]}, rel {worst_grad[1]:.2e})")
    return ok


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    cases = sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "model.safetensors")))
    if not cases:
        sys.exit(f"check_reference: no exported cases under {root} (run ntm-bench --export {root})")
    results = {c: check_case(os.path.join(root, c)) for c in cases}
    passed = sum(results.values())
    print(f"reference check: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
