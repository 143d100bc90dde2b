#!/usr/bin/env bash
# Install launchready-ci from this action's own checkout into a private venv.
#
# Shared by action.yml and every actions/<name>/action.yml, which call it as
# "$GITHUB_ACTION_PATH/<...>/scripts/install-action.sh" (a composite action cannot
# `uses:` a path relative to itself). The package comes from the action's checkout,
# never from PyPI, so the code that runs is the code at the pinned action ref.
#
#   install-action.sh --plan   print where the venv lives and its cache key, install nothing
#   install-action.sh          install (or reuse) the venv and publish the launchready path
#
# The venv lives in ${RUNNER_TEMP:-${TMPDIR:-/tmp}}/launchready-venv-<key>, where <key> hashes
# pyproject.toml, every file under launchready_ci/ and the interpreter (path and version).
# A venv with that key that passed the smoke test is reused: the warm path costs one
# `launchready --version`. uv is used when on PATH, else `python -m venv` and pip.
#
# Environment:
#   LR_PYTHON               interpreter for the venv (default python3); needs >= 3.11
#   LAUNCHREADY_INSTALLER   auto (default), uv or pip
#   RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT, GITHUB_PATH: as set by the runner
#
# Outputs ($GITHUB_OUTPUT, else stdout): venv, cache-key, and after an install
# launchready (absolute path of the executable) and warm (true when reused).
# $GITHUB_PATH gets a directory holding only `launchready`, so later steps can call it
# without the venv's python shadowing the job's.
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
python="${LR_PYTHON:-python3}"
installer="${LAUNCHREADY_INSTALLER:-auto}"
mode="${1:-install}"

[[ -f "$source_dir/pyproject.toml" ]] || die "no pyproject.toml in $source_dir: is this a launchready-ci checkout?"
command -v -- "$python" >/dev/null 2>&1 ||
  die "python '$python' not found: set the action's python input or add actions/setup-python before it"

# One interpreter run gives the version check, the interpreter's real path and the key.
plan="$(
  "$python" - "$source_dir" <<'PY'
import hashlib, os, platform, sys
from pathlib import Path

if sys.version_info < (3, 11):
    print(f"launchready-ci needs Python >= 3.11, {sys.executable} is {platform.python_version()}")
    sys.exit(3)
root = Path(sys.argv[1])
digest = hashlib.sha256()
digest.update(f"{os.path.realpath(sys.executable)}\0{sys.version}\0{platform.machine()}\0".encode())
files = [root / "pyproject.toml"] + sorted(
    p for p in (root / "launchready_ci").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
)
for path in files:
    digest.update(path.relative_to(root).as_posix().encode() + b"\0")
    digest.update(hashlib.sha256(path.read_bytes()).digest())
print(sys.executable)
print(digest.hexdigest()[:20])
PY
)" || die "${plan:-cannot run $python}"
{ read -r python_exe && read -r key; } <<<"$plan"

venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/launchready-venv-$key"
cache_key="launchready-venv-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$key"

lr_output venv "$venv"
lr_output cache-key "$cache_key"
[[ "$mode" == "--plan" ]] && exit 0
[[ "$mode" == "install" ]] || die "unknown argument '$mode' (expected --plan or nothing)"

if [[ -d "$venv/Scripts" ]]; then bin="$venv/Scripts"; else bin="$venv/bin"; fi
exe="$bin/launchready"
[[ -f "$exe.exe" ]] && exe="$exe.exe"

warm=false
if [[ -f "$venv/.launchready-ok" ]] && "$exe" --version >/dev/null 2>&1; then
  warm=true
  echo "launchready-ci: reusing $venv"
else
  case "$installer" in
    auto) if command -v uv >/dev/null 2>&1; then installer=uv; else installer=pip; fi ;;
    uv | pip) ;;
    *) die "LAUNCHREADY_INSTALLER must be auto, uv or pip, not '$installer'" ;;
  esac
  echo "launchready-ci: installing $source_dir into $venv with $installer"
  rm -rf -- "$venv"
  if [[ "$installer" == uv ]]; then
    uv venv --quiet --python "$python_exe" "$venv" || die "uv venv failed for $python_exe"
    if [[ -d "$venv/Scripts" ]]; then bin="$venv/Scripts"; fi
    # Bytecode now, not at the first run: measured faster in total (benchmarks/README.md).
    uv pip install --quiet --compile-bytecode --python "$bin/python" "$source_dir" ||
      die "uv pip install failed"
  else
    # A venv without pip, filled by the base interpreter's pip (`--python`, pip >= 22.3),
    # skips ensurepip: about 5 s of a 13 s cold install (benchmarks/README.md).
    if "$python_exe" -m venv --without-pip "$venv" &&
      "$python_exe" -m pip --python "$venv/bin/python" --version >/dev/null 2>&1; then
      if [[ -d "$venv/Scripts" ]]; then bin="$venv/Scripts"; fi
      "$python_exe" -m pip --python "$bin/python" install --quiet --disable-pip-version-check \
        --no-input "$source_dir" || die "pip install failed"
    else
      rm -rf -- "$venv"
      "$python_exe" -m venv "$venv" ||
        die "'$python_exe -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
      if [[ -d "$venv/Scripts" ]]; then bin="$venv/Scripts"; fi
      "$bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$source_dir" ||
        die "pip install failed"
    fi
  fi
  exe="$bin/launchready"
  [[ -f "$exe.exe" ]] && exe="$exe.exe"
  "$exe" --version || die "the installed launchready does not start"
  : >"$venv/.launchready-ok"
fi

# A directory with launchready alone: adding $bin itself to PATH would shadow python.
shim="$venv/shim"
if [[ ! -e "$shim/$(basename -- "$exe")" ]]; then
  mkdir -p -- "$shim"
  ln -s -- "$exe" "$shim/" 2>/dev/null || cp -- "$exe" "$shim/"
fi
[[ -n "${GITHUB_PATH:-}" ]] && printf '%s\n' "$shim" >>"$GITHUB_PATH"
lr_output launchready "$exe"
lr_output warm "$warm"
