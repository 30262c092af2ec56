"""Fuzzing the shipped experiment files: every mutation is accepted, or refused by the bad-input contract.

Each case takes one file of experiments/ and mutates it once, from a seeded generator (the same
cases every run): a value of the wrong type, NaN, infinity, a huge or negative number, a bad name,
a deleted or unknown key (on the parsed file), or a duplicated line, corrupted bytes, a cut, another
encoding, compression or deep nesting (on its text). ``corridor-sim validate`` must exit 0 or 2
with no traceback; on 2 every line names the file (and, for mutations of the parsed file, some
line a key path), and ``corridor-sim sweep --out DIR`` must refuse it too, writing nothing. A few
accepted cases are swept with ``--smoke``. To see a case's file: ``mutate(CASES[i])``.
"""

from __future__ import annotations

import copy
import gzip
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor_sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "experiments").glob("*.yaml"))
N_CASES = 240
SEED = 20261124
SMOKE_EVERY = 4  # accepted cases whose seed is a multiple of this are swept with --smoke

WRONG_TYPES: list[Any] = ["text", [1, 2], {"x": 1}, True, None, "", [], {}]
NUMBERS: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    10**30,
    2**64,
    10**400,
    1e300,
    -1e308,
    -1,
    -(10**20),
    0,
    -0.5,
    0.5,
    2**63,
]
BAD_NAMES = ["..", ".", "", "a/b", "a\\b", "-rf", "x" * 300, "bell\x07", "tab\tname", "é"]
DATA_MUTATIONS = ("wrong_type", "number", "bad_name", "delete_key", "unknown_key")
TEXT_MUTATIONS = ("duplicate_line", "corrupt_bytes", "cut", "utf16", "gzip", "deep_nesting")


@dataclass(frozen=True)
class Case:
    index: int
    source: Path
    mutation: str
    seed: int

    @property
    def on_data(self) -> bool:
        return self.mutation in DATA_MUTATIONS

    def __str__(self) -> str:
        return f"{self.index:03d}-{self.source.stem}-{self.mutation}"


def _cases() -> list[Case]:
    rng = random.Random(SEED)
    mutations = DATA_MUTATIONS + TEXT_MUTATIONS
    return [Case(i, rng.choice(SHIPPED), rng.choice(mutations), rng.randrange(2**32)) for i in range(N_CASES)]


CASES = _cases()


def _text(source: Path) -> str:
    """The shipped file, its scenario made absolute so that the mutated copy can live anywhere."""
    text = source.read_text(encoding="utf-8")
    return re.sub(r"^scenario: (\S+)", lambda m: f"scenario: {(source.parent / m[1]).resolve()}", text, flags=re.M)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every key path in a parsed file (containers included)."""
    out = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, path + (i,))
    return out


def _mutate_data(data: dict, case: Case, rng: random.Random) -> dict:
    data = copy.deepcopy(data)
    if case.mutation == "bad_name":
        data["name"] = rng.choice(BAD_NAMES)
        return data
    path = rng.choice(_paths(data))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if case.mutation == "delete_key":
        parent.pop(path[-1]) if isinstance(parent, dict) else parent.pop(path[-1])
    elif case.mutation == "unknown_key":
        target = parent[path[-1]] if isinstance(parent[path[-1]], dict) else parent
        if isinstance(target, dict):
            target[rng.choice(["replicats", "sampels", "extra", "low_", "Kind"])] = 1
        else:
            target.append(1)
    else:
        parent[path[-1]] = rng.choice(WRONG_TYPES if case.mutation == "wrong_type" else NUMBERS)
    return data


def _mutate_text(text: str, case: Case, rng: random.Random) -> bytes:
    raw = text.encode("utf-8")
    if case.mutation == "duplicate_line":
        lines = text.splitlines(keepends=True)
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*[\w.]+:", line)]
        i = rng.choice(keyed)
        return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :]).encode("utf-8")
    if case.mutation == "corrupt_bytes":
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.choice([rng.randrange(0x80, 0x100), rng.randrange(0, 0x20)])
        return bytes(data)
    if case.mutation == "cut":
        return raw[: rng.randrange(len(raw))]
    if case.mutation == "utf16":
        return text.encode("utf-16")
    if case.mutation == "gzip":
        return gzip.compress(raw, mtime=0)
    depth = rng.choice([70, 500, 2_000, 20_000])
    nested = rng.choice([("[" * depth + "]" * depth), ("{a: " * depth + "1" + "}" * depth)])
    return raw + f"description: {nested}\n".encode()


def mutate(case: Case) -> bytes:
    """The mutated file of a case."""
    rng = random.Random(case.seed)
    text = _text(case.source)
    if case.on_data:
        data = _mutate_data(yaml.safe_load(text), case, rng)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")
    return _mutate_text(text, case, rng)


def _check_refusal(err: str, path: Path, case: Case) -> None:
    assert "Traceback" not in err, err
    lines = [line.removeprefix("error: ") for line in err.strip().splitlines()]
    assert lines, "a refusal with no message"
    assert all(line.startswith(f"{path}: ") for line in lines), err
    if case.on_data:
        key_path = re.compile(rf"^{re.escape(str(path))}: [^\s:]+: ")
        assert any(key_path.match(line) for line in lines), f"no line names a key path:\n{err}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_mutated_experiment_is_accepted_or_refused_cleanly(case, tmp_path, capsys):
    path = tmp_path / f"{case.source.stem}.yaml"
    path.write_bytes(mutate(case))
    out = tmp_path / "out"

    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code in (0, 2), captured.err
    if code == 2:
        _check_refusal(captured.err, path, case)
        code = main(["sweep", str(path), "--out", str(out), "--no-progress", "--workers", "1"])
        err = capsys.readouterr().err
        assert code == 2, err
        _check_refusal(err, path, case)
        assert not out.exists(), f"sweep wrote {out} for a refused experiment"
        return
    assert "valid" in captured.out, captured.out
    if case.seed % SMOKE_EVERY == 0:
        code = main(["sweep", str(path), "--smoke", "--out", str(out), "--no-progress", "--workers", "1"])
        assert code == 0, capsys.readouterr().err


def test_the_fuzz_cases_cover_every_mutation_and_file():
    assert {c.mutation for c in CASES} == set(DATA_MUTATIONS + TEXT_MUTATIONS)
    assert {c.source for c in CASES} == set(SHIPPED)
    assert sum(c.seed % SMOKE_EVERY == 0 for c in CASES) >= 3
