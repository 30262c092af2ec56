"""Compilation notices: a first compiled run says it is compiling the kernels, with progress."""

from __future__ import annotations

import io
import time
from types import SimpleNamespace

import pytest

from corridor_sim import kernels
from corridor_sim.kernels import compile as compile_engine


def compile_event(name: str, module: str = "corridor_sim.kernels.day") -> SimpleNamespace:
    """What a Numba ``numba:compile`` event carries that the listener reads."""
    py_func = SimpleNamespace(__module__=module, __name__=name)
    return SimpleNamespace(data={"dispatcher": SimpleNamespace(py_func=py_func)})


@pytest.fixture
def stream():
    out = io.StringIO()
    kernels.report_compilation(out)
    yield out
    kernels.report_compilation(None)


def test_a_compile_is_announced_once_and_each_entry_point_reported(stream):
    """One opening line; a line per outermost compile finished; helpers compiled inside it say nothing."""
    notices = compile_engine._CompileNotices()
    notices.on_start(compile_event("span"))
    notices.on_start(compile_event("_decide"))  # a helper, compiled while span is typed
    notices.on_end(compile_event("_decide"))
    notices.on_end(compile_event("span"))
    notices.on_start(compile_event("bands"))
    notices.on_end(compile_event("bands"))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Compiling the simulation kernels, once: about ")
    assert [line.split(" (")[0] for line in lines[1:]] == ["  compiled span", "  compiled bands"]


def test_a_long_compile_prints_progress(stream, monkeypatch):
    monkeypatch.setattr(compile_engine, "NOTICE_EVERY", 0.02)
    notices = compile_engine._CompileNotices()
    notices.on_start(compile_event("span"))
    time.sleep(0.15)
    notices.on_end(compile_event("span"))
    time.sleep(0.05)
    lines = stream.getvalue().splitlines()
    assert any(line.startswith("  still compiling (") for line in lines[1:-1]), lines
    assert lines[-1].startswith("  compiled span"), "no progress line after the compile ended"


def test_other_libraries_compiles_and_a_silenced_stream_print_nothing(stream):
    notices = compile_engine._CompileNotices()
    notices.on_start(compile_event("f", module="somebody_else"))
    notices.on_end(compile_event("f", module="somebody_else"))
    assert stream.getvalue() == ""
    kernels.report_compilation(None)
    notices.on_start(compile_event("span"))
    notices.on_end(compile_event("span"))
    assert stream.getvalue() == ""


def test_the_command_line_reports_compilation_only_while_it_runs(baseline_path, monkeypatch, capsys):
    """corridor-sim turns the notices on for its own run and off when it returns (the library stays quiet)."""
    from corridor_sim.cli import main

    seen = []
    real = kernels.report_compilation
    monkeypatch.setattr(kernels, "report_compilation", lambda stream: (seen.append(stream), real(stream)))
    assert main(["validate", str(baseline_path)]) == 0
    assert seen[0] is not None and seen[-1] is None and compile_engine._notices == []
