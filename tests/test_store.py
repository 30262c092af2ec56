"""A sweep's results folder that cannot rot: chunk checksums, damaged chunks, odd folders, orphaned workers.

Most tests copy one finished sweep (made once per module) and damage the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
import yaml

from conftest import tiny_experiment
from corridor_sim.cli import main
from corridor_sim.sweep import load_experiment, run_sweep
from corridor_sim.sweep import runner as sweep_runner
from corridor_sim.sweep.store import SweepStore

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.filterwarnings("ignore:.*shortened horizon.*:UserWarning")

TINY = tiny_experiment()


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def outcome_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "outcomes").glob("*.parquet"))}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """(experiment file, a finished sweep of it: 4 chunks of 4 runs, daily rows kept)."""
    base = tmp_path_factory.mktemp("finished")
    path = _write(base / "tiny.yaml", {**TINY, "daily": True})
    run_sweep(load_experiment(path), base / "out", workers=1, progress=False)
    return path, base / "out"


@pytest.fixture
def sweep_copy(finished, tmp_path) -> tuple[Path, Path]:
    """(experiment file, a private copy of the finished sweep to damage)."""
    path, folder = finished
    shutil.copytree(folder, tmp_path / "out")
    return path, tmp_path / "out"


def _sweep(path: Path, folder: Path, capsys, *extra: str) -> tuple[int, str, str]:
    status = main(["sweep", str(path), "--out", str(folder), "--workers", "1", "--no-progress", *extra])
    out, err = capsys.readouterr()
    return status, out, err


# ----------------------------------------------------------------------------- checksums and damaged chunks


def test_manifest_records_each_chunk_files_checksum_and_rows(finished):
    _, folder = finished
    files = manifest(folder)["chunks"]["files"]
    assert sorted(files) == [f"{d}/chunk-{i:06d}.parquet" for d in ("daily", "outcomes") for i in range(4)]
    for relative, record in files.items():
        data = (folder / relative).read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
        assert record["rows"] == len(pd.read_parquet(folder / relative))
    assert files["outcomes/chunk-000002.parquet"]["rows"] == 4 and files["daily/chunk-000002.parquet"]["rows"] == 160


@pytest.mark.parametrize("keep", ["half", "100 bytes"])
def test_truncated_chunk_is_found_on_resume_moved_aside_and_recomputed_identically(sweep_copy, keep, capsys):
    path, folder = sweep_copy
    before = outcome_files(folder)
    chunk = folder / "outcomes" / "chunk-000001.parquet"
    data = chunk.read_bytes()
    truncated = data[: len(data) // 2 if keep == "half" else 100]
    chunk.write_bytes(truncated)
    status, out, err = _sweep(path, folder, capsys)
    assert status == 0, err
    assert "chunk-000001.parquet was damaged" in out and "computed again" in out
    assert "already complete" not in out and "ran 1 of 4 chunks" in out
    assert outcome_files(folder) == before
    assert (folder / "damaged" / "outcomes" / "chunk-000001.parquet").read_bytes() == truncated
    assert manifest(folder)["status"] == "complete"


def test_a_changed_byte_in_a_chunk_of_the_same_size_is_caught_by_its_checksum(sweep_copy):
    path, folder = sweep_copy
    before = outcome_files(folder)
    chunk = folder / "daily" / "chunk-000003.parquet"
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0xFF
    chunk.write_bytes(bytes(data))
    report = run_sweep(load_experiment(path), folder, workers=1, progress=False)
    assert [name for name, _ in report.damaged] == ["daily/chunk-000003.parquet"]
    assert "SHA-256 differs" in report.damaged[0][1]
    assert report.chunks_run == 1 and outcome_files(folder) == before


def test_chunks_without_a_recorded_checksum_are_read_in_full_then_recorded(sweep_copy):
    """A folder from before checksums: intact chunks are kept and recorded, an unreadable one is recomputed."""
    path, folder = sweep_copy
    before = outcome_files(folder)
    old = manifest(folder)
    del old["chunks"]["files"]
    (folder / "manifest.json").write_text(json.dumps(old))
    chunk = folder / "outcomes" / "chunk-000000.parquet"
    chunk.write_bytes(chunk.read_bytes()[:-20])
    report = run_sweep(load_experiment(path), folder, workers=1, progress=False)
    assert [name for name, _ in report.damaged] == ["outcomes/chunk-000000.parquet"]
    assert "cannot be read as Parquet" in report.damaged[0][1]
    assert report.chunks_run == 1 and outcome_files(folder) == before
    assert len(manifest(folder)["chunks"]["files"]) == 8


def test_a_chunk_whose_daily_file_is_missing_is_not_complete(sweep_copy):
    path, folder = sweep_copy
    (folder / "daily" / "chunk-000002.parquet").unlink()
    report = run_sweep(load_experiment(path), folder, workers=1, progress=False)
    assert report.chunks_run == 1 and (folder / "daily" / "chunk-000002.parquet").is_file()


def test_analyze_refuses_a_damaged_chunk_naming_it(sweep_copy, capsys):
    path, folder = sweep_copy
    assert main(["analyze", str(folder)]) == 0
    capsys.readouterr()
    chunk = folder / "outcomes" / "chunk-000002.parquet"
    data = bytearray(chunk.read_bytes())
    data[-100] ^= 0x01
    chunk.write_bytes(bytes(data))
    assert main(["analyze", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(chunk) in err and "damaged" in err and "run the sweep command again" in err
    assert "Traceback" not in err
    status, out, _ = _sweep(path, folder, capsys)  # as the message says: the sweep repairs it
    assert status == 0 and "chunk-000002.parquet was damaged" in out
    assert main(["analyze", str(folder)]) == 0


@pytest.mark.parametrize("command", ["plot", "report"])
def test_plot_and_report_refuse_a_damaged_chunk_or_manifest_cleanly(sweep_copy, command, capsys):
    _, folder = sweep_copy
    chunk = folder / "outcomes" / "chunk-000001.parquet"
    chunk.write_bytes(chunk.read_bytes()[:100])
    assert main([command, str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(chunk) in err and "damaged" in err and "Traceback" not in err
    (folder / "manifest.json").write_text("[]")
    assert main([command, str(folder)]) == 2
    assert "manifest" in capsys.readouterr().err


def test_analyze_reads_chunks_without_records_and_refuses_an_unreadable_one(sweep_copy, capsys):
    _, folder = sweep_copy
    old = manifest(folder)
    del old["chunks"]["files"]
    (folder / "manifest.json").write_text(json.dumps(old))
    assert main(["analyze", str(folder)]) == 0
    capsys.readouterr()
    chunk = folder / "outcomes" / "chunk-000001.parquet"
    chunk.write_bytes(chunk.read_bytes()[:100])
    assert main(["analyze", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(chunk) in err and "cannot be read as Parquet" in err


# ----------------------------------------------------------------------------- odd folders


def test_sweep_killed_before_its_first_manifest_resumes(tmp_path, monkeypatch, capsys):
    """Killed in the first second (outcomes/ made, no manifest yet): the rerun starts the sweep."""
    path = _write(tmp_path / "tiny.yaml", TINY)

    def killed(self, *, status):
        raise SystemExit(-9)

    monkeypatch.setattr(SweepStore, "write_manifest", killed)
    with pytest.raises(SystemExit):
        run_sweep(load_experiment(path), tmp_path / "out", workers=1, progress=False)
    assert (tmp_path / "out" / "outcomes").is_dir() and not (tmp_path / "out" / "manifest.json").exists()
    monkeypatch.undo()
    status, out, err = _sweep(path, tmp_path / "out", capsys)
    assert status == 0, err
    assert manifest(tmp_path / "out")["status"] == "complete"
    reference = run_sweep(load_experiment(path), tmp_path / "reference", workers=1, progress=False)
    assert reference.chunks_run == 4
    assert outcome_files(tmp_path / "out") == outcome_files(tmp_path / "reference")


def test_chunk_files_without_a_manifest_are_refused_unless_force(sweep_copy, capsys):
    path, folder = sweep_copy
    (folder / "manifest.json").unlink()
    before = outcome_files(folder)
    status, _, err = _sweep(path, folder, capsys)
    assert status == 2 and "no manifest.json" in err and "--force" in err and "Traceback" not in err
    assert outcome_files(folder) == before
    assert _sweep(path, folder, capsys, "--force")[0] == 0


WRONG_SHAPES = ["[]", '{"chunks": 3}', '"text"', "3", '{"fingerprint": 5}', "null", "\xff"]


@pytest.mark.parametrize("text", WRONG_SHAPES)
def test_a_manifest_of_the_wrong_shape_is_refused_cleanly(sweep_copy, text, capsys):
    path, folder = sweep_copy
    (folder / "manifest.json").write_text(text, encoding="latin-1")
    before = outcome_files(folder)
    status, _, err = _sweep(path, folder, capsys)
    assert status == 2 and "Traceback" not in err
    assert str(folder / "manifest.json") in err and "not a sweep's manifest" in err and "--force" in err
    assert outcome_files(folder) == before and (folder / "manifest.json").read_text(encoding="latin-1") == text
    assert main(["analyze", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "key, value",
    [("chunks", 3), ("chunks", {"files": [1], "complete": "all"}), ("design", []), ("parameters", "x")],
)
def test_a_sweeps_manifest_with_a_damaged_entry_resumes_and_analyze_refuses_it(sweep_copy, key, value, capsys):
    path, folder = sweep_copy
    before = outcome_files(folder)
    damaged = manifest(folder)
    damaged[key] = value
    (folder / "manifest.json").write_text(json.dumps(damaged))
    assert main(["analyze", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "Traceback" not in err
    status, out, err = _sweep(path, folder, capsys)  # the sweep rewrites the manifest from the files
    assert status == 0, err
    assert outcome_files(folder) == before
    assert main(["analyze", str(folder)]) == 0


# ----------------------------------------------------------------------------- unwritable out folders


def _blocked(tmp_path: Path) -> Path:
    (tmp_path / "a_file").write_text("not a folder\n")
    return tmp_path / "a_file" / "out"


def _no_model(monkeypatch):
    import corridor_sim.model

    def refuse(*args, **kwargs):
        raise AssertionError("the simulation started")

    monkeypatch.setattr(corridor_sim.model.CorridorModel, "__init__", refuse)
    monkeypatch.setattr(sweep_runner, "open_executor", refuse)


def test_run_into_a_folder_under_a_file_exits_2_before_simulating(tmp_path, monkeypatch, capsys):
    _no_model(monkeypatch)
    out = _blocked(tmp_path)
    assert main(["run", "--reps", "2", "--days", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and f"{tmp_path / 'a_file'} is a file, not a folder" in err


def test_sweep_into_a_folder_under_a_file_exits_2_before_any_run(tmp_path, monkeypatch, capsys):
    _no_model(monkeypatch)
    out = _blocked(tmp_path)
    status, _, err = _sweep(_write(tmp_path / "tiny.yaml", TINY), out, capsys)
    assert status == 2 and str(out) in err and "is a file, not a folder" in err


def _deny(monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)


@pytest.mark.parametrize("exists", [True, False])
def test_run_into_a_folder_it_may_not_write_exits_2_and_leaves_nothing(tmp_path, monkeypatch, capsys, exists):
    out = tmp_path / "locked" / "out"
    if exists:
        out.mkdir(parents=True)
    _no_model(monkeypatch)
    _deny(monkeypatch)
    assert main(["run", "--reps", "2", "--days", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"--out {out}: cannot be written (Permission denied)" in err
    assert out.exists() == exists and (tmp_path / "locked").exists() == exists


def test_sweep_into_a_folder_it_may_not_write_exits_2_and_loses_nothing(sweep_copy, monkeypatch, capsys):
    path, folder = sweep_copy
    before = outcome_files(folder), (folder / "manifest.json").read_bytes()
    _no_model(monkeypatch)
    _deny(monkeypatch)
    status, _, err = _sweep(path, folder, capsys)
    assert status == 2 and f"{folder}: cannot be written (Permission denied)" in err
    assert (outcome_files(folder), (folder / "manifest.json").read_bytes()) == before


def test_a_refused_run_leaves_no_folder_behind(tmp_path, capsys):
    out = tmp_path / "new" / "out"
    assert main(["run", "--reps", "1", "--days", "3", "--out", str(out), "--set", "no_such_key=1"]) == 2
    assert not (tmp_path / "new").exists()


# ----------------------------------------------------------------------------- orphaned workers


def _process_tree(pid: int) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """(a process's descendants, the pool workers among them: the forkserver's children); ([], []) mid-change."""
    try:
        children = psutil.Process(pid).children(recursive=True)
        return children, [c for c in children if c.ppid() != pid]
    except psutil.NoSuchProcess:
        return [], []


def test_workers_end_when_only_the_sweep_process_is_killed(tmp_path):
    """SIGKILL the sweep process alone: its pool workers (and the forkserver) are gone within seconds."""
    data = {**TINY, "replicates": 2048, "days": 400}  # minutes of work: it is killed long before the end
    data["parameters"] = {"actors.us.levers.land_surveillance": {"low": 0.0, "high": 0.9, "steps": 8}}
    path = _write(tmp_path / "long.yaml", data)
    command = [str(VENV_BIN / "corridor-sim"), "sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            children, workers = _process_tree(process.pid)
            if len(workers) >= 2 and (tmp_path / "out" / "manifest.json").exists():
                break
            time.sleep(0.05)
        assert process.poll() is None, "the sweep ended before its workers could be seen"
        os.kill(process.pid, signal.SIGKILL)  # the sweep process only, not its process group
        process.wait(timeout=10)
        _, alive = psutil.wait_procs(workers, timeout=5)  # about 0.1 s; the rest exit once they have
        assert not alive, f"workers still running 5 s after the sweep process was killed: {alive}"
        _, alive = psutil.wait_procs(children, timeout=10)  # the forkserver: 1 to 2 s to shut its interpreter
        assert not alive, f"still running after the sweep process was killed: {alive}"
    finally:
        for child in children:  # ours: started by the sweep this test started
            if child.is_running():
                child.kill()
        if process.poll() is None:
            process.kill()
