"""Fuzzing the shipped scenario files: whatever is wrong with one, the bad-input contract holds.

A seeded generator mutates each file in ``scenarios/`` (a value replaced by a wrong type, NaN, inf, a
huge, negative or empty value; a key deleted; a line repeated, which writes a key twice; bytes
corrupted or the file cut short) and checks that ``corridor-sim validate`` exits 0 or 2, never raises,
and that a 2 comes with a message naming the file and a key path (or a line, for a file that is not
YAML); that ``run`` refuses the same file into an ``--out`` folder without writing anything; and, for a
few, the same through a real process (exit status, no "Traceback").
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SCENARIOS_DIR
from corridor_sim.cli import main

SEED = 20240611
CASES_PER_FILE = 60
EXE = Path(sys.executable).parent / "corridor-sim"
BAD_VALUES: list[Any] = [
    "not a number",
    "",
    None,
    [],
    {},
    [1, 2],
    {"dist": "uniform"},
    True,
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -1e308,
    10**30,
    -1,
    -1e9,
    0,
    1e15,
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a parsed document (mapping keys and list indices), leaves and branches."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def mutate(text: str, rng: random.Random) -> tuple[str, bytes]:
    """One mutation of a scenario file's text: its kind and the new file's bytes."""
    kind = rng.choice(["value", "value", "value", "delete", "repeat_line", "bytes", "cut"])
    if kind in ("value", "delete"):
        doc = yaml.safe_load(text)
        path = rng.choice(_paths(doc))
        parent = _parent(doc, path)
        if kind == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(BAD_VALUES)
        return kind, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()
    data = text.encode()
    if kind == "repeat_line":
        lines = text.splitlines(keepends=True)
        keyed = [i for i, line in enumerate(lines) if re.match(r"\s*[\w-]+:", line)]
        i = rng.choice(keyed)
        return kind, "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :]).encode()
    if kind == "cut":
        return kind, data[: rng.randrange(len(data))]
    corrupt = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        corrupt[rng.randrange(len(corrupt))] = rng.randrange(256)
    return kind, bytes(corrupt)


def cases() -> list[tuple[str, str, int, str, bytes]]:
    """(id, scenario file name, case number, mutation kind, bytes), the same on every run."""
    rng = random.Random(SEED)
    out = []
    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for k in range(CASES_PER_FILE):
            kind, data = mutate(text, rng)
            out.append((f"{path.stem}-{k}-{kind}", path.name, k, kind, data))
    return out


CASES = cases()


def run_cli(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of scenarios/, so that mutants can extend the shipped files they came from."""
    dest = tmp_path_factory.mktemp("fuzz")
    for path in SCENARIOS_DIR.glob("*.yaml"):
        shutil.copy(path, dest / path.name)
    return dest


def located(stderr: str, path: Path) -> bool:
    """Whether the first error line names the file, then a key path, a line, or what the whole file is."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    prefix = f"error: {path}: "
    return (
        bool(lines)
        and lines[0].startswith(prefix)
        and bool(
            re.match(r"[\w.\[\]-]+: |line \d+|not UTF-8|a scenario file must be a mapping", lines[0][len(prefix) :])
        )
    )


def test_fuzz_cases_cover_every_kind_of_mutation():
    """The seeded cases include every kind of mutation, a few hundred in all."""
    assert len(CASES) >= 300
    assert {kind for _, _, _, kind, _ in CASES} == {"value", "delete", "repeat_line", "bytes", "cut"}


@pytest.fixture(scope="module", autouse=True)
def _memory_cap():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CORRIDOR_SIM_MEMORY", "8GB")
        yield


def test_mutated_scenarios_are_validated_or_refused_cleanly(folder):
    """validate on every mutant: exit 0 or 2, never an exception; a 2 names the file and a key path or line.

    Every refused mutant is then run into an --out folder: exit 2 and nothing written.
    """
    refused, problems = 0, []
    for case_id, _, _, _, data in CASES:
        path = folder / f"{case_id}.yaml"
        path.write_bytes(data)
        try:
            code, _, stderr = run_cli("validate", path)
        except BaseException as exc:  # noqa: BLE001 - any exception is the failure being looked for
            problems.append(f"{case_id}: validate raised {exc!r}")
            continue
        if code not in (0, 2) or (code == 2 and not located(stderr, path)):
            problems.append(f"{case_id}: validate exit {code}: {stderr[:300]}")
            continue
        if code == 2:
            refused += 1
            out = folder / f"{case_id}-out"
            try:
                run_code, _, run_err = run_cli("run", path, "--reps", "2", "--out", out)
            except BaseException as exc:  # noqa: BLE001
                problems.append(f"{case_id}: run raised {exc!r}")
                continue
            if run_code != 2 or out.exists():
                problems.append(f"{case_id}: run exit {run_code}, wrote {out.exists()}: {run_err[:300]}")
        path.unlink()
    assert not problems, "\n".join(problems[:20])
    assert refused > len(CASES) // 3  # most mutations break the file: the contract was exercised


@pytest.mark.parametrize("kind", ["value", "delete", "repeat_line", "bytes", "cut"])
def test_a_mutant_of_each_kind_in_a_real_process(kind, folder):
    """The installed command: exit 0 or 2, no traceback, and nothing written when it refuses."""
    case_id, _, _, _, data = next(c for c in CASES if c[3] == kind and c[1] == "baseline.yaml")
    path, out = folder / f"process-{case_id}.yaml", folder / f"process-{case_id}-out"
    path.write_bytes(data)
    env = {**os.environ, "CORRIDOR_SIM_MEMORY": "8GB"}
    proc = subprocess.run([str(EXE), "validate", str(path)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 2:
        assert located(proc.stderr, path), proc.stderr
        run = subprocess.run(
            [str(EXE), "run", str(path), "--reps", "2", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert run.returncode == 2 and "Traceback" not in run.stderr and not out.exists(), run.stderr
