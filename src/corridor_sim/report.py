"""``corridor-sim report``: one self-contained HTML file for a results folder.

The file holds everything it shows: figures as base64 PNG, tables as HTML,
styles inline, no scripts, no links to fetch. It can be mailed to someone
with nothing installed and opens in any browser.
"""

from __future__ import annotations

import base64
import html
import io as _io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from corridor_sim.adapters.matplotlib_titles import figure_title
from corridor_sim.findings import amount

REPORT_DPI = 90
CAPTIONS = {
    "delivered": "Tons delivered per route over time (30-day average): the median across replicates with a shaded "
    "5-95% band. Numbered dashed lines mark policy changes, dotted ones reactive rules (at their median firing "
    "date); the key names them.",
    "cumulative": "Cumulative tons delivered to each destination against cumulative demand.",
    "route_share": "How Iran splits its deliveries between air, sea and land routes over time (mean across "
    "replicates, 30-day average).",
    "interdiction": "Tons interdicted and interdiction rate per route over the whole run.",
    "cost_per_ton": "What each delivered ton costs Iran per route (transport, fees and tolls, and the value of "
    "cargo lost), across replicates.",
    "levers": "Each actor's levers over time, with the share of replicates in which each reactive rule fired.",
    "map": "The corridor network at real coordinates; line width shows tons carried; circles at the border "
    "crossing show the queue where capacity binds.",
}
CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0;
       background: #fafafa; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #ddd; padding-bottom: 0.2em; }
p.lead { font-size: 1.05em; color: #444; margin-top: 0.3em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.meta th { width: 12em; background: none; }
figure { margin: 1.2em 0 2em; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.92em; color: #444; margin-top: 0.4em; }
.note { color: #666; font-size: 0.88em; }
nav a { margin-right: 1em; }
code { background: #f3f3f3; padding: 0 3px; }
"""


# ----------------------------------------------------------------------------- building blocks


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def figure_png(fig: Any, *, dpi: int = REPORT_DPI) -> str:
    """A figure as a base64 PNG data URI."""
    import matplotlib as mpl

    from corridor_sim.charts.style import RC

    buf = _io.BytesIO()
    with mpl.rc_context(RC):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(name: str, fig: Any, caption: str = "") -> str:
    return (
        f'<figure id="fig-{_e(name)}"><img alt="{_e(caption or name)}" src="{figure_png(fig)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def table_html(frame: pd.DataFrame, *, numeric: Iterable[str] = (), css: str = "") -> str:
    """A DataFrame as an HTML table (values escaped; listed columns right-aligned)."""
    numeric = set(numeric)
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{_e(v)}</td>' if c in numeric else f"<td>{_e(v)}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def meta_html(pairs: Sequence[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs if v not in (None, ""))
    return f'<table class="meta"><tbody>{rows}</tbody></table>'


def page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
    )


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
    return str(v)


# ----------------------------------------------------------------------------- a run


def _run_tables(results: Any) -> tuple[str, str, str, str]:
    from corridor_sim.charts import data as D
    from corridor_sim.charts.io import rule_table
    from corridor_sim.outputs import cargo_units, destination_table, route_table

    units = cargo_units(results.scenario)
    routes = route_table(results.summary, units)
    labels = dict(zip(results.routes["route"], results.routes["label"], strict=True))
    routes.insert(1, "label", routes["route"].map(labels))
    routes_html = table_html(routes.drop(columns=["route"]), numeric=routes.columns[5:])
    dests_html = table_html(
        destination_table(results.destinations, units), numeric=["demand", "delivered", "share met", "backlog"]
    )
    timeline = D.policy_timeline(results.events, results.replicates)
    if timeline.empty:
        timeline_html = "<p>No lever changed during the run.</p>"
    else:
        kinds = {"timed": "scheduled", "ramp": "scheduled, gradual", "rule": "reactive rule"}
        shown = pd.DataFrame(
            {
                "date (median)": [f"{pd.Timestamp(d):%d %b %Y}" for d in timeline["date"]],
                "day": timeline["day"],
                "what happened": timeline["label"],
                "kind": timeline["kind"].map(kinds),
                "actor": timeline["actor"],
                "lever": timeline["lever"],
                "change (median)": [
                    f"{o:g} → {n:g}" for o, n in zip(timeline["old_value"], timeline["new_value"], strict=True)
                ],
                "replicates": [f"{s:.0%} ({r:,})" for s, r in zip(timeline["share"], timeline["runs"], strict=True)],
                "days (first-last)": [
                    f"{a}-{b}" if a != b else f"{a}"
                    for a, b in zip(timeline["first_day"], timeline["last_day"], strict=True)
                ],
            }
        )
        timeline_html = table_html(shown, numeric=["day", "replicates", "days (first-last)"])
    levers = results.levers.copy()
    changed = set(zip(results.events["actor"], results.events["lever"], strict=True))
    shown = pd.DataFrame(
        {
            "actor": levers["actor"],
            "lever": levers["lever"],
            "what it is": levers["label"],
            "start value": [
                _fmt(v) + (f" {u}" if u else "") for v, u in zip(levers["value"], levers["unit"], strict=True)
            ],
            "cost per day (USD)": [f"{c:,.0f}" if c else "" for c in levers["cost_usd_per_day"]],
            "adapts to traffic": ["yes" if a else "" for a in levers["adaptive"]],
            "changes in this run": [
                "yes" if (a, lv) in changed else "" for a, lv in zip(levers["actor"], levers["lever"], strict=True)
            ],
        }
    )
    rules = rule_table(results.scenario)
    if not rules.empty:
        ev = results.events
        fired = {
            r: ev.loc[ev["cause"] == f"rule:{r}", "replicate"].nunique() / results.replicates for r in rules["rule"]
        }
        rules_shown = pd.DataFrame(
            {
                "rule": rules["label"],
                "when": [
                    f"{m} {'above ' + _fmt(a) if pd.notna(a) else ''}{'below ' + _fmt(b) if pd.notna(b) else ''}"
                    for m, a, b in zip(rules["metric"], rules["above"], rules["below"], strict=True)
                ],
                "probability": [f"{p:.0%}" if p is not None and pd.notna(p) else "drawn" for p in rules["probability"]],
                "then": rules["actions"],
                "fired in": [f"{fired[r]:.0%} of replicates" if fired[r] else "no replicate" for r in rules["rule"]],
            }
        )
        levers_html = table_html(shown) + "<h3>Reactive rules</h3>" + table_html(rules_shown)
    else:
        levers_html = table_html(shown) + "<p>No reactive rules.</p>"
    return routes_html, dests_html, timeline_html, levers_html


def _headline_html(h: dict[str, Any]) -> str:
    """One headline's difference from the baseline, its mechanisms and its leading assumptions."""
    if h.get("no_effect"):
        return f"<h3>{_e(h['label'])}</h3><p>No effect: equal to the baseline's in every replicate.</p>"
    unit = h["unit"]
    base = h["baseline"]
    pct = f" ({100 * h['mean'] / base:+.1f}% of the baseline's {base:,.0f})" if unit != "share" and base else ""
    mech = pd.DataFrame(
        {
            "mechanism switched off (both arms)": [m["switched_off"] for m in h["mechanisms"]],
            "mean difference": [f"{amount(m['mean'], unit)} ± {amount(m['half'], unit, '')}" for m in h["mechanisms"]],
            "change from as shipped": [amount(m["change"], unit) for m in h["mechanisms"]],
        }
    )
    sens = pd.DataFrame(
        {
            "assumption (drawn per replicate)": [a["source"] for a in h["assumptions"]],
            "first-order index": [f"{a['S1']:.2f} ± {a['conf']:.2f}" for a in h["assumptions"]],
        }
    )
    return (
        f"<h3>{_e(h['label'][:1].upper() + h['label'][1:])}</h3>"
        f"<p>Paired difference from the baseline: <strong>{amount(h['mean'], unit)} ± {amount(h['half'], unit, '')} "
        f"{_e(unit)}</strong>{_e(pct)}; its direction holds in <strong>{100 * h['holds']:.0f}%</strong> of "
        "replicates.</p>"
        + '<p class="note">Mechanisms: the same paired difference with one mechanism switched off in both arms; '
        "a large change means the conclusion leans on that mechanism.</p>"
        + table_html(mech, numeric=["mean difference", "change from as shipped"])
        + '<p class="note">Assumptions: the share of the difference\'s variance each uncertain number explains '
        "on its own (first-order index, the five largest).</p>"
        + table_html(sens, numeric=["first-order index"])
        + f"<p>{_e(h['verdict'])}</p>"
    )


def findings_html(name: str, scenario: dict[str, Any], found: dict[str, Any] | None = None) -> str:
    """The report's section on what drives the run's conclusion (docs/findings.md's entry for it)."""
    from corridor_sim.findings import load_findings, scenario_fingerprint

    found = load_findings() if found is None else found
    entries, meta = found.get("scenarios", {}), found.get("meta", {})
    how = (
        f"Measured by <code>{_e(meta.get('command', 'scripts/findings.py'))}</code>: {meta.get('reps', '?'):,} "
        f"paired replicates (the scenario and the baseline with the same seed, {_e(meta.get('seed'))}), each "
        "mechanism switched off in turn, and first-order sensitivity of the difference to every drawn "
        "assumption (docs/findings.md has every scenario)."
        if meta
        else ""
    )
    if name == "baseline" and entries:
        rows = [
            {
                "scenario": sid,
                "headline": h["label"],
                "difference from the baseline": "no effect"
                if h.get("no_effect")
                else f"{amount(h['mean'], h['unit'])} ± {amount(h['half'], h['unit'], '')} {h['unit']}",
                "direction holds in": "" if h.get("no_effect") else f"{100 * h['holds']:.0f}%",
                "leading assumption": "" if h.get("no_effect") else h["assumptions"][0]["source"],
                "rests on it alone": "yes" if h.get("single") else "",
            }
            for sid, entry in entries.items()
            for h in entry["headlines"]
        ]
        return (
            '<p class="note">The baseline is what each shipped scenario is compared with. '
            + how
            + "</p>"
            + table_html(pd.DataFrame(rows), numeric=["difference from the baseline", "direction holds in"])
        )
    if name not in entries:
        return (
            "<p>No findings were measured for this scenario: <code>scripts/findings.py</code> measures the "
            "shipped scenarios against the baseline (docs/findings.md). Compare this run with another with "
            "<code>corridor-sim compare</code>.</p>"
        )
    entry = entries[name]
    try:
        same = scenario_fingerprint(scenario) == entry["scenario"]
    except Exception:  # a scenario the current version cannot validate: certainly not the one measured
        same = False
    warn = (
        ""
        if same
        else f'<p class="note"><strong>This run\'s scenario differs from the shipped {_e(name)}</strong> these '
        "figures were measured on (a lever, number or horizon was changed): they describe the shipped scenario, "
        "not this run.</p>"
    )
    return f'<p class="note">{how}</p>' + warn + "".join(_headline_html(h) for h in entry["headlines"])


def run_report(results: Any, figures: dict[str, Any]) -> str:
    """The HTML page of a run: its figures, tables, levers, policy timeline, seed and version."""
    routes_html, dests_html, timeline_html, levers_html = _run_tables(results)
    scenario = results.scenario
    daily = "yes" if results.timeseries is not None else "no (run with --no-daily)"
    meta = meta_html(
        [
            ("Scenario", f"{results.name}: {scenario.get('description', '')}".strip(": ")),
            ("Period", f"{scenario.get('days')} days from {scenario.get('start_date')}"),
            ("Replicates", f"{results.replicates:,}"),
            ("Seed", results.seed),
            ("corridor_sim version", results.version),
            ("Command", results.resolved.get("command")),
            ("Per-replicate daily tables", daily),
            ("Results folder", str(results.folder)),
        ]
    )
    body = [
        f"<h1>corridor_sim: {_e(results.name)}</h1>",
        f'<p class="lead">{_e(scenario.get("description", ""))}</p>',
        '<nav><a href="#results">Results</a><a href="#findings">What drives it</a><a href="#figures">Figures</a>'
        '<a href="#timeline">Policy timeline</a><a href="#levers">Levers</a></nav>',
        meta,
        '<h2 id="results">Results per route</h2>',
        '<p class="note">Median [5%, 95%] across replicates of totals over the run.</p>',
        routes_html,
        "<h2>Results per destination</h2>",
        dests_html,
        '<h2 id="findings">What drives the conclusion</h2>',
        findings_html(results.name, scenario),
        '<h2 id="figures">Figures</h2>',
    ]
    for name, fig in figures.items():
        caption = next((c for k, c in CAPTIONS.items() if name == k or name.startswith(k + "_")), "")
        body.append(figure_html(name, fig, caption))
    body += [
        '<h2 id="timeline">Timeline of policy changes</h2>',
        '<p class="note">Scheduled changes happen on the same day in every replicate; a reactive rule fires when '
        "its condition is met, on a different day in each replicate or not at all.</p>",
        timeline_html,
        '<h2 id="levers">The scenario\'s levers</h2>',
        levers_html,
        f'<p class="note">{_e(results.footer)}. Made by corridor-sim report; everything on this page is inside '
        "this one file.</p>",
    ]
    return page(f"corridor_sim report: {results.name}", "\n".join(body))


# ----------------------------------------------------------------------------- a sweep


def sweep_report(sweep: Any, figures: dict[str, Any]) -> str:
    """The HTML page of a sweep: the experiment, its figures and its analysis tables (for the shown outcomes)."""
    from corridor_sim.charts.sweep import shown_outcomes, split_columns, sweep_labels

    params, outcomes = split_columns(sweep.outcomes, sweep.manifest)
    shown = shown_outcomes(sweep.manifest, outcomes, limit=8)
    labels = sweep_labels(sweep.manifest, params, outcomes)
    manifest = sweep.manifest
    experiment = manifest.get("experiment") if isinstance(manifest.get("experiment"), dict) else {}
    design = manifest.get("design") if isinstance(manifest.get("design"), dict) else {}
    chunks = manifest.get("chunks") if isinstance(manifest.get("chunks"), dict) else {}
    meta = meta_html(
        [
            ("Experiment", sweep.name),
            ("Question", experiment.get("question")),
            ("Base scenario", experiment.get("scenario")),
            ("Design", f"{design.get('kind', '')}, {design.get('n_points', '?')} points" if design else None),
            ("Parameters", "; ".join(f"{p} ({labels[p]})" if labels.get(p, p) != p else p for p in params)),
            ("Runs in outcomes/", f"{len(sweep.outcomes):,}"),
            (
                "Status",
                f"{manifest.get('status', '')} ({chunks.get('runs_complete', '?')} of "
                f"{chunks.get('runs_total', '?')} runs)"
                if chunks
                else manifest.get("status"),
            ),
            ("Replicates per design point", sweep.replicates),
            ("Days", manifest.get("days")),
            ("Seed", sweep.seed),
            ("corridor_sim version", sweep.version),
            ("Results folder", str(sweep.folder)),
        ]
    )
    body = [f"<h1>corridor_sim sweep: {_e(sweep.name)}</h1>"]
    if experiment.get("description"):
        body.append(f'<p class="lead">{_e(experiment["description"])}</p>')
    body += [meta, "<h2>Figures</h2>"]
    for name, fig in figures.items():
        title = figure_title(fig)
        title = title.replace("\n", " ") if title is not None else name
        body.append(figure_html(name, fig, title))
    for name, table in sweep.analysis.items():
        body.append(f"<h2>Analysis: {_e(name)}</h2>")
        if "outcome" in table and shown and table["outcome"].isin(shown).any():
            table = table[table["outcome"].isin(shown)]
            body.append(
                f'<p class="note">The outcomes shown in the figures; every outcome is in analysis/{_e(name)}.csv.</p>'
            )
        rows = table.head(200).copy()
        for c in rows.columns:
            if pd.api.types.is_float_dtype(rows[c]):
                rows[c] = rows[c].map(lambda v: "" if pd.isna(v) else _fmt(v))
        body.append(table_html(rows, numeric=[c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]))
        if len(table) > 200:
            body.append(f'<p class="note">First 200 of {len(table):,} rows; all in analysis/{_e(name)}.csv.</p>')
    if not sweep.analysis:
        body.append(
            '<p class="note">No analysis tables yet: run <code>corridor-sim analyze</code> on the folder '
            "for statistics per design point and sensitivity indices.</p>"
        )
    body.append(f'<p class="note">{_e(sweep.footer)}. Made by corridor-sim report.</p>')
    return page(f"corridor_sim sweep report: {sweep.name}", "\n".join(body))


# ----------------------------------------------------------------------------- entry point


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write ``FOLDER/report.html`` (or ``out``) for a run's or a sweep's results folder; returns its path.

    Raises:
        corridor_sim.charts.io.ResultsError: the folder is missing or holds no readable results.
    """
    from corridor_sim.charts import figure_sets, is_sweep, read_results, read_sweep
    from corridor_sim.charts.style import close

    folder = Path(folder)
    out = Path(out) if out is not None else folder / "report.html"
    kind, figures = figure_sets(folder)
    text = (
        sweep_report(read_sweep(folder), figures)
        if kind == "sweep" or is_sweep(folder)
        else run_report(read_results(folder), figures)
    )
    for fig in figures.values():
        close(fig)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out
