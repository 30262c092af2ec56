"""The code's structure stays as the docs describe it.

The ODD's submodel headings name the modules that hold them, and every submodel module of the
engine is named by one; the engine's day runs the submodels in the order the ODD's process
overview gives; docs/architecture.md names every module of the package; no module of the package
exceeds 500 lines, and none imports, directly or through others, a module that imports it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "corridor_sim"
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
MAX_LINES = 500


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def submodel_headings() -> list[str]:
    return re.findall(r"^#### 7\.\d+ .*$", ODD, flags=re.MULTILINE)


def test_each_odd_submodel_heading_names_modules_that_exist():
    headings = submodel_headings()
    assert len(headings) >= 14
    for heading in headings:
        named = re.findall(r"`([\w/]+(?:\.py|/))`", heading)
        assert named, f"{heading!r} names no module"
        for name in named:
            assert (PACKAGE / name).exists(), f"{heading!r} names {name}, which does not exist"


def test_every_engine_submodel_is_described_in_the_odd():
    """Each module of kernels/ that holds a submodel is named in a §7 heading."""
    named = {name for heading in submodel_headings() for name in re.findall(r"`([\w/]+\.py)`", heading)}
    infrastructure = {"__init__.py", "compile.py", "contract.py", "day.py"}
    for path in sorted((PACKAGE / "kernels").glob("*.py")):
        if path.name not in infrastructure:
            assert f"kernels/{path.name}" in named, f"kernels/{path.name} has no ODD §7 heading"


def test_the_day_runs_the_submodels_in_the_order_the_odd_gives():
    """kernels/day.py's _chunk_day calls each submodel in the order of the ODD's process overview."""
    tree = ast.parse((PACKAGE / "kernels" / "day.py").read_text(encoding="utf-8"))
    chunk_day = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_chunk_day")
    calls = [
        stmt.value.func.id for stmt in chunk_day.body if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
    ]
    module_of = {
        "_apply_levers": "Lever effects",
        "_pay": "Lever payments",
        "_arrivals": "Arrivals and deliveries",
        "_storage": "Airport storage",
        "_route_waits": "Capacity queues",
        "_storage_waits": "Waits at the airports",
        "_decide": "The shipper's choice",
        "_move": "Movement: dispatch and capacity",
        "_account": "Accounting",
        "_adapt": "Adaptive effort",
        "_respond": "Responding levers",
    }
    assert calls == list(module_of)
    overview = ODD[ODD.index("### 3. Process overview") : ODD.index("**Time and Mesa events.**")]
    positions = [overview.index(f"**{step}") for step in module_of.values()]
    assert positions == sorted(positions), "the ODD's process overview lists the submodels in another order"


def test_architecture_names_every_module():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, path in modules().items():
        rel = path.relative_to(PACKAGE).as_posix()
        shown = rel if path.name != "__init__.py" else rel.removesuffix("__init__.py")
        assert f"`{shown}`" in text, f"docs/architecture.md does not name {shown} ({name})"


def test_no_module_is_over_500_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def imports_of(path: Path, package_modules: set[str]) -> set[str]:
    """The package's modules a module imports, at run time or for type checking alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = node.module
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in package_modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in package_modules}


def test_no_import_cycle():
    """No module reaches itself by imports (a package's __init__ re-exporting its modules is not counted)."""
    mods = modules()
    graph = {name: imports_of(path, set(mods)) - {name} for name, path in mods.items()}
    # A package imports its own modules to re-export them; its modules importing names from the package
    # would be a cycle, but importing a sibling module by its full name is not.
    for name, path in mods.items():
        if path.name == "__init__.py":
            graph[name] = {m for m in graph[name] if not m.startswith(name + ".")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
