#!/usr/bin/env bash
# Run launchready for a composite action and record its exit status instead of failing.
#
#   run-action.sh [COMMAND [OPTION...]]
#
# COMMAND and its own options are the launchready subcommand to run (default: `run`), for
# example `env verify --environment production` (see env-action.sh); the options every
# command shares (--root, --config, --fail-on, --sarif, --json, --check) come from the
# environment below and are added after them.
#
# The step that calls this always succeeds, so that a SARIF upload step can still run after
# findings; a later step of the action fails the job with the recorded status.
#
# Environment (each from an action input, through `env:`; empty: the option is not passed):
#   LAUNCHREADY             path of the launchready executable (install-action.sh output)
#   LR_WORKING_DIRECTORY    repository root to check (default .)
#   LR_CONFIG               config file, relative to the working directory (optional)
#   LR_FAIL_ON              error|warning|notice|never; empty: the config's fail_on, else error
#   LR_SARIF, LR_JSON       report files, relative to the working directory (empty: none)
#   LR_CHECKS               check ids separated by spaces or commas (empty: every check the config enables)
#
# Outputs: whatever launchready writes to $GITHUB_OUTPUT (result, findings, ...), plus
#   status       launchready's exit status (0 clean, 1 findings, 2 usage or config error)
#   sarif-path   absolute path of the SARIF file, only when it was written
set -euo pipefail

launchready="${LAUNCHREADY:-launchready}"
cd -- "${LR_WORKING_DIRECTORY:-.}" || {
  printf '::error title=launchready-ci::working-directory %s does not exist\n' "${LR_WORKING_DIRECTORY:-}"
  printf 'status=2\n' >>"${GITHUB_OUTPUT:-/dev/null}"
  exit 0
}

absolute() {
  case "$1" in
    /* | [A-Za-z]:[\\/]*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "$1" ;;
  esac
}

args=("$@")
((${#args[@]})) || args=(run)
args+=(--root .)
[[ -n "${LR_CONFIG:-}" ]] && args+=(--config "$LR_CONFIG")
[[ -n "${LR_FAIL_ON:-}" ]] && args+=(--fail-on "$LR_FAIL_ON")
sarif=""
if [[ -n "${LR_SARIF:-}" ]]; then
  sarif="$(absolute "$LR_SARIF")"
  rm -f -- "$sarif"
  args+=(--sarif "$sarif")
fi
[[ -n "${LR_JSON:-}" ]] && args+=(--json "$(absolute "$LR_JSON")")
checks_text="${LR_CHECKS:-}"
read -r -a checks <<<"${checks_text//,/ }"
for check in ${checks[@]+"${checks[@]}"}; do
  args+=(--check "$check")
done

status=0
"$launchready" "${args[@]}" || status=$?

{
  printf 'status=%s\n' "$status"
  if [[ -n "$sarif" && -f "$sarif" ]]; then
    printf 'sarif-path=%s\n' "$sarif"
  fi
} >>"${GITHUB_OUTPUT:-/dev/null}"
