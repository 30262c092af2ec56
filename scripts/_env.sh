# Sourced by the other scripts: find Python >= 3.12, make .venv, install the pinned dependencies.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3 python3.12 python3.13 python)
  if [ -d "$HOME/.pyenv/versions" ]; then
    for d in "$HOME"/.pyenv/versions/3.1[2-9]*; do [ -x "$d/bin/python3" ] && candidates+=("$d/bin/python3"); done
  fi
  for c in "${candidates[@]}"; do
    local p
    p="$(command -v "$c" 2>/dev/null || true)"
    if [ -n "$p" ] && python_ok "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
  PY="$(find_python)" || { echo "error: corridor_sim needs Python 3.12 or newer and none was found (set PYTHON=/path/to/python3.12)" >&2; exit 1; }
  echo "Creating .venv with $PY ($("$PY" --version 2>&1))" >&2
  rm -rf .venv
  "$PY" -m venv .venv
fi

STAMP=.venv/.corridor_sim-installed
if [ ! -f "$STAMP" ] || [ requirements.lock -nt "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "Installing pinned dependencies (requirements.lock) into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]" >&2
  touch "$STAMP"
fi
# Byte-code for the package's own modules (an editable install leaves them as source, and with
# PYTHONDONTWRITEBYTECODE set Python would compile them again at every start).
.venv/bin/python -m compileall -q src/corridor_sim >/dev/null
