"""Which lines of a `run:` script print a secret to the job log: `echo`/`printf` of a
`${{ secrets.* }}` expression or of a variable bound to one, `printenv`/`env`, and
`set -x` with secrets in the environment; output piped into a command or redirected to
a file does not reach the log."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from launchready_ci.checks.workflows.reader import Workflow, label, step_label, steps_of
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule, register

__all__ = ["RULES", "Echo", "SecretEchoed", "echo_findings", "echoed_secrets", "secret_env"]


@register
class SecretEchoed(Rule):
    """A workflow script prints a secret to the job log.

    Why
    ---
    GitHub masks a secret's exact value in logs, but not the value base64-encoded,
    URL-encoded, split over lines or passed through `set -x` tracing of a transformed
    variable, and a masked line still tells a reader which secret was used where. Logs
    are readable by everyone with read access to the repository, and by everyone for a
    public one.

    Remediation
    -----------
    Remove the `echo`/`printenv`/`env`/`set -x`. To check that a secret is set, test its
    length (`test -n "$API_KEY"`); to hand it to a command, use the command's
    `--password-stdin`-style input or an environment variable, never its output.

    References
    ----------
    - https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#using-secrets-in-a-workflow
    - https://cwe.mitre.org/data/definitions/532.html
    """

    id = "workflows/secret-echoed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            '      - run: echo "${{ secrets.STRIPE_KEY }}"\n',
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - env: {STRIPE_KEY: '${{ secrets.STRIPE_KEY }}'}\n"
            '        run: test -n "$STRIPE_KEY"\n',
        ),
    }


#: This area's rules.
RULES: tuple[type[Rule], ...] = (SecretEchoed,)


_SECRET_EXPR = re.compile(r"\$\{\{(?:(?!\}\}).)*?(?<![\w.-])(?:secrets|github\.token)\b.*?\}\}")
_SECRET_REF = re.compile(
    r"(?<![\w.-])(?:secrets\s*(?:\.\s*([A-Za-z0-9_-]+)|\[\s*'([^']+)'\s*\])|github\.token)"
)
_VAR_REF = re.compile(r"\$env:([A-Za-z_][A-Za-z0-9_]*)|\$\{?([A-Za-z_][A-Za-z0-9_]*)", re.I)
_PRINTERS = frozenset(
    {"echo", "printf", "print", "puts", "write-host", "write-output", "write-information"}
)
#: Words before a command that do not change what it prints.
_PREFIX = frozenset({"then", "do", "else", "{", "(", "!", "time", "sudo", "command", "builtin"})
#: Commands that print what is piped into them.
_PASS_THROUGH = frozenset({"tee", "cat", "sort", "uniq", "grep", "head", "tail", "jq"})
_TO_LOG = frozenset({"/dev/stdout", "/dev/stderr", "/dev/tty"})
_REDIRECT = re.compile(r"(\d*|&)>>?\s*(&\d|[^\s]+)")


@dataclass(frozen=True)
class Echo:
    """A script line that prints secrets: its index in the script, the command, and what
    it prints (``secrets.X``, ``$API_KEY``)."""

    index: int
    command: str
    names: tuple[str, ...]


def secret_env(*envs: object) -> dict[str, str]:
    """Environment variables bound to a secret: name -> the secret (``secrets.X``)."""
    out: dict[str, str] = {}
    for env in envs:
        if isinstance(env, dict):
            for name, value in env.items():
                if isinstance(value, str) and _SECRET_EXPR.search(value):
                    out[str(name)] = _secret_names(value)[0]
    return out


def _secret_names(text: str) -> list[str]:
    names: list[str] = []
    for expr in _SECRET_EXPR.finditer(text):
        refs = [
            f"secrets.{m.group(1) or m.group(2)}" if m.group(0) != "github.token" else m.group(0)
            for m in _SECRET_REF.finditer(expr.group(0))
            if m.group(0) == "github.token" or m.group(1) or m.group(2)
        ]
        names.extend(refs or ["secrets"])  # toJSON(secrets): all of them
    return list(dict.fromkeys(names))


def echoed_secrets(script: str, bound: Mapping[str, str]) -> list[Echo]:
    """The lines of a ``run:`` script that print a secret: ``echo``/``printf`` of a
    ``${{ secrets.X }}`` or of a variable in ``bound``, ``printenv``/``env`` while secrets
    are in the environment, and ``set -x`` when a later line of the script expands a
    secret on its command line (a ``${{ secrets.X }}`` written into it, or ``$VAR`` of a
    variable in ``bound``) before ``set +x``: xtrace prints each command after
    expansion, so a secret that only sits in the environment (``gh`` reading
    ``$GH_TOKEN`` itself) is not printed.

    Output piped into another command (``| docker login --password-stdin``) or written
    to a file (``>> "$GITHUB_ENV"``) is not printed; ``>&2`` and ``| tee`` are.
    """
    out: list[Echo] = []
    traced = bool(bound) or _SECRET_EXPR.search(script) is not None
    for index, line in enumerate(script.splitlines()):
        parts = _split(line)
        for n, (segment, op) in enumerate(parts):
            words = _words(segment)
            if not words:
                continue
            head = words[0].lower()
            piped_to = (
                _words(parts[n + 1][0])[:1] if op in ("|", "|&") and n + 1 < len(parts) else []
            )
            shown = not _to_file(segment) and (
                op not in ("|", "|&") or (bool(piped_to) and piped_to[0] in _PASS_THROUGH)
            )
            names: list[str] = []
            if head in _PRINTERS and shown:
                names = _secret_names(segment) + [f"${v}" for v in _var_refs(segment) if v in bound]
            elif head in ("printenv", "env") and not _to_file(segment):
                args = [w for w in words[1:] if not w.startswith("-")]
                if head == "env" and args:
                    continue  # `env X=1 cmd` runs a command
                names = [f"${a}" for a in args if a in bound] if args else [f"${b}" for b in bound]
            elif head == "set" and traced and _sets_xtrace(words[1:]):
                names = _expanded_after(script.splitlines()[index + 1 :], bound)
            if names:
                out.append(
                    Echo(index, " ".join(words[: 1 + (head == "set")]), tuple(dict.fromkeys(names)))
                )
                break
    return out


def _split(line: str) -> list[tuple[str, str | None]]:
    """A shell line cut at unquoted ``;``, ``&&``, ``||``, ``|``, ``&`` (and ``#``
    comments): each simple command with the operator after it."""
    out: list[tuple[str, str | None]] = []
    buf: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            buf.append(c)
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"' and i + 1 < len(line):
                buf.append(line[i + 1])
                i += 1
        elif c in "'\"":
            quote = c
            buf.append(c)
        elif c == "\\" and i + 1 < len(line):
            buf.append(line[i : i + 2])
            i += 1
        elif c == "#" and (not buf or buf[-1][-1:].isspace()):
            break
        elif line.startswith(("&&", "||", "|&"), i):
            out.append(("".join(buf), line[i : i + 2]))
            buf = []
            i += 1
        elif c in ";|" or (c == "&" and line[i + 1 : i + 2] != ">" and buf[-1:] != [">"]):
            out.append(("".join(buf), c))
            buf = []
        else:
            buf.append(c)
        i += 1
    out.append(("".join(buf), None))
    return out


def _words(segment: str) -> list[str]:
    words = segment.split()
    while words and (words[0] in _PREFIX or re.fullmatch(r"[A-Za-z_]\w*=\S*", words[0])):
        words = words[1:]
    if words:
        words[0] = words[0].lstrip("({!")
    return [w for w in words if w]


def _mask(segment: str, quotes: str) -> str:
    """``segment`` with the inside of ``quotes`` quoted strings blanked out."""
    out: list[str] = []
    quote: str | None = None
    for c in segment:
        if quote:
            out.append(c if c == quote else " ")
            if c == quote:
                quote = None
        else:
            if c in quotes:
                quote = c
            out.append(c)
    return "".join(out)


def _to_file(segment: str) -> bool:
    """Whether a command's standard output is redirected somewhere other than the log."""
    for m in _REDIRECT.finditer(_mask(segment, "'\"")):
        fd, target = m.group(1), m.group(2)
        if fd in ("", "1", "&") and not target.startswith("&") and target not in _TO_LOG:
            return True
    return False


def _var_refs(segment: str) -> list[str]:
    """Variables a command expands (single quotes expand nothing in a shell)."""
    return [m.group(1) or m.group(2) for m in _VAR_REF.finditer(_mask(segment, "'"))]


def _expanded_after(lines: Sequence[str], bound: Mapping[str, str]) -> list[str]:
    """The secrets that the command lines of ``lines`` expand, up to a ``set +x``."""
    names: list[str] = []
    for line in lines:
        words = line.split()
        if words[:1] == ["set"] and any(
            re.fullmatch(r"\+[a-zA-Z]*x[a-zA-Z]*", w) for w in words[1:]
        ):
            break
        code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        names += _secret_names(code) + [f"${v}" for v in _var_refs(code) if v in bound]
    return list(dict.fromkeys(names))


def _sets_xtrace(args: Sequence[str]) -> bool:
    return any(
        re.fullmatch(r"-[a-wyzA-Z]*x[a-zA-Z]*", a) or (a == "xtrace" and "-o" in args) for a in args
    )


# --- findings on a workflow ----------------------------------------------------------------


def echo_findings(wf: Workflow) -> Iterator[Finding]:
    for jid, job in wf.jobs.items():
        for i, step in steps_of(job):
            script = step.get("run")
            if not isinstance(script, str):
                continue
            bound = secret_env(wf.data.get("env"), job.get("env"), step.get("env"))
            echoes = echoed_secrets(script, bound)
            if not echoes:
                continue
            lines = _script_lines(wf, ("jobs", jid, "steps", i, "run"), script)
            for echo in echoes:
                shown = ", ".join(
                    f"{n} (bound to {bound[n[1:]]})" if n.startswith("$") and n[1:] in bound else n
                    for n in echo.names
                )
                verb = "traces commands with" if echo.command.startswith("set") else "prints"
                yield SecretEchoed.finding(
                    f"{label(wf)}, job {jid}, {step_label(i, step)}: `{echo.command}` "
                    f"{verb} {shown} to the job log",
                    Location(path=wf.path, start_line=lines[echo.index]),
                    content=f"{jid}:{step_label(i, step)}:{echo.command}:{','.join(echo.names)}",
                )


def _script_lines(wf: Workflow, key: tuple[str | int, ...], script: str) -> list[int]:
    """The file line of each line of a ``run:`` script (the ``run:`` line when a line
    cannot be found as written, as in a quoted or folded scalar)."""
    start = wf.line(*key) or 1
    script_lines = script.splitlines()
    end = min(len(wf.lines), start + 2 * len(script_lines) + 2)
    cursor = start - 1
    out: list[int] = []
    for text in script_lines:
        wanted = text.strip()
        found = start
        if wanted:
            for j in range(cursor, end):
                if wanted in wf.lines[j]:
                    found, cursor = j + 1, j
                    break
        out.append(found)
    return out
