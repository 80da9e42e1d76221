#!/usr/bin/env python3
"""A PyTorch Neural Turing Machine: the reference our speed and gradients are measured against.

Written the way a PyTorch user would write it (nn.Module, nn.LSTMCell or
nn.Linear controller, one nn.Linear for all head parameters, a Python loop
over time steps, autograd for the backward pass), with the same architecture
and math as our library (docs/MODEL.md):

  u_t = [x_t ; r_{t-1}]  ->  controller (tanh feedforward layers, or LSTM
  layers without peepholes)  ->  o_t = W_h h_t + b_h, split per head (write
  heads first, then read heads) as [k (M), beta^, g^, s^ (2S+1), gamma^,
  erase (M), add (M)]  ->  write heads address M_{t-1}, erase and add  ->
  read heads address M_t and read  ->  y_t = sigmoid(W_y [h_t ; r_t] + b_y).

Addressing: K = k.M_i / (|k| |M_i| + 1e-8), w^c = softmax(beta K),
w^g = g w^c + (1-g) w_{t-1}, circular shift over -S..S,
w = softmax(gamma log(w~ + 1e-30)); beta = softplus, g = sigmoid,
s = softmax, gamma = 1 + softplus, e = sigmoid, a linear (or tanh).
Initial state: r_0 learned, w_0 = softmax(learned logits), LSTM h_0/c_0
learned, M_0 constant / learned / fixed random.

It loads our weights from a safetensors checkpoint written by our library
(`load_ours`) and gives its gradients back in our tensor names and shapes
(`gradients_as_ours`), which is what benchmarks/check_reference.py uses.

Benchmark (run by benchmarks/run.py):

  python benchmarks/pytorch_ntm.py bench --workload ntm-bench.json --json torch.json

reads the configurations and sequence lengths that ntm-bench measured and
times the same work: training (RMSprop, clipping, one optimiser step per
batch; batches padded to their longest sequence and masked, as a PyTorch user
batches) at batch 1 and 16 with 1 and 2 threads, and the latency of one
inference step at batch 1. Every timed run records its process CPU time
(time.process_time, all threads) beside its wall time, so that run.py can
refuse a comparison with a run that did not have its cores. Our LSTM baseline
(config kind "lstm") is measured against PyTorch's own nn.LSTM
(`LSTMBaseline`), which is how a PyTorch user would write it.
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SIMILARITY_EPS = 1e-8
LOG_EPS = 1e-30


class Config:
    """Our model config (the JSON of the checkpoint's "config" metadata)."""

    def __init__(self, d):
        self.kind = d.get("kind", "ntm")
        self.input_size = int(d["input_size"])
        self.output_size = int(d["output_size"])
        self.controller = d.get("controller", "lstm")
        self.layers = [int(u) for u in d.get("controller_layers", [100])]
        lstm_kind = self.kind == "lstm"
        self.read_heads = int(d.get("read_heads", 0 if lstm_kind else 1))
        self.write_heads = int(d.get("write_heads", 0 if lstm_kind else 1))
        self.rows = int(d.get("memory_rows", 0 if lstm_kind else 128))
        self.width = int(d.get("memory_width", 0 if lstm_kind else 20))
        self.shift_range = int(d.get("shift_range", 0 if lstm_kind else 1))
        self.initial_memory = d.get("initial_memory", "constant")
        self.initial_memory_value = float(d.get("initial_memory_value", 1e-6))
        self.add_activation = d.get("add_activation", "linear")

    @property
    def uses_memory(self):
        return self.kind == "ntm"

    @property
    def shifts(self):
        return 2 * self.shift_range + 1

    @property
    def read_raw(self):
        return self.width + 3 + self.shifts

    @property
    def write_raw(self):
        return self.read_raw + 2 * self.width

    @property
    def heads_raw(self):
        return self.read_heads * self.read_raw + self.write_heads * self.write_raw

    @property
    def read_width(self):
        return self.read_heads * self.width if self.uses_memory else 0


class Controller(nn.Module):
    """Feedforward (tanh) or LSTM layers; LSTM initial states are learned."""

    def __init__(self, cfg, inputs):
        super().__init__()
        self.kind = cfg.controller
        sizes = [inputs] + cfg.layers
        if self.kind == "feedforward":
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        else:
            self.layers = nn.ModuleList(nn.LSTMCell(a, b) for a, b in zip(sizes, sizes[1:]))
            self.h0 = nn.ParameterList(nn.Parameter(torch.zeros(u)) for u in cfg.layers)
            self.c0 = nn.ParameterList(nn.Parameter(torch.zeros(u)) for u in cfg.layers)

    def initial_state(self, batch):
        if self.kind == "feedforward":
            return None
        return [(h.expand(batch, -1), c.expand(batch, -1)) for h, c in zip(self.h0, self.c0)]

    def forward(self, u, state):
        if self.kind == "feedforward":
            h = u
            for layer in self.layers:
                h = torch.tanh(layer(h))
            return h, None
        new_state = []
        h = u
        for layer, (h_prev, c_prev) in zip(self.layers, state):
            h, c = layer(h, (h_prev, c_prev))
            new_state.append((h, c))
        return h, new_state


def address(memory, k, beta_hat, g_hat, s_hat, gamma_hat, w_prev, shift_range):
    """One head's weighting over the rows of `memory` [B, N, M]."""
    beta = F.softplus(beta_hat)                      # [B, 1]
    g = torch.sigmoid(g_hat)
    s = torch.softmax(s_hat, dim=-1)                 # [B, 2S+1]
    gamma = 1 + F.softplus(gamma_hat)
    # Content: cosine similarity with the epsilon added to the norm product.
    dot = torch.bmm(memory, k.unsqueeze(-1)).squeeze(-1)              # [B, N]
    norms = memory.norm(dim=-1) * k.norm(dim=-1, keepdim=True) + SIMILARITY_EPS
    w_c = torch.softmax(beta * (dot / norms), dim=-1)
    # Interpolation, circular shift, sharpening (in log space).
    w_g = g * w_c + (1 - g) * w_prev
    w_shift = sum(s[:, d + shift_range:d + shift_range + 1] * torch.roll(w_g, shifts=d, dims=-1)
                  for d in range(-shift_range, shift_range + 1))
    return torch.softmax(gamma * torch.log(w_shift + LOG_EPS), dim=-1)


class NTM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.controller = Controller(cfg, cfg.input_size + cfg.read_width)
        hidden = cfg.layers[-1]
        if cfg.uses_memory:
            heads = cfg.read_heads + cfg.write_heads
            self.heads = nn.Linear(hidden, cfg.heads_raw)
            self.read0 = nn.Parameter(torch.empty(cfg.read_heads, cfg.width).uniform_(-0.1, 0.1))
            self.weighting0_logits = nn.Parameter(torch.empty(heads, cfg.rows).uniform_(-1, 1))
            if cfg.initial_memory == "learned":
                self.memory0 = nn.Parameter(torch.empty(cfg.rows, cfg.width).uniform_(-0.1, 0.1))
            elif cfg.initial_memory == "random":
                # Fixed, never trained; a parameter here only so that its
                # gradient can be compared with ours.
                self.memory0 = nn.Parameter(torch.empty(cfg.rows, cfg.width).uniform_(-0.1, 0.1))
            else:
                self.memory0 = None
        self.output = nn.Linear(hidden + cfg.read_width, cfg.output_size)

    def initial_state(self, batch):
        cfg = self.cfg
        state = {"controller": self.controller.initial_state(batch)}
        if cfg.uses_memory:
            state["reads"] = self.read0.reshape(1, -1).expand(batch, -1)
            w0 = torch.softmax(self.weighting0_logits, dim=-1)
            state["weightings"] = [w0[h].expand(batch, -1) for h in range(w0.shape[0])]
            if self.memory0 is not None:
                state["memory"] = self.memory0.expand(batch, -1, -1)
            else:
                state["memory"] = torch.full((batch, cfg.rows, cfg.width), cfg.initial_memory_value,
                                             dtype=self.output.weight.dtype)
        return state

    def step(self, x, state):
        """One time step: logits [B, Y] and the new state."""
        cfg = self.cfg
        if not cfg.uses_memory:
            h, ctrl = self.controller(x, state["controller"])
            return self.output(h), {"controller": ctrl}
        u = torch.cat([x, state["reads"]], dim=-1)
        h, ctrl = self.controller(u, state["controller"])
        raw = self.heads(h)
        M, S, W = cfg.width, cfg.shift_range, cfg.write_heads

        def parts(h_index):
            start = h_index * cfg.write_raw if h_index < W else W * cfg.write_raw + (h_index - W) * cfg.read_raw
            r = raw[:, start:start + (cfg.write_raw if h_index < W else cfg.read_raw)]
            return r, (r[:, :M], r[:, M:M + 1], r[:, M + 1:M + 2], r[:, M + 2:M + 2 + cfg.shifts],
                       r[:, M + 2 + cfg.shifts:M + 3 + cfg.shifts])

        memory_prev = state["memory"]
        weightings = []
        # Write heads address M_{t-1}; erasures multiply, adds sum.
        keep = None
        added = None
        for w_index in range(W):
            r, addr = parts(w_index)
            w = address(memory_prev, *addr, state["weightings"][w_index], S)
            weightings.append(w)
            erase = torch.sigmoid(r[:, M + 3 + cfg.shifts:2 * M + 3 + cfg.shifts])
            add = r[:, 2 * M + 3 + cfg.shifts:3 * M + 3 + cfg.shifts]
            if cfg.add_activation == "tanh":
                add = torch.tanh(add)
            factor = 1 - w.unsqueeze(-1) * erase.unsqueeze(1)
            outer = w.unsqueeze(-1) * add.unsqueeze(1)
            keep = factor if keep is None else keep * factor
            added = outer if added is None else added + outer
        memory = memory_prev * keep + added
        # Read heads address M_t.
        reads = []
        for k in range(cfg.read_heads):
            _, addr = parts(W + k)
            w = address(memory, *addr, state["weightings"][W + k], S)
            weightings.append(w)
            reads.append(torch.bmm(w.unsqueeze(1), memory).squeeze(1))
        reads = torch.cat(reads, dim=-1)
        logits = self.output(torch.cat([h, reads], dim=-1))
        return logits, {"controller": ctrl, "reads": reads, "weightings": weightings, "memory": memory}

    def forward(self, inputs):
        """inputs [B, T, X] -> logits [B, T, Y]."""
        state = self.initial_state(inputs.shape[0])
        logits = []
        for t in range(inputs.shape[1]):
            z, state = self.step(inputs[:, t], state)
            logits.append(z)
        return torch.stack(logits, dim=1)


class LSTMBaseline(nn.Module):
    """Our LSTM baseline network (config kind "lstm") as a PyTorch user writes
    it: one multi-layer nn.LSTM over the whole sequence, then a linear
    output; learned initial states as in ours. Used by the benchmark only
    (the reference check compares the NTMs, whose LSTM layers are the same
    cells)."""

    def __init__(self, cfg):
        super().__init__()
        units = cfg.layers[0]
        if any(u != units for u in cfg.layers):
            raise ValueError("nn.LSTM needs layers of one size; got " + str(cfg.layers))
        self.lstm = nn.LSTM(cfg.input_size, units, num_layers=len(cfg.layers), batch_first=True)
        self.h0 = nn.Parameter(torch.zeros(len(cfg.layers), 1, units))
        self.c0 = nn.Parameter(torch.zeros(len(cfg.layers), 1, units))
        self.output = nn.Linear(units, cfg.output_size)

    def initial_state(self, batch):
        return (self.h0.expand(-1, batch, -1).contiguous(), self.c0.expand(-1, batch, -1).contiguous())

    def step(self, x, state):
        """One time step: x [B, X] -> logits [B, Y] and the new state."""
        h, state = self.lstm(x.unsqueeze(1), state)
        return self.output(h.squeeze(1)), state

    def forward(self, inputs):
        """inputs [B, T, X] -> logits [B, T, Y]."""
        h, _ = self.lstm(inputs, self.initial_state(inputs.shape[0]))
        return self.output(h)


def benchmark_model(cfg):
    """The network the benchmark times for our config `cfg`."""
    return LSTMBaseline(cfg) if cfg.kind == "lstm" else NTM(cfg)


def sequence_loss(logits, targets, mask):
    """Cross-entropy in nats summed over bits and masked steps, mean over the batch."""
    per_bit = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    return (per_bit.sum(-1) * mask).sum() / logits.shape[0]


# ---------------------------------------------------------------------------
# Our checkpoint <-> this module

# Our LSTM gate blocks are [i, f, o, c^]; nn.LSTMCell's are [i, f, g (= c^), o].
def _gate_permutation(units):
    blocks = [0, 1, 3, 2]
    return torch.cat([torch.arange(b * units, (b + 1) * units) for b in blocks])


def _pairs(model):
    """(our tensor name, how to set it, how to read its gradient in our shape)."""
    cfg = model.cfg
    pairs = []
    sizes = [cfg.input_size + cfg.read_width] + cfg.layers
    for l, layer in enumerate(model.controller.layers):
        prefix = f"controller.{l}"
        inputs, units = sizes[l], sizes[l + 1]
        if cfg.controller == "feedforward":
            pairs.append((f"{prefix}.kernel", layer.weight, lambda t: t.T, lambda p: p.grad.T))
            pairs.append((f"{prefix}.bias", layer.bias, lambda t: t, lambda p: p.grad))
        else:
            perm = _gate_permutation(units)

            def set_kernel(t, layer=layer, inputs=inputs, perm=perm):
                w = t.T[perm]          # [4U, I + U] in LSTMCell's gate order
                with torch.no_grad():
                    layer.weight_ih.copy_(w[:, :inputs])
                    layer.weight_hh.copy_(w[:, inputs:])

            def get_kernel(_, layer=layer, perm=perm):
                g = torch.cat([layer.weight_ih.grad, layer.weight_hh.grad], dim=1)
                return g[perm].T       # the permutation is its own inverse

            def set_bias(t, layer=layer, perm=perm):
                with torch.no_grad():
                    layer.bias_ih.copy_(t[perm])
                    layer.bias_hh.zero_()

            def get_bias(_, layer=layer, perm=perm):
                return layer.bias_ih.grad[perm]

            pairs.append((f"{prefix}.kernel", None, set_kernel, get_kernel))
            pairs.append((f"{prefix}.bias", None, set_bias, get_bias))
            pairs.append((f"{prefix}.h0", model.controller.h0[l], lambda t: t, lambda p: p.grad))
            pairs.append((f"{prefix}.c0", model.controller.c0[l], lambda t: t, lambda p: p.grad))
    if cfg.uses_memory:
        pairs.append(("heads.kernel", model.heads.weight, lambda t: t.T, lambda p: p.grad.T))
        pairs.append(("heads.bias", model.heads.bias, lambda t: t, lambda p: p.grad))
    pairs.append(("output.kernel", model.output.weight, lambda t: t.T, lambda p: p.grad.T))
    pairs.append(("output.bias", model.output.bias, lambda t: t, lambda p: p.grad))
    if cfg.uses_memory:
        pairs.append(("read0", model.read0, lambda t: t, lambda p: p.grad))
        pairs.append(("weighting0.logits", model.weighting0_logits, lambda t: t, lambda p: p.grad))
        if model.memory0 is not None:
            pairs.append(("memory0", model.memory0, lambda t: t, lambda p: p.grad))
    return pairs


def load_ours(model, tensors):
    """Copies our checkpoint's tensors (name -> tensor) into `model`."""
    names = set()
    for name, param, convert, _ in _pairs(model):
        t = tensors[name].to(model.output.weight.dtype)
        names.add(name)
        if param is None:
            convert(t)
        else:
            with torch.no_grad():
                param.copy_(convert(t))
    extra = set(tensors) - names
    if extra:
        raise ValueError(f"tensors the reference does not know: {sorted(extra)}")


def gradients_as_ours(model):
    """The gradients after backward(), in our tensor names and shapes."""
    return {name: grad(param) for name, param, _, grad in _pairs(model)}


def load_checkpoint(path, dtype=torch.float64):
    """A reference NTM with the weights of our safetensors checkpoint."""
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    cfg = Config(json.loads(metadata["config"]))
    model = NTM(cfg).to(dtype)
    load_ours(model, tensors)
    return model


# ---------------------------------------------------------------------------
# Benchmark

def make_pool(cfg, lengths, seed=0):
    """Random-bit sequences of the given lengths (the cost does not depend on
    the values); the mask covers each sequence's second half."""
    g = torch.Generator().manual_seed(seed)
    pool = []
    for T in lengths:
        x = torch.randint(0, 2, (T, cfg.input_size), generator=g).float()
        y = torch.randint(0, 2, (T, cfg.output_size), generator=g).float()
        m = torch.zeros(T)
        m[T // 2:] = 1
        pool.append((x, y, m))
    return pool


def pad_batch(seqs):
    T = max(x.shape[0] for x, _, _ in seqs)
    B = len(seqs)
    X, Y = seqs[0][0].shape[1], seqs[0][1].shape[1]
    xs, ys, ms = torch.zeros(B, T, X), torch.zeros(B, T, Y), torch.zeros(B, T)
    for b, (x, y, m) in enumerate(seqs):
        n = x.shape[0]
        xs[b, :n], ys[b, :n], ms[b, :n] = x, y, m
    return xs, ys, ms


def bench_training(cfg, lengths, optimizer_cfg, batch, threads, repeats, min_seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = benchmark_model(cfg)
    lr = float(optimizer_cfg.get("learning_rate", 1e-4))
    # Graves' RMSProp as PyTorch users write it: centred RMSprop with momentum.
    opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.95, eps=1e-4, momentum=0.9, centered=True)
    pool = make_pool(cfg, lengths)
    updates_per_unit = len(pool) // math.gcd(len(pool), batch)
    batches, nxt = [], 0
    for _ in range(updates_per_unit):
        seqs = []
        for _ in range(batch):
            seqs.append(pool[nxt])
            nxt = (nxt + 1) % len(pool)
        batches.append(pad_batch(seqs))

    def unit():
        for x, y, m in batches:
            opt.zero_grad(set_to_none=True)
            loss = sequence_loss(model(x), y, m)
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 10.0)
            opt.step()

    # Warm-up on a single update, then calibrate on one unit.
    x, y, m = batches[0]
    sequence_loss(model(x), y, m).backward()
    opt.zero_grad(set_to_none=True)
    cpu0, t0 = time.process_time(), time.perf_counter()
    unit()
    unit_time, unit_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    units = max(1, math.ceil(min_seconds / unit_time))
    rates, walls, cpus = [], [], []
    if units == 1:
        # A unit already takes the minimum time: the calibration run counts.
        rates.append(updates_per_unit * batch / unit_time)
        walls.append(unit_time)
        cpus.append(unit_cpu)
    while len(rates) < repeats:
        cpu0, t0 = time.process_time(), time.perf_counter()
        for _ in range(units):
            unit()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        rates.append(units * updates_per_unit * batch / wall)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(rates), rates, walls, cpus


def bench_inference(cfg, lengths, threads, steps, repeats):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = benchmark_model(cfg).eval()
    pool = make_pool(cfg, lengths)
    medians, p99s, walls, cpus = [], [], [], []
    with torch.inference_mode():
        for r in range(repeats + 1):   # the first pass is a warm-up
            times = []
            cpu0, wall0 = time.process_time(), time.perf_counter()
            seq, pos = 0, 0
            state = model.initial_state(1)
            for _ in range(steps):
                if pos == pool[seq][0].shape[0]:
                    seq, pos = (seq + 1) % len(pool), 0
                    state = model.initial_state(1)
                x = pool[seq][0][pos:pos + 1]
                t0 = time.perf_counter_ns()
                logits, state = model.step(x, state)
                torch.sigmoid(logits)
                times.append(time.perf_counter_ns() - t0)
                pos += 1
            if r == 0:
                continue
            walls.append(time.perf_counter() - wall0)
            cpus.append(time.process_time() - cpu0)
            times.sort()
            medians.append(times[len(times) // 2] / 1e3)
            p99s.append(times[min(len(times) - 1, len(times) * 99 // 100)] / 1e3)
    return statistics.median(medians), statistics.median(p99s), medians, walls, cpus


def cpu_share(walls, cpus, threads):
    """CPU time over wall time x threads: 1 when the runs had their cores."""
    return sum(cpus) / (sum(walls) * threads) if sum(walls) > 0 else None


def main_bench(args):
    with open(args.workload) as f:
        workload = json.load(f)
    torch.set_num_interop_threads(1)
    print(f"pytorch_ntm: torch {torch.__version__}, float32, {args.repeats} repeats per figure (median)")
    results = {"torch": torch.__version__, "repeats": args.repeats, "configs": []}
    for c in workload["configs"]:
        if args.config and c["key"] not in args.config:
            continue
        cfg = Config(c["model"])
        opt_cfg = {"learning_rate": c.get("learning_rate", 1e-4)}
        print(f"== {c['key']} ({c['preset']})")
        entry = {"key": c["key"], "training": [], "inference": []}
        for batch, threads in args.runs:
            rate, runs, walls, cpus = bench_training(cfg, c["lengths"], opt_cfg, batch, threads, args.repeats,
                                                     args.seconds)
            share = cpu_share(walls, cpus, threads)
            print(f"   train batch {batch}, {threads} thread{'s' if threads > 1 else ''}: {rate:.2f} sequences/s"
                  f"  (runs {', '.join(f'{r:.2f}' for r in runs)}; CPU share {100 * share:.0f} %)", flush=True)
            entry["training"].append({"batch": batch, "threads": threads, "sequences_per_second": rate, "runs": runs,
                                      "wall_seconds": walls, "cpu_seconds": cpus, "cpu_share": share})
        for threads in args.inference_threads:
            med, p99, runs, walls, cpus = bench_inference(cfg, c["lengths"], threads, args.steps, args.repeats)
            share = cpu_share(walls, cpus, threads)
            print(f"   inference step, {threads} thread{'s' if threads > 1 else ''}: median {med:.1f} µs, p99 {p99:.1f} µs"
                  f" (CPU share {100 * share:.0f} %)", flush=True)
            entry["inference"].append({"threads": threads, "median_us": med, "p99_us": p99, "medians_us": runs,
                                       "wall_seconds": walls, "cpu_seconds": cpus, "cpu_share": share})
        results["configs"].append(entry)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench", help="time training and inference on ntm-bench's workload")
    b.add_argument("--workload", required=True, help="the JSON that `ntm-bench --json` wrote")
    b.add_argument("--json", help="write the figures here")
    b.add_argument("--config", action="append", help="only these configuration keys (repeatable)")
    b.add_argument("--repeats", type=int, default=3)
    b.add_argument("--seconds", type=float, default=1.0, help="minimum time of one training measurement")
    b.add_argument("--steps", type=int, default=2000, help="inference steps per latency measurement")
    b.add_argument("--runs", default="1x1,1x2,16x1,16x2",
                   help="training runs as BATCHxTHREADS, comma-separated (default 1x1,1x2,16x1,16x2)")
    b.add_argument("--inference-threads", default="1", help="thread counts for the step latency (default 1)")
    args = parser.parse_args()
    if args.command == "bench":
        args.runs = [tuple(int(v) for v in r.split("x")) for r in args.runs.split(",")]
        args.inference_threads = [int(v) for v in args.inference_threads.split(",")]
        main_bench(args)


if __name__ == "__main__":
    sys.exit(main())
