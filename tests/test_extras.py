"""Optional extras: a missing one is named, with the command that installs it, and no traceback."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

from corridor_sim.cli import main
from corridor_sim.extras import MissingExtra, install_command, require

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def run_cli(*args: object) -> tuple[int, str, str]:
    """Run ``corridor-sim`` in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def hide(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``import package`` (and its submodules) fail, as if it were not installed."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


def test_require_names_the_extra_and_the_install_command(monkeypatch):
    """A missing module raises MissingExtra (an ImportError) saying what needs it and how to install it."""
    hide(monkeypatch, "SALib")
    with pytest.raises(MissingExtra) as err:
        require("SALib.sample.sobol", extra="sweep", needed_by="a sobol design")
    message = str(err.value)
    assert "a sobol design needs SALib, from the sweep extra" in message
    assert ".venv/bin/pip install -c requirements.lock -e '.[sweep]'" in message
    assert isinstance(err.value, ImportError)


def test_require_returns_an_installed_module():
    assert require("json", extra="sweep", needed_by="nothing").dumps([1]) == "[1]"


def test_install_command_pins_with_the_lock_file():
    assert install_command("ema") == ".venv/bin/pip install -c requirements.lock -e '.[ema]'"


def test_sweep_without_salib_says_how_to_install_it(monkeypatch, tmp_path):
    """corridor-sim sweep of a Sobol design without SALib: exit 2, the install command, no traceback, no files."""
    hide(monkeypatch, "SALib")
    out = tmp_path / "sobol"
    code, stdout, stderr = run_cli(
        "sweep", EXPERIMENTS / "global_sobol.yaml", "--smoke", "--out", out, "--workers", "1", "--no-progress"
    )
    assert code == 2, stderr
    assert stderr.startswith("error: corridor-sim sweep: a sobol design needs SALib, from the sweep extra")
    assert "pip install -c requirements.lock -e '.[sweep]'" in stderr
    assert "Traceback" not in stderr and not out.exists()


def test_sweep_on_a_dask_cluster_without_distributed_says_how_to_install_it(monkeypatch, tmp_path):
    """--scheduler without dask.distributed: exit 2 with the install command, before anything is written."""
    hide(monkeypatch, "distributed")
    out = tmp_path / "alqaim"
    code, _, stderr = run_cli(
        "sweep", EXPERIMENTS / "alqaim_control_surveillance.yaml", "--smoke", "--out", out,
        "--scheduler", "tcp://127.0.0.1:1", "--no-progress",
    )  # fmt: skip
    assert code == 2, stderr
    assert "--scheduler (a Dask cluster) needs distributed, from the sweep extra" in stderr
    assert "'.[sweep]'" in stderr and "Traceback" not in stderr and not out.exists()


def test_ema_adapter_without_ema_workbench_says_how_to_install_it(monkeypatch):
    """corridor_sim.ema imports without EMA; building a model without it raises MissingExtra naming the ema extra."""
    hide(monkeypatch, "ema_workbench")
    from corridor_sim.ema import ema_model

    with pytest.raises(MissingExtra, match=r"corridor_sim.ema needs ema_workbench, from the ema extra.*'\.\[ema\]'"):
        ema_model(levers={"actors.us.levers.land_surveillance": (0.0, 1.0)}, replicates=2)


def test_the_ema_worked_example_says_how_to_install_the_ema_extra():
    import subprocess

    code = (
        "import runpy, sys; sys.modules['ema_workbench'] = None; sys.argv = ['ema_example.py', '--smoke']; "
        f"runpy.run_path({str(EXPERIMENTS / 'ema_example.py')!r}, run_name='__main__')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "needs ema_workbench, from the ema extra" in result.stderr and install_command("ema") in result.stderr
