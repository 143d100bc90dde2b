#!/usr/bin/env bash
# Lint the composite actions, the starter workflows and this repository's workflows.
#
#   - zizmor --offline --persona auditor: every security audit, pedantic ones included; zero
#     findings allowed (a false positive is
#     suppressed inline with `# zizmor: ignore[audit]` and a reason)
#   - check-jsonschema: GitHub's action and workflow schemas, bundled with the tool
#   - ShellCheck: every bash/sh `run:` block (via extract_run_scripts.py, which also
#     rejects `${{ }}` inside run:), scripts/*.sh and .ci/run
#   - actionlint: when on PATH; skipped otherwise (its PyPI wrapper downloads the binary
#     from GitHub at build time, which fails offline)
#
# Tools come from $VENV/bin when VENV is set, else from ./.venv/bin when it exists, else PATH.
# Works offline. Exit status: 0 when every linter passed, 1 otherwise.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
if [[ -n "${VENV:-}" ]]; then
  PATH="$VENV/bin:$PATH"
elif [[ -d .venv/bin ]]; then
  PATH="$PWD/.venv/bin:$PATH"
fi
export PATH

shopt -s nullglob
actions=(action.yml actions/*/action.yml)
stubs=(tests/actions/stubs/*/action.yml tests/actions/stubs/*/*/action.yml)
templates=(workflow-templates/*.yml workflow-templates/*.yaml)
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
shell_scripts=(scripts/*.sh)
[[ -f .ci/run ]] && shell_scripts+=(.ci/run)
shopt -u nullglob

failed=()
run() { # name, command...
  local name="$1"
  shift
  echo "==> $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}

# zizmor does not collect workflows outside .github/workflows from a directory, so every
# file is named explicitly.
run "zizmor (auditor persona)" env RUST_BACKTRACE=0 RUST_LIB_BACKTRACE=0 zizmor --offline --no-progress --color=never --persona auditor \
  "${actions[@]}" "${stubs[@]}" "${templates[@]}" "${workflows[@]}" .github/dependabot.yml

run "check-jsonschema (actions)" \
  check-jsonschema --builtin-schema vendor.github-actions "${actions[@]}" "${stubs[@]}"
workflow_files=("${templates[@]}" "${workflows[@]}")
if ((${#workflow_files[@]})); then
  run "check-jsonschema (workflows)" \
    check-jsonschema --builtin-schema vendor.github-workflows "${workflow_files[@]}"
  run "check-jsonschema (timeout-minutes on every job)" \
    check-jsonschema --builtin-schema custom.github-workflows-require-timeout "${workflow_files[@]}"
fi

[[ -f .github/dependabot.yml ]] &&
  run "check-jsonschema (dependabot)" \
    check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

extracted="$(mktemp -d)"
trap 'rm -rf -- "$extracted"' EXIT
echo "==> extract run: blocks"
if ! python scripts/extract_run_scripts.py --out "$extracted" --forbid-expressions \
  "${actions[@]}" "${stubs[@]}" "${templates[@]}" "${workflows[@]}" >"$extracted/files.txt"; then
  failed+=("extract run: blocks")
fi
mapfile -t run_scripts <"$extracted/files.txt"
run shellcheck shellcheck --external-sources "${shell_scripts[@]}" "${run_scripts[@]}"

if command -v actionlint >/dev/null 2>&1; then
  # The templates are not under .github/workflows, where actionlint finds workflows itself.
  run actionlint actionlint -shellcheck= "${templates[@]}" "${workflows[@]}"
else
  echo "==> actionlint: not on PATH, skipped"
fi

if ((${#failed[@]})); then
  printf 'lint-actions: failed: %s\n' "${failed[*]}" >&2
  exit 1
fi
echo "lint-actions: all passed"
