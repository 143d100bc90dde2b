#!/usr/bin/env bash
# Install launchready-ci from this action's own checkout into a private venv, from the
# hash-pinned lock in requirements/ (scripts/lock.py): a SHA-pinned action runs the same
# code every week, dependencies included.
#
# Shared by action.yml and every actions/<name>/action.yml, which call it as
# "$GITHUB_ACTION_PATH/<...>/scripts/install-action.sh" (a composite action cannot
# `uses:` a path relative to itself). The package comes from the action's checkout, never
# from PyPI; its build backend is in the lock too (--no-build-isolation).
#
#   install-action.sh --plan   choose the Python and the lock, print where the venv lives
#                              and its cache key; install nothing
#   install-action.sh          install (or reuse) the venv and publish the launchready path
#
# Python: LR_PYTHON when set (it must be >= 3.11); else the first of python3, python,
# python3.13, python3.12, python3.11 that is >= 3.11; else, with uv, a uv-managed CPython
# (kept beside the venv, so the Actions cache keeps it too); else an ::error that names
# actions/setup-python.
#
# The venv lives in ${RUNNER_TEMP:-${TMPDIR:-/tmp}}/launchready-venv-<key>, where <key>
# hashes the lock, pyproject.toml, this script, every file under launchready_ci/ and the
# interpreter. A venv with that key that passed the smoke test is reused: the warm path
# costs one `launchready --version`. uv is used when on PATH (the actions set it up with
# astral-sh/setup-uv when it is not), else `python -m venv` and pip --require-hashes.
#
# Environment:
#   LR_PYTHON               interpreter for the venv (empty: found as above)
#   LR_EXTRAS               the optional extra the action needs: audit, dry-run or empty
#   LAUNCHREADY_INSTALLER   auto (default), uv or pip
#   LR_VENV                 install: the plan's venv; when it is warm, nothing is planned
#   RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT, GITHUB_PATH: as set by the runner
#
# Outputs ($GITHUB_OUTPUT, else stdout): venv, cache-key, cache-path (the venv, and the
# managed Python when there is one), setup-uv (true when uv must be set up first),
# uv-version; after an install: venv, launchready (absolute path of the executable) and
# warm (true when reused). $GITHUB_PATH gets a directory holding only `launchready`, so later
# steps can call it without the venv's python shadowing the job's.
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/action-lib.sh
source "$here/action-lib.sh"

die() {
  lr_error "launchready-ci install" "$*"
  exit 1
}

lr_check_inputs || exit 1
source_dir="$(dirname -- "$here")"
installer="${LAUNCHREADY_INSTALLER:-auto}"
mode="${1:-install}"
# The CPython uv provisions when the runner has no Python >= 3.11.
managed_version=3.12

case "$installer" in
  auto | uv | pip) ;;
  *) die "LAUNCHREADY_INSTALLER must be auto, uv or pip, not '$installer'" ;;
esac
extras="${LR_EXTRAS:-}"
extras="${extras//,/ }"
extras="${extras#"${extras%%[! ]*}"}"
extras="${extras%"${extras##*[! ]}"}"
case "$extras" in
  "") lock="$source_dir/requirements/action.txt" ;;
  audit | dry-run) lock="$source_dir/requirements/action-$extras.txt" ;;
  *) die "unknown extras '$extras' (expected audit, dry-run or nothing)" ;;
esac
[[ -f "$source_dir/pyproject.toml" ]] || die "no pyproject.toml in $source_dir: is this a launchready-ci checkout?"
[[ -f "$lock" ]] || die "no lock ${lock#"$source_dir/"} in $source_dir: run python scripts/lock.py"
uv_version="$(sed -n 's/^uv==\([^ ;]*\).*/\1/p' "$source_dir/requirements/test.txt" 2>/dev/null | head -n 1)"
have_uv=false
command -v uv >/dev/null 2>&1 && have_uv=true
uv_possible=true
[[ "$installer" == pip ]] && uv_possible=false

venv_bin() { if [[ -d "$venv/Scripts" ]]; then printf '%s' "$venv/Scripts"; else printf '%s' "$venv/bin"; fi; }
venv_exe() {
  local exe
  exe="$(venv_bin)/launchready"
  [[ -f "$exe.exe" ]] && exe="$exe.exe"
  printf '%s' "$exe"
}
is_warm() { [[ -f "$venv/.launchready-ok" ]] && "$(venv_exe)" --version >/dev/null 2>&1; }

publish() {
  local exe shim
  exe="$(venv_exe)"
  # A directory with launchready alone: the venv's bin on PATH would shadow python.
  shim="$venv/shim"
  if [[ ! -e "$shim/$(basename -- "$exe")" ]]; then
    mkdir -p -- "$shim"
    ln -s -- "$exe" "$shim/" 2>/dev/null || cp -- "$exe" "$shim/"
  fi
  [[ -n "${GITHUB_PATH:-}" ]] && printf '%s\n' "$shim" >>"$GITHUB_PATH"
  lr_output venv "$venv"
  lr_output launchready "$exe"
  lr_output warm "$warm"
}

# The warm path: the plan step's venv (LR_VENV), restored from the cache, needs no plan.
warm=false
if [[ "$mode" == install && -n "${LR_VENV:-}" ]]; then
  venv="$LR_VENV"
  if is_warm; then
    warm=true
    echo "launchready-ci: reusing $venv"
    publish
    exit 0
  fi
fi

# One interpreter run per candidate: its version, its real path and the key.
plan_python() { # interpreter
  "$1" - "$source_dir" "$lock" "$here/install-action.sh" <<'PY' 2>/dev/null
import hashlib, os, platform, sys
from pathlib import Path

root, lock, script = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
digest = hashlib.sha256()
digest.update(f"{os.path.realpath(sys.executable)}\0{sys.version}\0{platform.machine()}\0".encode())
files = [root / "pyproject.toml", lock, script] + sorted(
    p for p in (root / "launchready_ci").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
)
for path in files:
    digest.update(path.relative_to(root).as_posix().encode() + b"\0")
    digest.update(hashlib.sha256(path.read_bytes()).digest())
print("ok" if sys.version_info >= (3, 11) else "old")
print(sys.executable)
print(platform.python_version())
print(digest.hexdigest()[:20])
PY
}

python_exe="" key="" found_old=""
if [[ -n "${LR_PYTHON:-}" ]]; then
  command -v -- "$LR_PYTHON" >/dev/null 2>&1 ||
    die "python '$LR_PYTHON' not found: set the action's python input to a Python >= 3.11, or add actions/setup-python before this step"
  plan="$(plan_python "$LR_PYTHON")" || die "cannot run $LR_PYTHON"
  { read -r verdict && read -r exe_path && read -r version && read -r digest; } <<<"$plan"
  [[ "$verdict" == ok ]] ||
    die "launchready-ci needs Python >= 3.11, $exe_path is $version: add actions/setup-python (python-version: '3.12') before this step, or set the python input"
  python_exe="$exe_path" key="$digest"
else
  for candidate in python3 python python3.13 python3.12 python3.11; do
    command -v -- "$candidate" >/dev/null 2>&1 || continue
    plan="$(plan_python "$candidate")" || continue # e.g. the Windows Store alias
    { read -r verdict && read -r exe_path && read -r version && read -r digest; } <<<"$plan"
    if [[ "$verdict" == ok ]]; then
      python_exe="$exe_path" key="$digest"
      break
    fi
    [[ -n "$found_old" ]] || found_old="$exe_path $version|$digest"
  done
fi

base="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
managed_dir=""
if [[ -z "$python_exe" ]]; then
  # No Python >= 3.11: uv can fetch one, keyed by the version it will fetch.
  [[ -n "$found_old" ]] ||
    die "no Python found: add actions/setup-python (python-version: '3.12') before this step"
  $uv_possible ||
    die "launchready-ci needs Python >= 3.11, the newest here is ${found_old%%|*}: add actions/setup-python (python-version: '3.12') before this step, or let the action use uv (LAUNCHREADY_INSTALLER=auto)"
  python_exe="managed"
  digest="${found_old##*|}"
  key="${digest:0:12}-cp${managed_version//./}-uv${uv_version:-any}"
  managed_dir="$base/launchready-python-$key"
fi

venv="$base/launchready-venv-$key"
cache_key="launchready-venv-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$key"
use_uv=false
if [[ "$installer" == uv || "$python_exe" == managed ]] || { [[ "$installer" == auto ]] && $uv_possible; }; then
  use_uv=true
fi
cache_path="$venv"
[[ -n "$managed_dir" ]] && cache_path="$venv"$'\n'"$managed_dir"

if [[ "$mode" == "--plan" ]]; then
  lr_output venv "$venv"
  lr_output cache-key "$cache_key"
  lr_output cache-path "$cache_path"
  setup_uv=false
  if $use_uv && ! $have_uv; then setup_uv=true; fi
  lr_output setup-uv "$setup_uv"
  lr_output uv-version "$uv_version"
  exit 0
fi
[[ "$mode" == "install" ]] || die "unknown argument '$mode' (expected --plan or nothing)"

if is_warm; then
  warm=true
  echo "launchready-ci: reusing $venv"
else
  if $use_uv && ! command -v uv >/dev/null 2>&1; then
    if [[ "$installer" == uv || "$python_exe" == managed ]]; then
      die "uv is not on PATH (the action sets it up with astral-sh/setup-uv; outside it, install uv or add actions/setup-python)"
    fi
    use_uv=false
  fi
  tool=pip
  $use_uv && tool=uv
  echo "launchready-ci: installing $source_dir into $venv with $tool from ${lock#"$source_dir/"}"
  rm -rf -- "$venv"
  if $use_uv; then
    if [[ "$python_exe" == managed ]]; then
      export UV_PYTHON_INSTALL_DIR="$managed_dir"
      uv python install --quiet "$managed_version" || die "uv could not fetch CPython $managed_version"
      uv venv --quiet --managed-python --python "$managed_version" "$venv" || die "uv venv failed"
    else
      uv venv --quiet --python "$python_exe" "$venv" || die "uv venv failed for $python_exe"
    fi
    # Bytecode now, not at the first run: measured faster in total (benchmarks/README.md).
    uv pip sync --quiet --require-hashes --compile-bytecode --python "$(venv_bin)/python" "$lock" ||
      die "uv pip sync ${lock#"$source_dir/"} failed"
    uv pip install --quiet --no-deps --no-build-isolation --compile-bytecode \
      --python "$(venv_bin)/python" "$source_dir" || die "uv pip install of $source_dir failed"
  else
    pip_install() { # pip for the venv, then its arguments
      "$@" install --quiet --disable-pip-version-check --no-input --require-hashes \
        --no-deps -r "$lock" || die "pip install -r ${lock#"$source_dir/"} failed"
      "$@" install --quiet --disable-pip-version-check --no-input --no-deps \
        --no-build-isolation "$source_dir" || die "pip install of $source_dir failed"
    }
    # A venv without pip, filled by the base interpreter's pip (`--python`, pip >= 22.3),
    # skips ensurepip: about 5 s of a 13 s cold install (benchmarks/README.md).
    if "$python_exe" -m venv --without-pip "$venv" &&
      "$python_exe" -m pip --python "$(venv_bin)/python" --version >/dev/null 2>&1; then
      pip_install "$python_exe" -m pip --python "$(venv_bin)/python"
    else
      rm -rf -- "$venv"
      "$python_exe" -m venv "$venv" ||
        die "'$python_exe -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
      pip_install "$(venv_bin)/python" -m pip
    fi
  fi
  "$(venv_exe)" --version || die "the installed launchready does not start"
  : >"$venv/.launchready-ok"
fi

publish
