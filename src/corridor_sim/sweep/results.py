"""Reading a sweep's results folder, checked: its manifest, its design and its outcome files.

:func:`read_manifest` refuses a file that is not a sweep's manifest or whose entries have the
wrong JSON types; :func:`read_outcomes` checks each outcome file against the manifest's record
of it (corridor_sim.sweep.store) before reading. Every refusal is an :class:`AnalysisError`
saying how to repair the folder. :mod:`corridor_sim.sweep.analyze` and the charts read through these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd


class AnalysisError(Exception):
    """A folder that cannot be analysed (no manifest, no outcomes yet)."""


# The manifest's entries analyze reads, and the JSON type each must have where present.
_MANIFEST_SHAPE = {
    "chunks": dict,
    "design": dict,
    "experiment": dict,
    "parameters": list,
    "outcomes": list,
    "seed": int,
}


def read_manifest(folder: Path) -> dict[str, Any]:
    """The sweep's ``manifest.json``, after checking it is one and that the entries analyze reads have their types."""
    path = folder / "manifest.json"
    if not path.is_file():
        raise AnalysisError(f"{folder}: not a sweep results folder (no manifest.json); run corridor-sim sweep first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AnalysisError(f"{path} cannot be read: {err}") from None
    if not isinstance(manifest, dict):
        raise AnalysisError(f"{path} is not a sweep's manifest (a JSON {type(manifest).__name__}, not an object)")
    if not isinstance(manifest.get("fingerprint"), str):
        raise AnalysisError(f"{path} is not a sweep's manifest (it has no fingerprint)")
    chunks = manifest.get("chunks") if isinstance(manifest.get("chunks"), dict) else {}
    entries = [(key, manifest.get(key), kind) for key, kind in _MANIFEST_SHAPE.items()]
    entries += [("chunks.complete", chunks.get("complete"), list), ("chunks.total", chunks.get("total"), int)]
    for key, value, kind in entries:
        if value is not None and not isinstance(value, kind):
            raise AnalysisError(
                f"{path}: {key!r} is a JSON {type(value).__name__}, not the {kind.__name__} a sweep writes; "
                "the manifest is damaged (rerun the sweep, with --force if it is refused)"
            )
    return manifest


def read_design(folder: Path) -> pd.DataFrame:
    """The sweep's design table (``design.parquet``): each point's parameter values."""
    path = folder / "design.parquet"
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise AnalysisError(f"{path} cannot be read ({err}); rerun the sweep with --force to write it again") from None


def read_outcomes(folder: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    """The sweep's outcome rows, after checking each chunk file against the manifest's record of it."""
    from corridor_sim.sweep.store import chunk_problem, manifest_records

    path = folder / "outcomes"
    files = sorted(path.glob("*.parquet")) if path.is_dir() else []
    if not files:
        raise AnalysisError(f"{folder}: the sweep has no outcomes yet; run (or resume) corridor-sim sweep first")
    records = manifest_records(manifest)
    for file in files:
        key = f"outcomes/{file.name}"
        _, problem = chunk_problem(file, records.get(key))
        if problem and isinstance(records.get(key), dict):  # the sweep may have rewritten it since: look again
            _, problem = chunk_problem(file, manifest_records(read_manifest(folder)).get(key))
        if problem:
            raise AnalysisError(
                f"{file} is damaged ({problem}); run the sweep command again into {folder} to repair it "
                "(it recomputes damaged chunks)"
            )
    return pd.read_parquet(path)
