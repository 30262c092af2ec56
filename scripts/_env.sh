# Sourced by the other scripts: find Python >= 3.12, make .venv, install the pinned dependencies.
# Set CORRIDOR_SIM_EXTRA before sourcing: "" (the default) installs what running the model needs
# (run, validate, params, plot, compare, report); "dev" installs every extra and the test tools.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXTRA="${CORRIDOR_SIM_EXTRA:-}"

say() { echo "$*" >&2; }

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
  PY="$(find_python)" || { say "error: corridor_sim needs Python 3.12 or newer and none was found (set PYTHON=/path/to/python3.12)"; exit 1; }
  say "Creating .venv with $PY ($("$PY" --version 2>&1)) (about 10 s)..."
  rm -rf .venv
  "$PY" -m venv .venv
fi

# pip's output goes to a log; each package it fetches is named as it comes, for progress.
pip_install() {
  local log=.venv/pip-install.log status line
  printf '  ' >&2
  set +e
  PYTHONUNBUFFERED=1 .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off "$@" 2>&1 | tee "$log" |
    while IFS= read -r line; do
      case "$line" in
        "Collecting "*) line="${line#Collecting }"; printf '%s ' "${line%%[<>=!~[;( ]*}" >&2 ;;
        "Processing "*) line="${line#Processing }"; line="${line%% *}"; line="${line##*/}"; printf '%s ' "${line%%-*}" >&2 ;;
        "Installing collected packages"*) printf '\n  unpacking and installing...' >&2 ;;
      esac
    done
  status=${PIPESTATUS[0]}
  set -e
  echo >&2
  if [ "$status" -ne 0 ]; then
    say "error: pip failed; the end of its output ($log):"
    tail -n 20 "$log" >&2
    exit 1
  fi
}

# One stamp per install target; the development install includes everything the runtime one has.
STAMP=".venv/.corridor_sim-installed${EXTRA:+-$EXTRA}"
fresh() { [ -f "$1" ] && [ "$1" -nt requirements.lock ] && [ "$1" -nt pyproject.toml ]; }
if ! fresh "$STAMP" && ! { [ -z "$EXTRA" ] && fresh .venv/.corridor_sim-installed-dev; }; then
  if [ -z "$EXTRA" ]; then
    say "Installing corridor_sim and its pinned runtime dependencies (requirements.lock) into .venv" \
      "(about 2 minutes and 800 MB the first time)..."
    TARGET="."
  else
    say "Installing corridor_sim with every extra and the test tools ($EXTRA), pinned by requirements.lock," \
      "into .venv (about 3.5 minutes and 1.2 GB the first time)..."
    TARGET=".[$EXTRA]"
  fi
  if ! .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip >.venv/pip-install.log 2>&1; then
    say "error: pip could not upgrade itself; the end of its output (.venv/pip-install.log):"
    tail -n 20 .venv/pip-install.log >&2
    exit 1
  fi
  pip_install -c requirements.lock -e "$TARGET"
  touch "$STAMP"
  say "Installed."
fi
# Byte-code for the package's own modules (an editable install leaves them as source, and with
# PYTHONDONTWRITEBYTECODE set Python would compile them again at every start).
.venv/bin/python -m compileall -q src/corridor_sim >/dev/null
