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
#   LR_CHECKS               check ids separated by spaces, commas or line breaks (empty: every
#                           check the config enables)
# Every other LR_* variable must hold one line (LR_CONNECT_TO is one rule per line): a line
# break in an input is refused with status 2 before anything runs (scripts/action-lib.sh).
#
#   LR_UPLOAD_SARIF         'true': the action's upload-sarif input
#   LR_HEAD_REPOSITORY      owner/name of a pull request's head repository (empty otherwise)
#
# Outputs: whatever launchready writes to $GITHUB_OUTPUT (result, findings, ...), plus
#   status        launchready's exit status (0 clean, 1 findings, 2 usage or config error)
#   sarif-path    absolute path of the SARIF file, only when it was written
#   upload-sarif  true when the SARIF file should go to code scanning: asked for, written,
#                 and the token can write security events (not on a pull request from a
#                 fork, nor on Dependabot's; those get a notice instead)
set -euo pipefail

# shellcheck source=scripts/action-lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/action-lib.sh"

launchready="${LAUNCHREADY:-launchready}"
if ! lr_check_inputs LR_CHECKS LR_CONNECT_TO LR_PROBES; then
  lr_output status 2
  exit 0
fi
cd -- "${LR_WORKING_DIRECTORY:-.}" 2>/dev/null || {
  lr_error launchready-ci "working-directory ${LR_WORKING_DIRECTORY:-} does not exist"
  lr_output status 2
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
checks_text="${checks_text//,/ }"
read -r -a checks <<<"${checks_text//$'\n'/ }"
for check in ${checks[@]+"${checks[@]}"}; do
  args+=(--check "$check")
done

status=0
"$launchready" "${args[@]}" || status=$?

lr_output status "$status"
upload=false
if [[ -n "$sarif" && -f "$sarif" ]]; then
  lr_output sarif-path "$sarif"
  if [[ "${LR_UPLOAD_SARIF:-false}" != true ]]; then
    :
  elif [[ "${GITHUB_EVENT_NAME:-}" == pull_request && "${LR_HEAD_REPOSITORY:-}" != "${GITHUB_REPOSITORY:-}" ]]; then
    echo "::notice title=launchready-ci::SARIF not uploaded: on a pull request from a fork the token cannot write security events. The findings are in the annotations and the job summary, and still decide the job."
  elif [[ "${GITHUB_ACTOR:-}" == "dependabot[bot]" ]]; then
    echo "::notice title=launchready-ci::SARIF not uploaded: Dependabot's token cannot write security events. The findings are in the annotations and the job summary, and still decide the job."
  else
    upload=true
  fi
fi
lr_output upload-sarif "$upload"
