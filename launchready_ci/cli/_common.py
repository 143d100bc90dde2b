"""What every command shares: the common options, the error guard, and the IO of
``launchready run`` and of the subcommands built on it (``env check``, ``env verify``,
...): config, context, the runner, reporters, files, exit code.

:func:`execute` takes the checks to run, so a subcommand is ``run`` restricted to its own
check (a class) or to a check it configured from its options (an instance).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from launchready_ci.errors import ConfigError, UsageError
from launchready_ci.github.console import echo

if TYPE_CHECKING:  # the rest is imported by the commands that run checks, not by every one
    from launchready_ci import config as config_mod
    from launchready_ci.checks import Check
    from launchready_ci.context import GitHubEnv, RunContext
    from launchready_ci.findings import Finding, Report
    from launchready_ci.redaction import Scrubber

__all__ = [
    "CA_BUNDLE",
    "CONFIG",
    "FAIL_ON",
    "ROOT",
    "ExtraOutputs",
    "Session",
    "append_text",
    "blob_url",
    "die",
    "execute",
    "guard",
    "open_session",
    "report_options",
    "resolve_root",
    "skip_unconfigured",
    "write_text",
]

FAIL_ON = click.Choice(["error", "warning", "notice", "never"], case_sensitive=False)


def die(message: str, code: int = 2) -> NoReturn:
    echo(f"launchready: error: {message}", err=True)
    sys.exit(code)


def guard(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn launchready's own errors into a message and an exit code, never a traceback."""

    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from launchready_ci.errors import LaunchreadyError

        try:
            code = fn(*args, **kwargs)
        except ConfigError as exc:
            n = len(exc.problems)
            files = sorted({p.path for p in exc.problems})
            if n > 1:
                echo(f"launchready: error: {n} problems in {', '.join(files)}", err=True)
            else:
                echo("launchready: error:", err=True)
            echo(exc.render(), err=True)
            sys.exit(2)
        except LaunchreadyError as exc:
            die(str(exc), exc.exit_code or 2)
        except KeyboardInterrupt:
            die("interrupted", 130)
        except Exception as exc:  # a bug: no traceback (it may quote data) unless asked
            if os.environ.get("LAUNCHREADY_DEBUG") or kwargs.get("debug"):
                raise
            die(
                f"internal error ({type(exc).__name__}); rerun with LAUNCHREADY_DEBUG=1 for "
                "a traceback and report it",
                3,
            )
        sys.exit(code)

    return wrapper


ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root (default: the current directory).",
)
CA_BUNDLE = click.option(
    "--ca-bundle",
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Trust the CA certificates in FILE (PEM) instead of the system's.",
)
CONFIG = click.option(
    "--config",
    "config_path",
    metavar="FILE",
    help="Config file (default: .github/launchready.yml, then launchready.yml).",
)


def report_options(fn: Callable[..., None]) -> Callable[..., None]:
    """The options of every command that runs checks: where to look and what to write."""
    options = [
        ROOT,
        CONFIG,
        click.option(
            "--fail-on",
            type=FAIL_ON,
            default=None,
            help="Lowest severity that fails the run (default: config, else error).",
        ),
        click.option("--baseline", metavar="FILE", help="Accept the findings recorded in FILE."),
        click.option(
            "--write-baseline", metavar="FILE", help="Record the current findings in FILE."
        ),
        click.option("--sarif", metavar="FILE", help="Write SARIF 2.1.0 to FILE."),
        click.option(
            "--json",
            "json_path",
            metavar="FILE",
            help="Write the JSON report to FILE (`-`: to stdout; the terminal report goes "
            "to stderr then).",
        ),
        click.option("--markdown", metavar="FILE", help="Write the Markdown summary to FILE."),
        click.option(
            "--summary/--no-summary",
            default=None,
            help="Append the summary to $GITHUB_STEP_SUMMARY (default: when set).",
        ),
        click.option(
            "--annotations/--no-annotations",
            default=None,
            help="Print GitHub annotations (default: when GITHUB_ACTIONS=true).",
        ),
        click.option(
            "--color/--no-color",
            default=None,
            help="Colour the terminal report (default: on a TTY).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Do not print the terminal report."),
        click.option(
            "--verbose",
            "-v",
            is_flag=True,
            help="Print every finding (the terminal report shows a few per rule and counts).",
        ),
        click.option("--debug", is_flag=True, help="Let internal errors raise with a traceback."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


#: More ``$GITHUB_OUTPUT`` values a subcommand derives from the report (name -> value).
ExtraOutputs = Callable[["Report"], Mapping[str, str]]


@dataclasses.dataclass(frozen=True)
class Session:
    """What every command that reads the repository starts from."""

    root: Path
    environ: Mapping[str, str]
    github: GitHubEnv
    config: config_mod.Config

    @property
    def title(self) -> str:
        """What the documents call the project: the GitHub repository, else the folder."""
        return self.github.repository or self.root.name

    def context(self) -> RunContext:
        from launchready_ci.context import RunContext

        return RunContext(
            root=self.root, config=self.config, github=self.github, environ=self.environ
        )


def open_session(root: Path | None, config_path: str | None) -> Session:
    """Resolve the repository root and load its config: --config, else
    ``.github/launchready.yml`` or ``launchready.yml`` in --root, or (without --root) in
    the current folder or its nearest parent up to the repository's top, whose folder is
    then the root (see :func:`config.loader.config_home`).

    Not $GITHUB_WORKSPACE: a step's `working-directory:`, or a pre-commit hook run in
    another repository during a job, means the current directory is the one to check.
    """
    from launchready_ci import config as config_mod
    from launchready_ci.context import GitHubEnv

    environ = dict(os.environ)
    github = GitHubEnv.from_environ(environ)
    resolved = resolve_root(root, config_path)
    return Session(resolved, environ, github, config_mod.load(resolved, config_path))


def resolve_root(root: Path | None, config_path: str | None) -> Path:
    """The root :func:`open_session` works in (a command that starts work there before
    loading the config asks this first; passing the result as ``root`` changes nothing)."""
    from launchready_ci.config.loader import config_home

    resolved = (root or Path.cwd()).resolve()
    if not resolved.is_dir():
        raise UsageError(f"--root {resolved} is not a directory")
    if root is None and config_path is None:
        resolved = config_home(resolved)
    return resolved


def skip_unconfigured(
    session: Session, command: str, key: str, snippet: str, outputs: Mapping[str, str]
) -> int:
    """A command whose section is missing is skipped as a check is: the reason and the
    snippet that enables it on the terminal and in the job summary, ``outputs`` for
    later steps, exit 0 (exit 2 stays for a section that is there and wrong)."""
    from launchready_ci.github.outputs import format_output
    from launchready_ci.reporters.summary import enable_block, escape

    where = session.config.path or "launchready.yml"
    reason = f"not configured: {where} has no `{key}:` section"
    # As the terminal report shows a skipped check.
    body = "".join(f"          {line}\n" for line in snippet.rstrip("\n").split("\n"))
    echo(
        f"launchready {command}: skipped\n      reason: {reason}\n"
        f"      to enable it, add to {where}:\n{body}",
        nl=False,
    )
    github = session.github
    if github.step_summary:
        text = (
            f"<!-- launchready {command} -->\n## ⏭️ launchready {command}: skipped\n\n"
            f"{escape(reason)}.\n\n" + enable_block(command, where, snippet)
        )
        append_text(Path(github.step_summary), text)
    if github.output:
        values = {"result": "skipped", **outputs}
        append_text(Path(github.output), "".join(format_output(k, v) for k, v in values.items()))
    return 0


def execute(
    *,
    root: Path | None,
    config_path: str | None,
    only: tuple[str, ...] = (),
    fail_on: str | None,
    baseline: str | None,
    write_baseline: str | None,
    sarif: str | None,
    json_path: str | None,
    markdown: str | None,
    summary: bool | None,
    annotations: bool | None,
    color: bool | None,
    quiet: bool,
    debug: bool,
    verbose: bool = False,
    checks: Sequence[type[Check] | Check] | None = None,
    secret_values: Collection[str] = (),
    extra_outputs: ExtraOutputs | None = None,
) -> int:
    """Run ``checks`` and write every requested report; return the exit code.

    ``secret_values`` are scrubbed from every output on top of the values of
    secret-looking environment variables (a subcommand that reads values from a file
    passes them here); ``extra_outputs`` adds subcommand-specific ``$GITHUB_OUTPUT``
    values.
    """
    from launchready_ci.github.outputs import format_output
    from launchready_ci.redaction import Scrubber
    from launchready_ci.reporters import json as json_r
    from launchready_ci.reporters import outputs as outputs_r
    from launchready_ci.reporters import sarif as sarif_r
    from launchready_ci.reporters import summary as summary_r
    from launchready_ci.runner import RunOptions, run
    from launchready_ci.suppressions import load_baseline

    session = open_session(root, config_path)
    root, github, environ = session.root, session.github, session.environ
    # A run that records a baseline reads none: it records every finding of today.
    accepted = None
    if not write_baseline:
        located = baseline_file(session, baseline)
        accepted = load_baseline(root, str(located[0]), located[1]) if located else None
    progress = Progress.start(enabled=not quiet and not github.actions and _stderr_isatty())
    options = RunOptions(
        only=only,
        fail_on=fail_on.lower() if fail_on else None,
        baseline=accepted,
        debug=debug,
        progress=progress.check,
    )
    try:
        report = _rebase(run(session.context(), options, checks), root, github)
    finally:
        progress.stop()
    scrub = Scrubber(environ, tuple(secret_values))

    written: dict[str, str] = {}
    to_stdout = json_path == "-"
    for path, render in (
        (sarif, sarif_r.render),
        (None if to_stdout else json_path, json_r.render),
    ):
        if path:
            write_text(path, scrub(render(report)))
            written["sarif" if render is sarif_r.render else "json"] = path
    markdown_text: str | None = None
    pull, blob = _pull_request(github, environ)
    if markdown:
        markdown_text = scrub(summary_r.render(report, blob_url=blob))
        write_text(markdown, markdown_text)
        written["markdown"] = markdown
    if write_baseline:
        write_baseline_file(root, write_baseline, report)
        written["baseline"] = write_baseline

    _print_reports(
        report,
        scrub,
        session,
        pull,
        json_to_stdout=to_stdout,
        quiet=quiet,
        verbose=verbose,
        color=color if color is not None else None if "NO_COLOR" not in environ else False,
        annotations=annotations if annotations is not None else github.actions,
    )
    if (summary if summary is not None else bool(github.step_summary)) and github.step_summary:
        text = (
            markdown_text
            if markdown_text is not None
            else scrub(summary_r.render(report, blob_url=blob))
        )
        append_text(Path(github.step_summary), text)
    if github.output:
        lines = outputs_r.render(report, files=written)
        extra = extra_outputs(report) if extra_outputs else {}
        lines += "".join(format_output(name, value) for name, value in extra.items())
        append_text(Path(github.output), scrub(lines))
    for result in report.results:
        if result.bad_input:  # a file the user gave cannot be used: say so where errors go
            echo(scrub(f"launchready: error: {result.check_id}: {result.reason}"), err=True)
    return report.exit_code


#: The baseline ``launchready init`` records, read when it exists and nothing names one.
DEFAULT_BASELINE = ".launchready-baseline.json"


def record_baseline(root: Path, path: Path, config_path: str | None = None) -> None:
    """Run every check the config enables on ``root`` and record all their findings in
    ``path`` (no baseline is read: today's findings, all of them)."""
    execute(
        root=root,
        config_path=config_path,
        fail_on="never",
        baseline=None,
        write_baseline=str(path),
        sarif=None,
        json_path=None,
        markdown=None,
        summary=False,
        annotations=False,
        color=False,
        quiet=True,
        debug=False,
    )


def _print_reports(
    report: Report,
    scrub: Scrubber,
    session: Session,
    pull: tuple[str, str] | None,
    *,
    json_to_stdout: bool,
    quiet: bool,
    verbose: bool,
    color: bool | None,
    annotations: bool,
) -> None:
    """The terminal report and the annotations; with ``--json -`` the JSON alone goes to
    stdout and everything for people to stderr. Under Actions the terminal report is
    folded in a ``::group::`` (the annotations after it stand out); on a pull request
    the annotations take its changed lines first."""
    from launchready_ci.git import changed_lines
    from launchready_ci.github.commands import command
    from launchready_ci.reporters import annotations as annotations_r
    from launchready_ci.reporters import json as json_r
    from launchready_ci.reporters import text as text_r

    github = session.github
    if json_to_stdout:
        echo(scrub(json_r.render(report)), nl=False)
    if not quiet:
        tty = _stderr_isatty() if json_to_stdout else _isatty()
        use_color = color if color is not None else tty
        more_at = "all in the job summary" if github.step_summary else "--verbose lists them"
        text = text_r.render(report, color=use_color, verbose=verbose, more_at=more_at)
        if github.actions:
            title = command("group", {}, _group_title(report))
            echo(title, err=json_to_stdout, commands=("group",))
        echo(scrub(text), nl=False, err=json_to_stdout, color=use_color)
        if github.actions:
            echo(command("endgroup", {}, ""), err=json_to_stdout, commands=("endgroup",))
    if annotations:
        where = "the job summary" if github.step_summary else "the terminal report"
        changed = None
        if pull is not None:
            changed = changed_lines(Path(github.workspace or session.root), pull[0], pull[1])
        echo(
            scrub(annotations_r.render(report, more_at=where, changed=changed)),
            nl=False,
            err=json_to_stdout,
            commands=annotations_r.COMMANDS,
        )


def _pull_request(
    github: GitHubEnv, environ: Mapping[str, str]
) -> tuple[tuple[str, str] | None, str | None]:
    """The pull request's (base, head) under Actions, and where locations link."""
    from launchready_ci.github.events import pull_request_shas

    pull = pull_request_shas(environ) if github.actions else None
    return pull, blob_url(github, pull)


def _group_title(report: Report) -> str:
    counts = report.counts()
    total = sum(counts.values())
    found = f"{total} finding" + ("" if total == 1 else "s")
    return f"launchready report: {report.result}, {found}"


def blob_url(github: GitHubEnv, pull: tuple[str, str] | None) -> str | None:
    """Where the summary's locations link: the files at the pull request's head (its
    merge commit is not what the author wrote), else at the commit under test."""
    sha = pull[1] if pull else github.sha
    if not (github.actions and github.repository and sha):
        return None
    return f"{github.server_url.rstrip('/')}/{github.repository}/blob/{sha}/"


def baseline_file(session: Session, given: str | None) -> tuple[Path, str] | None:
    """The baseline to read and how messages name it: ``--baseline`` (relative to the
    working directory, anywhere), else ``baseline:`` of launchready.yml, which must be
    inside the repository like ``env.inventory`` (a config is reviewed with the code; it
    must not make the run read ``/etc/passwd``), else :data:`DEFAULT_BASELINE` when it
    exists (so actions and starter workflows use init's baseline without an input)."""
    root = session.root
    if given:
        full = Path(given).resolve()
        try:
            return full, full.relative_to(root).as_posix()
        except ValueError:
            return full, given
    configured = session.config.baseline
    if not configured:
        default = root / DEFAULT_BASELINE
        return (default, DEFAULT_BASELINE) if default.is_file() else None
    full = (root / configured).resolve()
    if not full.is_relative_to(root.resolve()):
        raise session.config.error(
            "baseline",
            "the baseline file must be inside the repository",
            "expected a path relative to the repository root, such as .launchready-baseline.json",
        )
    return full, full.relative_to(root.resolve()).as_posix()


def _rebase(report: Report, root: Path, github: GitHubEnv) -> Report:
    """Under GitHub Actions, make paths relative to the workspace, not to --root.

    Annotations and code scanning place findings by repository path; a check run on a
    subdirectory (`working-directory: app`) reports `app/x.py`, not `x.py`. Fingerprints
    stay relative to --root so that baselines do not depend on where the repo is checked
    out.
    """
    if not github.workspace:
        return report
    try:
        prefix = root.relative_to(Path(github.workspace).resolve()).as_posix()
    except ValueError:
        return report
    if prefix in ("", "."):
        return report

    def move(finding: Finding) -> Finding:
        loc = finding.location
        if loc.path is None:
            return finding
        return dataclasses.replace(
            finding, location=dataclasses.replace(loc, path=f"{prefix}/{loc.path}")
        )

    results = tuple(
        dataclasses.replace(r, findings=tuple(move(f) for f in r.findings)) for r in report.results
    )
    config_path = f"{prefix}/{report.config_path}" if report.config_path else None
    return dataclasses.replace(
        report,
        results=results,
        config_path=config_path,
        root=str(Path(github.workspace).resolve()),
    )


def write_baseline_file(root: Path, path: str, report: Report) -> None:
    from launchready_ci.suppressions import write_baseline

    try:
        write_baseline(Path(path).resolve(), report.findings)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def write_text(path: str, text: str) -> None:
    """Write a file named on the command line (relative to the working directory)."""
    from launchready_ci.fileio import atomic_write

    full = Path(path) if Path(path).is_absolute() else Path.cwd() / path
    try:
        atomic_write(full, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def append_text(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot append to {path}: {exc.strerror}") from None


def _isatty() -> bool:
    return sys.stdout.isatty()


def _stderr_isatty() -> bool:
    return sys.stderr.isatty()


class Progress:
    """A progress line on a terminal for runs that take more than :data:`AFTER` seconds:
    ``launchready: secrets ... 4s`` on stderr, rewritten in place, erased at the end. Off
    in CI logs, with --quiet, and when stderr is not a terminal."""

    AFTER = 2.0
    EVERY = 0.5

    def __init__(self, enabled: bool) -> None:
        import threading
        import time

        self._clock = time.monotonic
        self._started = self._clock()
        self._current = ""
        self._shown = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True) if enabled else None

    @classmethod
    def start(cls, *, enabled: bool) -> Progress:
        progress = cls(enabled)
        if progress._thread is not None:
            progress._thread.start()
        return progress

    def check(self, check_id: str) -> None:
        self._current = check_id

    def _loop(self) -> None:
        while not self._done.wait(self.EVERY):
            elapsed = self._clock() - self._started
            if elapsed >= self.AFTER and self._current:
                line = f"launchready: {self._current} ... {elapsed:.0f}s"
                sys.stderr.write("\r" + line.ljust(40)[:79] + "\r")
                sys.stderr.flush()
                self._shown = True

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self._shown:
            sys.stderr.write("\r" + " " * 79 + "\r")
            sys.stderr.flush()
