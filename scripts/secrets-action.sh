#!/usr/bin/env bash
# The run step of actions/secret-scan: turn its `scan` input into a launchready command,
# then hand over to run-action.sh (which adds the shared options and records the status).
#
# Environment (each from an action input, through `env:`), besides run-action.sh's own:
#   LR_SCAN    auto (default): the triggering event's commits (a pull request's, a push's;
#              other events: the working tree); tree; pr; push; history
#   LR_BASE    pr: base revision (default: the pull_request event's base)
#   LR_HEAD    pr: head revision (default: the pull_request event's head)
#   LR_SHARD   history: K/N, this job's shard of the history (default: all of it)
#
#   auto     launchready secrets scan --event
#   tree     launchready secrets scan
#   pr       launchready secrets scan --base BASE --head HEAD   (or --pr auto)
#   push     launchready secrets scan --event   (on a push event)
#   history  launchready secrets scan --history [--shard K/N]
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/action-lib.sh
source "$here/action-lib.sh"

fail() {
  lr_error launchready-ci "$1"
  lr_output status 2
  exit 0
}

if ! lr_check_inputs; then
  lr_output status 2
  exit 0
fi
scan="${LR_SCAN:-auto}"

case "$scan" in
  auto | push)
    exec "$here/run-action.sh" secrets scan --event
    ;;
  tree)
    exec "$here/run-action.sh" secrets scan
    ;;
  pr)
    if [[ -n "${LR_BASE:-}" || -n "${LR_HEAD:-}" ]]; then
      [[ -n "${LR_BASE:-}" && -n "${LR_HEAD:-}" ]] || fail "scan: pr needs both base and head, or neither (then they come from the pull_request event)"
      exec "$here/run-action.sh" secrets scan --base "$LR_BASE" --head "$LR_HEAD"
    fi
    exec "$here/run-action.sh" secrets scan --pr auto
    ;;
  history)
    args=(secrets scan --history)
    [[ -n "${LR_SHARD:-}" ]] && args+=(--shard "$LR_SHARD")
    exec "$here/run-action.sh" "${args[@]}"
    ;;
  *)
    fail "scan must be auto, tree, pr, push or history, not $scan"
    ;;
esac
