#!/usr/bin/env bash
# The run step of actions/env-inventory: turn its mode into a launchready command, then
# hand over to run-action.sh (which adds the shared options and records the exit status).
#
# Environment (each from an action input, through `env:`), besides run-action.sh's own:
#   LR_MODE          check (default), verify or docs
#   LR_ENVIRONMENT   verify: the environment deployed to, e.g. production (required)
#   LR_ENV_FILE      verify: dotenv, JSON or `env -0` file of the values, relative to the
#                    working directory; empty: the values are this step's environment
#   LR_COMPARE       verify: the same kind of file for another environment, to find
#                    secrets shared between the two (optional)
#
#   check    launchready env check   (the static check: code against env-inventory.yml)
#   verify   launchready env verify  (a deploy's values against env-inventory.yml)
#   docs     launchready env docs --summary  (the inventory as a table in the job summary)
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/action-lib.sh
source "$here/action-lib.sh"
if ! lr_check_inputs; then
  lr_output status 2
  exit 0
fi
mode="${LR_MODE:-check}"

case "$mode" in
  check)
    exec "$here/run-action.sh" env check
    ;;
  verify)
    args=(env verify)
    [[ -n "${LR_ENVIRONMENT:-}" ]] && args+=(--environment "$LR_ENVIRONMENT")
    [[ -n "${LR_ENV_FILE:-}" ]] && args+=(--from "$LR_ENV_FILE")
    [[ -n "${LR_COMPARE:-}" ]] && args+=(--compare "$LR_COMPARE")
    exec "$here/run-action.sh" "${args[@]}"
    ;;
  docs)
    # No findings, so no report files and no fail-on.
    LR_FAIL_ON="" LR_SARIF="" LR_JSON="" exec "$here/run-action.sh" env docs --summary
    ;;
  *)
    lr_error launchready-ci "mode must be check, verify or docs, not $mode"
    lr_output status 2
    ;;
esac
