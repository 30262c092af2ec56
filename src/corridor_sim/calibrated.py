"""A scenario's calibrated values: the file its ``calibration:`` key names, written by ``scripts/calibrate.py``.

The file holds, under ``values``, a distribution (or number) per key path: the marginals fitted to the
replicates that rejection ABC accepted (validation/calibration.md says how). Loading a scenario sets
each key path to its calibrated value before validation, in the file that declares the calibration,
so that scenarios extending it inherit the calibrated values and may still set their own. The key
paths keep their names, so each calibrated number is drawn from the same stream as its prior was.
Calibration itself loads the scenarios without them (``calibrated=False``): a posterior is never
fitted on top of an earlier one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from corridor_sim.yamlfile import YamlProblem, load_yaml, read_text

KEY = "calibration"  # the scenario key naming the file


def calibration_values(declared_in: Path, name: Any, error: type[Exception]) -> tuple[str, dict[str, Any]]:
    """The calibration file's path (as given) and its values by key path.

    ``error`` is the scenario error class, raised as ``error(source, [(key path, problem)])``.
    """
    source = str(declared_in)
    if not isinstance(name, str) or not name:
        raise error(source, [(KEY, "must be the path of a calibration file (scripts/calibrate.py --write)")])
    path = declared_in.parent / name
    where = str(path)
    try:
        data = load_yaml(read_text(path))
    except FileNotFoundError:
        raise error(source, [(KEY, f"{name!r} not found (looked in {declared_in.parent})")]) from None
    except IsADirectoryError:
        raise error(source, [(KEY, f"{name!r} is a folder, not a calibration file")]) from None
    except OSError as exc:
        raise error(where, [("", f"cannot read file: {exc.strerror}")]) from None
    except YamlProblem as problem:
        raise error(where, [(problem.key_path, problem.message)]) from None
    values = data.get("values") if isinstance(data, dict) else None
    if not isinstance(values, dict) or not values:
        raise error(where, [("values", "a calibration file holds a mapping of key paths to calibrated values")])
    for key in values:
        if not isinstance(key, str) or not key:
            raise error(where, [("values", f"{key!r} is not a key path")])
    return where, values


def apply_calibration(
    raw: dict[str, Any],
    declared_in: Path | None,
    name: Any,
    calibrated: bool,
    error: type[Exception],
    set_key_path: Callable[..., None],
) -> None:
    """Set, in ``raw``, each key path the calibration file ``name`` holds (nothing if not ``calibrated``).

    ``declared_in`` is the scenario file naming it, whose folder a relative name is found in; a mapping
    given without a file (None) can name only an absolute path.
    """
    if not calibrated:
        return
    if declared_in is None:
        if not isinstance(name, str) or not Path(name).is_absolute():
            raise error(
                "<scenario>",
                [
                    (
                        KEY,
                        f"{name!r}: a scenario given as a mapping has no folder to find its calibration file "
                        "in; read the file with load_raw(path), which applies it, or give an absolute path",
                    )
                ],
            )
        declared_in, name = Path(name).parent / "<scenario>", Path(name).name
    where, values = calibration_values(declared_in, name, error)
    for key_path, value in values.items():
        set_key_path(raw, key_path, value, where)
