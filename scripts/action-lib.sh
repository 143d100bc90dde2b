# shellcheck shell=bash
# Sourced by the action scripts and the composite actions' run steps: the one way they
# write workflow commands and step outputs, and the check that an input holds one line.
#
# An input is a string the workflow author controls, often built from event data. A line
# break in it must not end the value it was meant for: in $GITHUB_OUTPUT the next line
# would set another output (`status=0` would turn findings into a pass), in the log it
# would start a workflow command. So:
#   - lr_output writes every output in the heredoc form with a random delimiter (what
#     @actions/core does; launchready_ci/github/outputs.py writes the same);
#   - lr_error escapes its title and message as @actions/core does (%, CR, LF; and : ,
#     in the title), like launchready_ci/github/commands.py;
#   - lr_check_inputs rejects a line break in every LR_* variable except the ones named.
#
# Plain bash 3.2 (macOS's /bin/bash): no ${x,,}, no mapfile, no associative arrays.

lr_escape_data() {
  local s="${1//%/%25}"
  s="${s//$'\r'/%0D}"
  printf '%s' "${s//$'\n'/%0A}"
}

lr_escape_property() {
  local s
  s="$(lr_escape_data "$1")"
  s="${s//:/%3A}"
  printf '%s' "${s//,/%2C}"
}

# lr_error TITLE MESSAGE: an ::error annotation whose text cannot start a command.
lr_error() {
  printf '::error title=%s::%s\n' "$(lr_escape_property "$1")" "$(lr_escape_data "$2")"
}

lr_delimiter() {
  printf 'ghadelimiter_%s' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
}

# lr_output NAME VALUE: one step output. Outside a runner (no $GITHUB_OUTPUT), name=value
# on stdout, for a person reading it.
lr_output() {
  local delimiter
  if [[ -z "${GITHUB_OUTPUT:-}" ]]; then
    printf '%s=%s\n' "$1" "$2"
    return 0
  fi
  delimiter="$(lr_delimiter)"
  while [[ "$2" == *"$delimiter"* ]]; do delimiter="$(lr_delimiter)"; done
  printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
}

# lr_check_inputs [VAR...]: every LR_* variable other than the VARs named (the inputs that
# are lists, one item per line) holds one line. Prints an error per offending input (named
# as the action names it: LR_ROLLBACK_OF is rollback-of); status 1 when there was one.
# shellcheck disable=SC2120 # the multi-line VARs are optional
lr_check_inputs() {
  local var name bad=0
  for var in "${!LR_@}"; do
    case " $* " in *" $var "*) continue ;; esac
    case "${!var}" in
      *$'\n'* | *$'\r'*)
        name="$(printf '%s' "${var#LR_}" | tr 'A-Z_' 'a-z-')"
        lr_error "launchready-ci" "input $name must be a single line, and it holds a line break"
        bad=1
        ;;
    esac
  done
  return "$bad"
}
