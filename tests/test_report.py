"""``corridor-sim report`` writes one self-contained HTML file that a real browser opens without errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from corridor_sim.cli import main  # noqa: E402
from corridor_sim.extras import install_command  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short escalation run (scheduled changes and reactive rules)."""
    folder = tmp_path_factory.mktemp("report") / "escalation"
    args = [
        "run",
        str(ROOT / "scenarios" / "escalation.yaml"),
        "--reps",
        "8",
        "--seed",
        "11",
        "--days",
        "320",
        "--out",
        str(folder),
    ]
    assert main(args) == 0
    return folder


@pytest.fixture(scope="module")
def report(run_dir: Path) -> Path:
    assert main(["report", str(run_dir)]) == 0
    return run_dir / "report.html"


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minimal sweep results folder (manifest.json, outcomes/, analysis/)."""
    folder = tmp_path_factory.mktemp("report") / "sweep"
    (folder / "outcomes").mkdir(parents=True)
    (folder / "analysis").mkdir()
    rows = [
        {
            "point": i,
            "replicate": r,
            "actors.us.levers.land_surveillance": s,
            "delivered_tons:dest:syria": 1000 - 500 * s + r,
        }
        for i, s in enumerate((0.1, 0.4, 0.7))
        for r in range(5)
    ]
    pd.DataFrame(rows).assign(seed=1).to_parquet(folder / "outcomes" / "chunk-000000.parquet", index=False)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "fingerprint": "test",
                "name": "surveillance",
                "seed": 2,
                "replicates": 5,
                "parameters": ["actors.us.levers.land_surveillance"],
                "outcomes": ["delivered_tons:dest:syria"],
                "design": {"kind": "morris", "n_points": 3},
            }
        )
    )
    pd.DataFrame(
        {
            "outcome": ["delivered_tons:dest:syria"],
            "parameter": ["actors.us.levers.land_surveillance"],
            "mu_star": [480.0],
            "mu_star_conf": [12.0],
        }
    ).to_csv(folder / "analysis" / "morris.csv", index=False)
    return folder


def figure_count(run_dir: Path) -> int:
    """The run's figures: the levers once, the six others once per cargo class (never added up)."""
    from corridor_sim.charts.io import read_results
    from corridor_sim.charts.run import FIGURES

    return 1 + (len(FIGURES) - 1) * len(read_results(run_dir).cargo_ids)


def test_report_is_self_contained(report: Path, run_dir: Path):
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # nothing fetched from elsewhere: every image is inline, no scripts, no stylesheets, no remote URLs
    sources = re.findall(r'src="([^"]*)"', text)
    assert len(sources) == figure_count(run_dir) and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in text and "<link" not in text
    assert not re.search(r"(src|href)=\"(https?:|//|file:)", text)
    # the scenario's key facts
    for needed in (
        "escalation",
        "Seed",
        "11",
        "0.1.0",
        "Timeline of policy changes",
        "al-Qaim official crossing opens",
        "Reactive rules",
        "fired in",
        "troops_in_iraq",
    ):
        assert needed in text, needed


def test_report_opens_in_a_real_browser(report: Path, run_dir: Path, tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium): cannot open the report in a browser")
    missing = f"Python playwright (the browser extra) is not installed: {install_command('browser')}"
    sync_api = pytest.importorskip("playwright.sync_api", reason=missing)
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
            page.goto(report.resolve().as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
            title = page.title()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert len(images) == figure_count(run_dir)
    assert all(complete and width > 0 for complete, width, _ in images), images
    assert "escalation" in title


def test_report_to_another_file(run_dir: Path, tmp_path: Path):
    out = tmp_path / "mail" / "escalation.html"
    assert main(["report", str(run_dir), "--out", str(out)]) == 0
    assert out.stat().st_size > 100_000


def test_sweep_report(sweep_dir: Path):
    assert main(["report", str(sweep_dir)]) == 0
    text = (sweep_dir / "report.html").read_text(encoding="utf-8")
    assert "surveillance" in text and "morris" in text
    assert text.count("data:image/png;base64,") >= 2  # the line chart and the Morris bars


def test_report_missing_folder(tmp_path: Path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "no such folder" in err and "Traceback" not in err
