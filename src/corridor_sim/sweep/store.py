"""A sweep's results folder: what is in it, and writing to it so that nothing is ever half-written.

::

    results/NAME/
      manifest.json         the experiment, the design, the seed scheme, the version, which chunks are complete
      design.parquet        the design points (point, each parameter's value)
      scenario.base.yaml    the base scenario as merged from its files
      outcomes/             chunk-000000.parquet ...: one row per run (point x replicate)
      daily/                (``daily: true``) one row per run x day, per mode
      failures/             chunk-NNNNNN.json for chunks with failed design points
      damaged/              chunk files found damaged on resume, moved aside (then recomputed)
      analysis/             written by ``corridor-sim analyze``
      .partial/             files being written; moved into place with os.replace

A chunk is complete when its file is in ``outcomes/``, ``failures/`` has no
record for it and the file is intact. The manifest records each chunk file's
SHA-256 and row count (``chunks.files``) as the chunk is written; resuming
checks every file against its record, and a file that fails is moved to
``damaged/`` and its chunk computed again. A file with no record (written by a
version before checksums, or by a sweep killed between moving the file in and
writing the manifest) is trusted if it reads as Parquet in full with the
planned number of rows; its checksum is then recorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

if TYPE_CHECKING:
    from corridor_sim.sweep.chunks import Chunk, ChunkResult
    from corridor_sim.sweep.design import Design
    from corridor_sim.sweep.experiment import Experiment


class SweepError(Exception):
    """A sweep that cannot start (folder refused, scheduler unreachable): nothing was run."""


SEED_SCHEME = (
    "design point p uses seed SeedSequence(experiment seed, spawn_key=(p,)).generate_state(1)[0] "
    "(the experiment seed itself with common_random_numbers); replicate i of a point depends only on "
    "(that seed, i), see corridor_sim.streams"
)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def chunk_problem(path: Path, record: Any, rows: int | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """(the record to keep for a chunk file, why it cannot be trusted or None).

    With a record (``{"sha256", "rows"}`` from the manifest) the file must have that checksum; without
    one it must read as Parquet in full, with ``rows`` rows when given.
    """
    import pyarrow.parquet as pq

    try:
        digest = file_sha256(path)
    except OSError as err:
        return None, f"it cannot be read ({err.strerror or err})"
    if isinstance(record, dict) and isinstance(record.get("sha256"), str):
        if digest != record["sha256"]:
            return None, "its SHA-256 differs from the one recorded when it was written"
        if rows is not None and record.get("rows") != rows:
            return None, f"it was recorded with {record.get('rows')} rows, not the {rows} planned"
        return record, None
    try:
        found = pq.read_table(path).num_rows
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        return None, f"it cannot be read as Parquet ({err})"
    if rows is not None and found != rows:
        return None, f"it has {found} rows, not the {rows} planned"
    return {"sha256": digest, "rows": found}, None


def manifest_records(manifest: Any) -> dict[str, Any]:
    """A manifest's chunk-file records (``chunks.files``), {} where it has none or they are malformed."""
    chunks = manifest.get("chunks") if isinstance(manifest, dict) else None
    files = chunks.get("files") if isinstance(chunks, dict) else None
    return files if isinstance(files, dict) else {}


def chunk_file(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


def _chunk_index(name: str) -> int | None:
    stem = name.split(".", 1)[0]
    if not stem.startswith("chunk-"):
        return None
    try:
        return int(stem[6:])
    except ValueError:
        return None


class SweepStore:
    """Reads and writes one sweep results folder."""

    OWN_DIRS = ("outcomes", "daily", "failures", "damaged", "analysis", ".partial")
    OWN_FILES = ("manifest.json", "design.parquet", "scenario.base.yaml")
    HIDDEN = (".lock", ".partial")
    CHUNK_DIRS = ("outcomes", "daily", "failures")  # what a sweep killed before its first manifest leaves

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.outcomes = self.folder / "outcomes"
        self.daily = self.folder / "daily"
        self.failures_dir = self.folder / "failures"
        self.partial = self.folder / ".partial"
        self.damaged_dir = self.folder / "damaged"
        self.manifest_path = self.folder / "manifest.json"
        self.manifest: dict[str, Any] = {}
        self.damaged: list[tuple[str, str]] = []  # (chunk file, why) moved aside by prepare
        self._chunks: dict[int, int] = {}  # chunk index -> runs
        self._complete: set[int] = set()
        self._failures: dict[int, list[dict[str, Any]]] = {}
        self._records: dict[str, dict[str, Any]] = {}  # "outcomes/chunk-NNNNNN.parquet" -> {sha256, rows}
        self._daily = False

    # ------------------------------------------------------------------ locking and preparing

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock: one sweep writes to a folder at a time (released even if killed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SweepError(f"another sweep is writing to {self.folder} right now") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest; None if there is none, {} if it is unreadable or not a sweep's (not an object)."""
        if not self.manifest_path.exists():
            return None
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return manifest if isinstance(manifest, dict) else {}

    def check(self, experiment: Experiment, design: Design, *, force: bool) -> bool:
        """Whether this is the same sweep resumed; SweepError for a folder it may not use.

        Writes nothing that stays: whether the folder can be written is tried with a probe file
        (and any folders it needed), removed again.
        """
        from corridor_sim.outputs import unwritable

        if self.folder.exists() and not self.folder.is_dir():
            raise SweepError(f"{self.folder} exists and is not a folder")
        problem = unwritable(self.folder)
        if problem:
            raise SweepError(f"{self.folder}: {problem}; choose another --out")
        self._daily = experiment.spec.daily
        previous = self.read_manifest()
        if previous is not None and not isinstance(previous.get("fingerprint"), str) and not force:
            raise SweepError(
                f"{self.manifest_path} is not a sweep's manifest (unreadable, or not the shape a sweep writes); "
                "use --force to start the sweep again there, or choose another --out"
            )
        resume = previous is not None and previous.get("fingerprint") == experiment.fingerprint()
        if previous is not None and not resume and not force:
            from corridor_sim.provenance import model_code_hash

            other = previous.get("name") if isinstance(previous.get("name"), str) else "unnamed"
            if other == experiment.name and previous.get("model_code") != model_code_hash():
                raise SweepError(
                    f"{self.folder} holds results of {other!r} made by different model code (corridor_sim has "
                    "changed since; resuming would mix two models' outcomes); use --force to start again, "
                    "or choose another --out"
                )
            raise SweepError(
                f"{self.folder} holds the results of a different experiment ({other!r}); "
                "use --force to replace them, or choose another --out"
            )
        if previous is None and self.folder.exists() and self._holds_chunks() and not force:
            raise SweepError(
                f"{self.folder} holds sweep chunk files but no manifest.json, so which experiment made them is "
                "unknown; use --force to start the sweep again there, or choose another --out"
            )
        if previous is None and self.folder.exists() and self._holds_other_files() and not force:
            raise SweepError(
                f"{self.folder} is not empty and holds no sweep; use --force to write the sweep there anyway, "
                "or choose another --out"
            )
        if resume:
            self._check_design(design)
        return resume

    def completed_on_disk(self, chunks: list[Chunk]) -> set[int]:
        """Chunks whose files are in place and intact, with no failure record (read-only)."""
        return self._inspect(chunks, self.read_manifest())[0]

    def _inspect(
        self, chunks: list[Chunk], manifest: dict[str, Any] | None
    ) -> tuple[set[int], dict[str, dict[str, Any]], list[tuple[str, str]]]:
        """(complete chunks, the records of their files, damaged files and why), checking every file."""
        recorded = manifest_records(manifest)
        failed = {_chunk_index(p.name) for p in self.failures_dir.glob("chunk-*.json")}
        present = {p.name for p in self.outcomes.glob("chunk-*.parquet")}
        complete: set[int] = set()
        records: dict[str, dict[str, Any]] = {}
        damaged: list[tuple[str, str]] = []
        for chunk in chunks:
            name = chunk_file(chunk.index)
            if name not in present or chunk.index in failed:
                continue
            files = [(f"outcomes/{name}", chunk.runs)]
            if self._daily:
                if not (self.daily / name).is_file():
                    continue  # killed between the daily file and the outcome file: not complete
                files.append((f"daily/{name}", None))
            intact = True
            for relative, rows in files:
                record, problem = chunk_problem(self.folder / relative, recorded.get(relative), rows)
                if problem:
                    damaged.append((relative, problem))
                    intact = False
                else:
                    records[relative] = record
            if intact:
                complete.add(chunk.index)
        return complete, records, damaged

    def prepare(self, experiment: Experiment, design: Design, chunks: list[Chunk], *, force: bool) -> None:
        """Start a fresh sweep (always with ``force``), or resume the same one (checking again under the lock)."""
        resume = self.check(experiment, design, force=force) and not force
        previous = self.read_manifest() if resume else None
        shutil.rmtree(self.partial, ignore_errors=True)  # files a killed run was writing
        if not resume:
            self.remove()
        for d in (self.outcomes, self.failures_dir) + ((self.daily,) if experiment.spec.daily else ()):
            d.mkdir(parents=True, exist_ok=True)
        complete, self._records, self.damaged = self._inspect(chunks, previous) if resume else (set(), {}, [])
        for relative, _ in self.damaged:  # kept for inspection; the chunk is computed again
            (self.damaged_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / relative, self.damaged_dir / relative)
        for relative, record in manifest_records(previous).items():  # partial outcomes of failed chunks
            if relative not in self._records and (self.folder / relative).is_file():
                self._records[relative] = record
        if not resume:
            self._write_atomic(self.folder / "design.parquet", lambda p: design.frame().to_parquet(p, index=False))
            text = yaml.safe_dump(experiment.base, sort_keys=False, allow_unicode=True)
            self._write_atomic(self.folder / "scenario.base.yaml", lambda p: p.write_text(text, encoding="utf-8"))
        self.partial.mkdir(parents=True, exist_ok=True)
        self._chunks = {c.index: c.runs for c in chunks}
        self._failures = self._read_failures()
        self._complete = complete - set(self._failures)
        self.manifest = self._base_manifest(experiment, design, previous)
        self.write_manifest(status="running")

    def remove(self) -> None:
        """Delete this folder's sweep files (what ``--force`` replaces); other files are left alone.

        The manifest goes first: a folder with chunk files and no manifest is refused without ``--force``.
        """
        for name in self.OWN_FILES:
            (self.folder / name).unlink(missing_ok=True)
        for name in self.OWN_DIRS:
            shutil.rmtree(self.folder / name, ignore_errors=True)

    def _holds_chunks(self) -> bool:
        return any(any((self.folder / d).glob("chunk-*")) for d in self.CHUNK_DIRS)

    def _holds_other_files(self) -> bool:
        """Whether the folder holds more than what a sweep killed before writing its manifest leaves."""
        skeleton = set(self.HIDDEN) | set(self.CHUNK_DIRS) | set(self.OWN_FILES)
        return any(p.name not in skeleton for p in self.folder.iterdir()) or self._holds_chunks()

    def _check_design(self, design: Design) -> None:
        path = self.folder / "design.parquet"
        try:
            stored = pd.read_parquet(path)
        except (OSError, ValueError) as err:
            raise SweepError(f"{path} cannot be read ({err}); use --force to start the sweep again") from None
        now = design.frame()
        same = list(stored.columns) == list(now.columns) and stored.shape == now.shape
        if not (same and np.array_equal(stored.to_numpy(float), now.to_numpy(float), equal_nan=True)):
            raise SweepError(
                f"{path}: the design generated now differs from the one this sweep started with "
                "(a different SciPy or SALib version?); use --force to start again"
            )

    def _read_failures(self) -> dict[int, list[dict[str, Any]]]:
        out = {}
        for path in sorted(self.failures_dir.glob("chunk-*.json")):
            index = _chunk_index(path.name)
            if index is None or index not in self._chunks:
                continue
            try:
                out[index] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                out[index] = [{"point": -1, "parameters": {}, "error": f"unreadable failure record {path.name}"}]
        return out

    # ------------------------------------------------------------------ progress

    def complete(self) -> set[int]:
        """Indices of the complete chunks."""
        return set(self._complete)

    def all_done(self) -> bool:
        return len(self._complete) == len(self._chunks)

    def commit(self, result: ChunkResult) -> None:
        """Write a finished chunk: daily rows and failure records first, then its outcome file, atomically."""
        name = chunk_file(result.index)
        record = self.failures_dir / name.replace(".parquet", ".json")
        if result.daily is not None:
            self.daily.mkdir(exist_ok=True)
            digest = self._write_atomic(self.daily / name, lambda p: result.daily.to_parquet(p, index=False))
            self._records[f"daily/{name}"] = {"sha256": digest, "rows": len(result.daily)}
        if result.failures:
            text = json.dumps(result.failures, indent=1, default=str)
            self._write_atomic(record, lambda p: p.write_text(text, encoding="utf-8"))
        if result.outcomes is not None:
            digest = self._write_atomic(self.outcomes / name, lambda p: result.outcomes.to_parquet(p, index=False))
            self._records[f"outcomes/{name}"] = {"sha256": digest, "rows": len(result.outcomes)}
        if result.failures:
            self._failures[result.index] = result.failures
            self._complete.discard(result.index)
        else:
            record.unlink(missing_ok=True)
            self._failures.pop(result.index, None)
            self._complete.add(result.index)
        self.write_manifest(status="running")

    def _write_atomic(self, dest: Path, write) -> str:
        """Write ``dest`` through ``.partial/`` (fsynced, then moved in); the SHA-256 of its bytes."""
        self.partial.mkdir(parents=True, exist_ok=True)
        tmp = self.partial / dest.name
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        os.replace(tmp, dest)
        return digest

    # ------------------------------------------------------------------ the manifest

    def _base_manifest(self, experiment: Experiment, design: Design, previous: dict[str, Any] | None) -> dict[str, Any]:
        from corridor_sim import __version__
        from corridor_sim.provenance import model_code_hash

        now = _now()
        return {
            "corridor_sim_version": __version__,
            "model_code": model_code_hash(),
            "name": experiment.name,
            "fingerprint": experiment.fingerprint(),
            "status": "running",
            "created": (previous or {}).get("created", now),
            "updated": now,
            "experiment_file": experiment.source,
            "experiment": experiment.to_dict(),
            "seed": experiment.seed,
            "seeds": {"scheme": SEED_SCHEME, "common_random_numbers": experiment.spec.common_random_numbers},
            "replicates": experiment.replicates,
            "days": experiment.days,
            "smoke": experiment.smoke,
            "parameters": design.names,
            "outcomes": experiment.layout.columns(),
            "cargo": experiment.layout.cargo,
            "design": {**design.describe(), "file": "design.parquet"},
            "scenario": {"path": str(experiment.scenario_path), "file": "scenario.base.yaml"},
            "files": {"outcomes": "outcomes/chunk-NNNNNN.parquet", "daily": "daily/chunk-NNNNNN.parquet"},
        }

    def write_manifest(self, *, status: str) -> None:
        runs_total = sum(self._chunks.values())
        self.manifest.update(
            {
                "status": status,
                "updated": _now(),
                "chunks": {
                    "total": len(self._chunks),
                    "complete": sorted(self._complete),
                    "runs_total": runs_total,
                    "runs_complete": sum(self._chunks[i] for i in self._complete),
                    "files": dict(sorted(self._records.items())),
                },
                "failures": [
                    {k: f.get(k) for k in ("chunk", "point", "parameters", "error")}
                    for index in sorted(self._failures)
                    for f in self._failures[index]
                ],
            }
        )
        text = json.dumps(self.manifest, indent=1, default=str)
        self._write_atomic(self.manifest_path, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
