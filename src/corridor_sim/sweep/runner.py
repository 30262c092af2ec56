"""Running a sweep: chunks of runs on local processes or a Dask cluster, written to disk as they finish.

The work is cut into *units* — a run of one design point's replicates, a
whole number of blocks of :data:`corridor_sim.streams.BLOCK` (the point's last
unit may be short) — and units into *chunks*, in a fixed order that depends
only on the experiment (:mod:`corridor_sim.sweep.chunks`).
Each chunk runs anywhere (``run_chunk`` is a plain function of its task) and
its outcome rows come back to this process, which writes them to
``.partial/`` and moves them into ``outcomes/`` with ``os.replace``: a chunk
file is either complete or absent. A chunk file in ``outcomes/`` with no
record in ``failures/`` is done; rerunning computes only the others, so an
interrupted sweep, resumed, ends with the same files as an uninterrupted one.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridor_sim.extras import require
from corridor_sim.sweep.chunks import Chunk, ChunkResult, Unit, plan_chunks
from corridor_sim.sweep.design import Design, build_design, point_seed
from corridor_sim.sweep.experiment import Experiment
from corridor_sim.sweep.grouping import GroupRun, can_group, simulate_group
from corridor_sim.sweep.outcomes import OutcomeLayout, simulate
from corridor_sim.sweep.store import SweepError, SweepStore


class SweepAborted(Exception):
    """A sweep stopped part-way for a reason other than its design points (e.g. a worker process died)."""


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run one chunk (plain data, pickled to the worker)."""

    chunk: Chunk
    base: dict[str, Any]
    source: str
    names: tuple[str, ...]
    key_paths: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]  # per unit
    seeds: tuple[int, ...]  # per unit
    days: int
    layout: OutcomeLayout
    daily: bool


def make_task(experiment: Experiment, design: Design, chunk: Chunk) -> ChunkTask:
    crn = experiment.spec.common_random_numbers
    return ChunkTask(
        chunk=chunk,
        base=experiment.base,
        source=str(experiment.scenario_path),
        names=tuple(design.names),
        key_paths=tuple(p.key_path for p in design.parameters),
        values=tuple(tuple(float(v) for v in design.values[u.point]) for u in chunk.units),
        seeds=tuple(experiment.seed if crn else point_seed(experiment.seed, u.point) for u in chunk.units),
        days=experiment.days,
        layout=experiment.layout,
        daily=experiment.spec.daily,
    )


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run a chunk's units: together in one model where they may share one, else one after another.

    A unit's outcomes are the same either way (sweep/grouping.py). A failing unit is recorded and
    the others still run: a group that fails runs again unit by unit, so the failure is pinned on
    its own design point.
    """
    import warnings

    started = time.perf_counter()
    frames, daily, failures = [], [], []
    units = list(zip(task.chunk.units, task.values, task.seeds, strict=True))
    results = None
    runs = [GroupRun(values, seed, unit.first_replicate, unit.replicates) for unit, values, seed in units]
    if can_group(task.key_paths, runs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results = simulate_group(
                    task.base,
                    task.key_paths,
                    runs,
                    days=task.days,
                    layout=task.layout,
                    daily=task.daily,
                    source=task.source,
                )
        except Exception:  # noqa: BLE001 - a structural key or a failing point: run the units one by one
            results = None
    for k, (unit, values, seed) in enumerate(units):
        if results is not None:
            outcomes, by_day = results[k]
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outcomes, by_day = simulate(
                        task.base,
                        dict(zip(task.key_paths, values, strict=True)),
                        seed=seed,
                        replicates=unit.replicates,
                        first_replicate=unit.first_replicate,
                        days=task.days,
                        layout=task.layout,
                        daily=task.daily,
                        source=task.source,
                    )
            except Exception as exc:  # noqa: BLE001 - a failing design point must not sink the rest
                failures.append(_failure(task, unit, values, exc))
                continue
        frames.append(_unit_frame(task, unit, values, seed, outcomes))
        if by_day is not None:
            by_day.insert(0, "point", np.int64(unit.point))
            daily.append(by_day)
    return ChunkResult(
        index=task.chunk.index,
        outcomes=pd.concat(frames, ignore_index=True) if frames else None,
        daily=pd.concat(daily, ignore_index=True) if daily else None,
        failures=failures,
        seconds=time.perf_counter() - started,
    )


def _unit_frame(task: ChunkTask, unit: Unit, values: tuple[float, ...], seed: int, outcomes: dict) -> pd.DataFrame:
    n = unit.replicates
    columns: dict[str, Any] = {
        "point": np.full(n, unit.point, dtype=np.int64),
        "replicate": np.arange(unit.first_replicate, unit.first_replicate + n, dtype=np.int64),
        "seed": np.full(n, seed, dtype=np.int64),
    }
    columns.update({name: np.full(n, v, dtype=float) for name, v in zip(task.names, values, strict=True)})
    for name in task.layout.columns():  # floats throughout: NaN marks an undefined value (a ratio over 0, 'never')
        columns[name] = np.asarray(outcomes[name], dtype=float)
    return pd.DataFrame(columns)


def _failure(task: ChunkTask, unit: Unit, values: tuple[float, ...], exc: BaseException) -> dict[str, Any]:
    message = str(exc).strip() or type(exc).__name__
    return {
        "chunk": task.chunk.index,
        "point": unit.point,
        "first_replicate": unit.first_replicate,
        "replicates": unit.replicates,
        "parameters": dict(zip(task.names, values, strict=True)),
        "error": f"{type(exc).__name__}: {message}",
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4)),
    }


# ----------------------------------------------------------------------------- executors


class InlineExecutor(cf.Executor):
    """Runs each task in this process as it is submitted (one worker: no pool, plain tracebacks)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def _init_worker(sweep_alive: Any) -> None:
    """Pool workers leave Ctrl-C to the sweep process, which stops the sweep cleanly, and end with it.

    ``sweep_alive`` is the read end of a pipe whose write end only the sweep process holds: it reads
    as closed the moment that process ends, however it ends (SIGKILL included), and a thread here
    then ends the worker. A worker's parent is the forkserver, not the sweep process, and the
    forkserver outlives the sweep process while workers hold its pipe: neither ``os.getppid`` nor
    ``PR_SET_PDEATHSIG`` would notice.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_sweep, args=(sweep_alive,), name="exit-with-sweep", daemon=True).start()


def _exit_with_sweep(sweep_alive: Any) -> None:
    with contextlib.suppress(EOFError, OSError):
        sweep_alive.recv_bytes()  # nothing is ever sent: this returns when the pipe closes
    os._exit(1)


def local_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def open_executor(workers: int | None, scheduler: str | None) -> Iterator[tuple[cf.Executor, int, str]]:
    """(executor, tasks to keep in flight, backend description) for local processes or a Dask cluster."""
    if scheduler is not None:
        distributed = require("distributed", extra="sweep", needed_by="--scheduler (a Dask cluster)")
        try:
            client = distributed.Client(scheduler)  # waits up to dask's distributed.comm.timeouts.connect
        except (OSError, TimeoutError, ValueError) as err:
            raise SweepError(f"cannot connect to the Dask scheduler at {scheduler}: {err}") from None
        try:
            threads = sum(client.nthreads().values()) or 1
            yield client.get_executor(), 2 * threads, f"Dask cluster {scheduler} ({threads} worker threads)"
        finally:
            client.close()
        return
    workers = workers or local_workers()
    if workers == 1:
        yield InlineExecutor(), 1, "this process"
        return
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["corridor_sim.sweep.runner"])
    sweep_alive, held_open = context.Pipe(duplex=False)  # held_open never leaves this process
    pool = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(sweep_alive,)
    )
    try:
        yield pool, 2 * workers, f"{workers} local processes"
    except BaseException:
        _stop_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        held_open.close()
        sweep_alive.close()


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool now: pending tasks are cancelled and running workers ended (they are ours)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


# ----------------------------------------------------------------------------- the driver


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did."""

    folder: Path
    name: str
    backend: str
    chunks_total: int
    chunks_done_before: int
    chunks_run: int
    runs_total: int
    seconds: float
    failures: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)  # (chunk file, why): found, then recomputed

    @property
    def ok(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        lines = [
            f"{self.folder / name} was damaged ({why}): moved to {self.folder / 'damaged'}/ and computed again."
            for name, why in self.damaged
        ]
        if self.chunks_run == 0 and self.ok:
            lines.append(f"{self.folder}: all {self.chunks_total} chunks of sweep '{self.name}' were already complete.")
        else:
            resumed = f" (resumed: {self.chunks_done_before} were already done)" if self.chunks_done_before else ""
            lines.append(
                f"Sweep '{self.name}': ran {self.chunks_run} of {self.chunks_total} chunks{resumed} on "
                f"{self.backend} in {self.seconds:.1f} s; {self.runs_total:,} runs in all."
            )
        if self.failures:
            points = sorted({f["point"] for f in self.failures})
            lines.append(
                f"{len(points)} design point(s) failed and have no outcomes: {_short_list(points)} "
                f"(details in {self.folder / 'failures'}/). Run the same command again to retry them."
            )
        lines.append(
            f"Outcomes: pandas.read_parquet('{self.folder / 'outcomes'}'); next: corridor-sim analyze {self.folder}"
        )
        return "\n".join(lines)


def _short_list(items: list[int], limit: int = 10) -> str:
    shown = ", ".join(map(str, items[:limit]))
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def default_out(experiment: Experiment) -> Path:
    return Path("results") / experiment.name


def run_sweep(
    experiment: Experiment,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> SweepReport:
    """Run (or resume) an experiment's sweep into ``out``.

    Args:
        experiment: from :func:`corridor_sim.sweep.load_experiment`.
        out: results folder (default ``results/NAME``).
        workers: local worker processes (default: every core this process may
            use; 1 runs in this process). Ignored with ``scheduler``.
        scheduler: address of a Dask distributed scheduler (``tcp://host:port``).
        force: start again from nothing, replacing whatever sweep results ``out`` holds
            (without it, the same experiment resumes and a different one is refused).
        progress: show a progress bar on stderr.

    Raises:
        SweepError: before any run (folder refused, scheduler unreachable).
        SweepAborted: a worker process died; finished chunks are kept.
    """
    folder = Path(out) if out is not None else default_out(experiment)
    design = build_design(experiment.parameters, experiment.design, experiment.seed)
    if scheduler is not None:  # refused before anything is written
        require("distributed", extra="sweep", needed_by="--scheduler (a Dask cluster)")
    chunks = plan_chunks(design.n_points, experiment.replicates, experiment.spec.points_per_chunk)
    store = SweepStore(folder)
    started = time.perf_counter()
    resume = store.check(experiment, design, force=force) and not force  # refuse a folder before anything starts
    finished = resume and len(store.completed_on_disk(chunks)) == len(chunks)
    report = SweepReport(
        folder=folder,
        name=experiment.name,
        backend="-",
        chunks_total=len(chunks),
        chunks_done_before=0,
        chunks_run=0,
        runs_total=sum(c.runs for c in chunks),
        seconds=0.0,
    )
    with contextlib.ExitStack() as stack:
        if not finished:
            executor, slots, report.backend = stack.enter_context(open_executor(workers, scheduler))
        stack.enter_context(store.locked())
        store.prepare(experiment, design, chunks, force=force)
        done_before = store.complete()
        report.damaged = list(store.damaged)
        report.chunks_done_before = len(done_before)
        pending = [c for c in chunks if c.index not in done_before]
        if pending:
            if finished:  # the folder changed between the check and the lock
                executor, slots, report.backend = stack.enter_context(open_executor(workers, scheduler))
            try:
                _drive(experiment, design, pending, store, executor, slots, report, chunks, progress)
            except BaseException:
                store.write_manifest(status="interrupted")
                raise
        store.write_manifest(status="complete" if store.all_done() else "incomplete")
    report.seconds = time.perf_counter() - started
    return report


def _drive(
    experiment: Experiment,
    design: Design,
    pending: list[Chunk],
    store: SweepStore,
    executor: cf.Executor,
    slots: int,
    report: SweepReport,
    chunks: list[Chunk],
    progress: bool,
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from tqdm import tqdm

    queue = iter(pending)
    in_flight: dict[cf.Future, Chunk] = {}
    done_runs = sum(c.runs for c in chunks) - sum(c.runs for c in pending)
    bar = tqdm(
        total=report.runs_total,
        initial=done_runs,
        unit="run",
        desc=experiment.name,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )

    def top_up() -> None:
        while len(in_flight) < slots:
            chunk = next(queue, None)
            if chunk is None:
                return
            in_flight[executor.submit(run_chunk, make_task(experiment, design, chunk))] = chunk

    try:
        top_up()
        while in_flight:
            finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: in_flight[f].index):
                chunk = in_flight.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise SweepAborted(
                        f"a worker process died (killed, or out of memory?) after {len(store.complete())} of "
                        f"{len(chunks)} chunks were written; run the same command again to resume"
                    ) from None
                except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker lost the task: record, go on
                    task = make_task(experiment, design, chunk)
                    result = ChunkResult(
                        chunk.index,
                        None,
                        None,
                        [_failure(task, u, v, exc) for u, v in zip(chunk.units, task.values, strict=True)],
                        0.0,
                    )
                store.commit(result)
                report.chunks_run += 1
                report.failures += result.failures
                for failure in result.failures:
                    shown = ", ".join(f"{k}={v:g}" for k, v in failure["parameters"].items())
                    bar.write(f"design point {failure['point']} failed ({shown}): {failure['error']}", file=sys.stderr)
                bar.update(chunk.runs)
                bar.set_postfix_str(f"chunks {len(store.complete())}/{len(chunks)}", refresh=False)
            top_up()
    finally:
        for future in in_flight:
            future.cancel()
        bar.close()
