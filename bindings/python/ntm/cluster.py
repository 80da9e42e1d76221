"""The reproduction grid (``ntm reproduce``) on a Ray cluster.

``ntm reproduce`` runs every (task, network, seed) job of the paper's
experiments two at a time on one machine. This module hands the same jobs to
Ray, one per CPU anywhere in the cluster, and gathers what each job wrote
into one output directory laid out as ``ntm reproduce`` lays it out, so that
``ntm reproduce --report-only`` writes the same RESULTS.md, tables and plots
as a single-machine run::

    python -m ntm.cluster --output runs/reproduce --results docs/RESULTS.md
    python -m ntm.cluster --address auto --ntm ./ntm-static ...   # a running cluster

or from Python::

    import ntm.cluster
    ntm.cluster.reproduce("runs/reproduce", tasks=["copy"], seeds="1-10")

Each job runs ``ntm reproduce --tasks T --networks N --seeds S --jobs 1`` on
a worker, in a temporary directory, so the training recipe, budgets and
evaluation are the command's own (one source, not a copy in Python). The
``ntm`` executable travels with the jobs through Ray's object store, so the
workers need Python, Ray and this package but neither Swift nor a shared
file system; build it with the Swift runtime linked in, so that it runs on
machines without Swift::

    swift build -c release --product ntm --static-swift-stdlib --scratch-path .build-static

The jobs are the presets (:func:`ntm.presets`: ``"<task>/<network>"``)
crossed with the seeds. Jobs already finished in the output directory are
skipped, so an interrupted run resumes. Needs ``pip install ray``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Union

from .presets import presets

__all__ = ["Job", "jobs", "parse_seeds", "reproduce"]

PathLike = Union[str, "os.PathLike[str]"]


class Job(NamedTuple):
    """One (task, network, seed) job of the grid."""

    task: str
    network: str
    seed: int

    @property
    def name(self) -> str:
        """The job's directory under ``<output>/runs``, as ``ntm reproduce`` names it."""
        return f"{self.task}-{self.network}-s{self.seed}"


def parse_seeds(text: str) -> List[int]:
    """Seeds as ``ntm reproduce --seeds`` takes them: ``"1,2,5"`` or ``"1-3"``
    or a mix (``"1-3,7"``), each from 0 to 2**32 - 1.

    Raises:
        ValueError: anything else.
    """
    seeds: List[int] = []
    for part in str(text).split(","):
        bounds = part.strip().split("-")
        if len(bounds) > 2 or not all(b.strip().isdigit() for b in bounds):
            raise ValueError(f"seeds: expected e.g. 1,2,3 or 1-5, got {text!r}")
        low, high = int(bounds[0]), int(bounds[-1])
        if low > high or high >= 1 << 32:
            raise ValueError(f"seeds: {part.strip()!r} is not a range of seeds from 0 to 2**32 - 1")
        seeds.extend(range(low, high + 1))
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: {text!r} names a seed twice")
    return seeds


def jobs(tasks: Optional[Sequence[str]] = None, networks: Optional[Sequence[str]] = None,
         seeds: Union[str, Sequence[int]] = "1-3") -> List[Job]:
    """The grid's jobs: every preset whose task is in ``tasks`` and network
    in ``networks`` (``None``: all), crossed with ``seeds``.

    Raises:
        ValueError: a task or network that no preset has, or bad seeds.
    """
    pairs = [tuple(name.split("/", 1)) for name in presets()]
    known_tasks = list(dict.fromkeys(task for task, _ in pairs))
    known_networks = list(dict.fromkeys(network for _, network in pairs))
    for given, known, what in ((tasks, known_tasks, "task"), (networks, known_networks, "network")):
        for name in given or []:
            if name not in known:
                raise ValueError(f"unknown {what} {name!r}; the presets have {', '.join(known)}")
    seed_list = parse_seeds(seeds) if isinstance(seeds, str) else [int(s) for s in seeds]
    return [Job(task, network, seed) for task, network in pairs
            if (tasks is None or task in tasks) and (networks is None or network in networks)
            for seed in seed_list]


def _mode_flags(quick: bool, time_cap: Optional[int]) -> List[str]:
    return (["--quick"] if quick else []) + ([f"--time-cap={int(time_cap)}"] if time_cap is not None else [])


def _run_job(executable: bytes, job: Job, flags: List[str]) -> Dict[str, Any]:
    """On a worker: one job with ``ntm reproduce``; returns its files."""
    import platform

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="ntm-job-") as work:
        binary = Path(work) / "ntm"
        binary.write_bytes(executable)
        binary.chmod(0o755)
        output = Path(work) / "grid"
        command = [str(binary), "reproduce", "--output", str(output), "--tasks", job.task,
                   "--networks", job.network, "--seeds", str(job.seed), "--jobs", "1", *flags]
        result = subprocess.run(command, capture_output=True, text=True)
        run = output / "runs" / job.name
        files = {}
        if result.returncode == 0 and (run / "job.json").is_file():
            files = {f"runs/{job.name}/{p.name}": p.read_bytes() for p in sorted(run.iterdir()) if p.is_file()}
            files["grid.json"] = (output / "grid.json").read_bytes()
        return {"job": tuple(job), "status": result.returncode, "files": files,
                "log": (result.stdout + result.stderr)[-4000:], "seconds": time.time() - started,
                "node": platform.node()}


def _gather(output: Path, outcome: Dict[str, Any]) -> None:
    """Writes a job's files into ``output`` (each atomically), refusing a
    grid.json that differs from the one already there."""
    files = dict(outcome["files"])
    grid = files.pop("grid.json")
    existing = output / "grid.json"
    if existing.is_file():
        if json.loads(existing.read_bytes()) != json.loads(grid):
            raise RuntimeError(f"{existing} holds another grid's budgets (another mode, --time-cap or ntm "
                               "version); use another --output")
    else:
        _write(existing, grid)
    job_json = None
    for relative, data in files.items():
        if relative.endswith("/job.json"):
            job_json = (output / relative, data)  # last: it marks the job finished
            continue
        _write(output / relative, data)
    if job_json is not None:
        _write(*job_json)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def reproduce(
    output: PathLike,
    *,
    tasks: Optional[Sequence[str]] = None,
    networks: Optional[Sequence[str]] = None,
    seeds: Union[str, Sequence[int]] = "1-3",
    quick: bool = False,
    time_cap: Optional[int] = None,
    results: Optional[PathLike] = None,
    address: Optional[str] = None,
    ntm_command: Optional[PathLike] = None,
    progress: Optional[Callable[[str], None]] = print,
) -> Path:
    """Runs the grid's unfinished jobs on Ray, gathers them into ``output``
    and writes the report with ``ntm reproduce --report-only``; returns the
    report's path.

    ``address`` is passed to ``ray.init`` (``None``: a local cluster on this
    machine, unless Ray is already initialised; ``"auto"``: the running
    cluster). ``ntm_command`` is the ``ntm`` executable to ship (default:
    ``ntm`` on ``PATH``); ``quick`` and ``time_cap`` are ``ntm reproduce``'s
    ``--quick`` and ``--time-cap``. ``progress`` gets one line per finished
    job (``None``: silent).

    Raises:
        ValueError: a bad selection. FileNotFoundError: no ``ntm`` executable.
        RuntimeError: a job failed (its log is in the message; finished jobs
        are kept), or ``output`` holds a grid with other budgets.
        ImportError: Ray is not installed.
    """
    import ray

    say = progress or (lambda line: None)
    command = shutil.which(str(ntm_command or "ntm"))
    if command is None:
        raise FileNotFoundError(f"no ntm executable at {ntm_command or 'ntm (PATH)'}; build it with "
                                "swift build -c release --product ntm --static-swift-stdlib --scratch-path .build-static")
    output_dir = Path(output)
    output_dir.mkdir(parents=True, exist_ok=True)
    flags = _mode_flags(quick, time_cap)
    grid = jobs(tasks, networks, seeds)
    todo = [job for job in grid if not (output_dir / "runs" / job.name / "job.json").is_file()]
    say(f"ntm.cluster: {len(grid)} jobs, {len(grid) - len(todo)} already finished in {output_dir}")

    if not ray.is_initialized():
        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    binary_ref = ray.put(Path(command).read_bytes())  # stored once, fetched once per machine
    remote = ray.remote(num_cpus=1, max_retries=1)(_run_job)
    pending = {remote.remote(binary_ref, job, flags): job for job in todo}
    failures = []
    done = 0
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        job = pending.pop(ready[0])
        outcome = ray.get(ready[0])
        done += 1
        if outcome["files"]:
            _gather(output_dir, outcome)
            say(f"[{done}/{len(todo)}] {job.task} · {job.network} · seed {job.seed}: finished in "
                f"{outcome['seconds']:.0f} s on {outcome['node']}")
        else:
            failures.append(f"{job.name} (exit status {outcome['status']}):\n{outcome['log']}")
            say(f"[{done}/{len(todo)}] {job.task} · {job.network} · seed {job.seed}: FAILED")
    if failures:
        raise RuntimeError(f"{len(failures)} job(s) failed; the finished ones are in {output_dir}:\n"
                           + "\n".join(failures))

    report = Path(results) if results is not None else output_dir / "RESULTS.md"
    finished = subprocess.run([command, "reproduce", "--output", str(output_dir), "--results", str(report),
                               "--report-only", *flags], capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"ntm reproduce --report-only failed:\n{finished.stdout}{finished.stderr}")
    say(finished.stdout.strip().splitlines()[-1] if finished.stdout.strip() else f"wrote {report}")
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m ntm.cluster``: the command-line form of :func:`reproduce`."""
    parser = argparse.ArgumentParser(prog="python -m ntm.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="runs/reproduce", help="output directory (default: %(default)s)")
    parser.add_argument("--results", help="the report to write (default: <output>/RESULTS.md)")
    parser.add_argument("--tasks", help="tasks, comma-separated (default: all five)")
    parser.add_argument("--networks", help="networks, comma-separated (default: all three)")
    parser.add_argument("--seeds", default="1-3", help="e.g. 1,2,3 or 1-5 (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny budgets, to check the machinery")
    parser.add_argument("--time-cap", type=int, help="cap every job's training at this many seconds")
    parser.add_argument("--address", help="Ray cluster address (default: a local cluster; 'auto': the running one)")
    parser.add_argument("--ntm", help="the ntm executable to ship to the workers (default: ntm on PATH)")
    args = parser.parse_args(argv)
    split = (lambda text: [part.strip() for part in text.split(",") if part.strip()] if text else None)
    try:
        reproduce(args.output, tasks=split(args.tasks), networks=split(args.networks), seeds=args.seeds,
                  quick=args.quick, time_cap=args.time_cap, results=args.results, address=args.address,
                  ntm_command=args.ntm)
    except ImportError as error:
        print(f"ntm.cluster: {error}; install Ray with: pip install ray", file=sys.stderr)
        return 1
    except (ValueError, RuntimeError, FileNotFoundError) as error:
        print(f"ntm.cluster: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
