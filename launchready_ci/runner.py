"""Run checks, apply suppressions and the exit policy, and return a :class:`Report`."""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from launchready_ci import __version__
from launchready_ci.checks import Check, check_class, load_all
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped, ConfigError, LaunchreadyError, UsageError
from launchready_ci.findings import CheckResult, CheckStatus, Finding, Location, Report, Severity
from launchready_ci.suppressions import Baseline, StaleBaseline, Suppressor, find_inline_ignores

__all__ = ["RunOptions", "parse_fail_on", "run"]

T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    only: tuple[str, ...] = ()  # check ids; empty means every check
    fail_on: str | None = None  # CLI value; overrides the config
    baseline: Baseline | None = None
    debug: bool = False
    #: Told the id of each check as it starts (the CLI's progress line).
    progress: Callable[[str], None] | None = None


def parse_fail_on(text: str | None) -> Severity | None:
    if text is None or text == "never":
        return None
    return Severity.parse(text)


def run(
    ctx: RunContext,
    options: RunOptions = RunOptions(),
    checks: Sequence[type[Check] | Check] | None = None,
) -> Report:
    """Run ``checks`` (classes, or instances configured by a subcommand) and report.

    Exceptions raised by a check never escape: they become an *errored* result.
    ``checks`` defaults to every check ``launchready run`` runs.
    """
    if checks is None:
        checks = load_all()
    known = {c.id for c in checks}
    unknown = [c for c in options.only if c not in known]
    if unknown:
        raise UsageError(f"unknown check {unknown[0]!r}; checks are: {', '.join(sorted(known))}")
    selected = [c for c in checks if not options.only or c.id in options.only]
    # git grep for inline ignores runs while the first check works (it is needed only
    # once that check has findings): its wait overlaps the check's own git and parsing
    inline = _Background(find_inline_ignores, ctx.root)

    @functools.cache
    def suppressor() -> Suppressor:
        return Suppressor(ctx.config.ignores, inline.result(), options.baseline)

    results: list[CheckResult] = []
    ran_rules: set[str] = set()
    read: set[str] | None = set()  # None: a check read the repository at large
    for check in selected:
        if options.progress is not None:
            options.progress(check.id)
        result = _run_one(check, ctx, suppressor, options)
        if result.status in (CheckStatus.PASSED, CheckStatus.FAILED):
            ran_rules.update(r.id for r in check.rules)
            files = (check() if isinstance(check, type) else check).files_read(ctx)
            read = None if files is None or read is None else read | files
        results.append(result)

    unused = suppressor().unused(ran_rules, _whole_domains(ran_rules), read)
    if options.baseline is not None:
        unused += _stale_baseline(options.baseline, ran_rules)
    if unused:
        results = _attach_unused(results, unused, selected)
    fail_on_text = options.fail_on or ctx.config.fail_on or "error"
    return Report(
        tool_version=__version__,
        results=tuple(results),
        fail_on=parse_fail_on(fail_on_text),
        root=str(ctx.root),
        config_path=ctx.config.path,
    )


class _Background(Generic[T]):
    """``function(*args)`` in a thread; :meth:`result` waits for it (and raises what it
    raised). For work that waits on a child process, so the GIL is free meanwhile."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None

        def work() -> None:
            try:
                self._value = function(*args)
            except BaseException as exc:  # re-raised in the caller's thread
                self._error = exc

        self._thread = threading.Thread(target=work, daemon=True)
        self._thread.start()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)


def _whole_domains(ran_rules: set[str]) -> set[str]:
    """Domains all of whose repository-check rules ran (see Suppressor.unused). The rules
    of a check of ``CHECKS`` are all of the domain named like the check, so only the
    checks of domains whose rules ran are looked at (and imported)."""
    out = set()
    for domain in {rule.split("/")[0] for rule in ran_rules}:
        check_cls = check_class(domain)
        if check_cls is not None and {rule.id for rule in check_cls.rules} <= ran_rules:
            out.add(domain)
    return out


def _run_one(
    check: type[Check] | Check,
    ctx: RunContext,
    suppressor: Callable[[], Suppressor],
    options: RunOptions,
) -> CheckResult:
    check_cls = check if isinstance(check, type) else type(check)
    section = ctx.config.section(check_cls.config_key)
    base = functools.partial(CheckResult, check_id=check.id, title=check.title)
    if section is not None and section.get("enabled") is False:
        return base(
            status=CheckStatus.SKIPPED,
            reason=f"disabled in {ctx.config.path} ({check_cls.config_key}.enabled: false)",
        )
    enabled_by = check_cls.enabled_by
    by_file = enabled_by is not None and (ctx.root / enabled_by).is_file()
    if section is None and check_cls.needs_config and not by_file:
        where = ctx.config.path or "launchready.yml"
        return base(
            status=CheckStatus.SKIPPED,
            reason=f"not configured: {where} has no `{check_cls.config_key}:` section",
            enable_snippet=check_cls.enable_snippet,
        )
    started = time.perf_counter()
    try:
        instance = check_cls() if isinstance(check, type) else check
        found: Iterable[Finding] = instance.run(ctx, section or {})
        findings = list(found)
    except CheckSkipped as skip:
        return base(
            status=CheckStatus.SKIPPED,
            reason=skip.reason,
            enable_snippet=skip.enable_snippet,
            duration_s=time.perf_counter() - started,
        )
    except LaunchreadyError as exc:
        return base(
            status=CheckStatus.ERRORED,
            reason=exc.render() if isinstance(exc, ConfigError) else str(exc),
            duration_s=time.perf_counter() - started,
            bad_input=isinstance(exc, ConfigError),
        )
    except Exception as exc:  # a bug: report it without its message (it may hold data)
        if options.debug:
            raise
        return base(
            status=CheckStatus.ERRORED,
            reason=(
                f"internal error ({type(exc).__name__}); rerun with --debug for a traceback "
                "and report it"
            ),
            duration_s=time.perf_counter() - started,
        )
    kept: list[Finding] = []
    baselined = 0
    for finding in findings:
        why = suppressor().classify(finding)
        if why is None:
            kept.append(finding)
        elif why == "baseline":
            baselined += 1
    kept.sort(key=Finding.sort_key)
    return base(
        status=CheckStatus.FAILED if kept else CheckStatus.PASSED,
        findings=tuple(kept),
        suppressed=len(findings) - len(kept),
        baselined=baselined,
        duration_s=time.perf_counter() - started,
        scope=instance.scope,
        measurements=instance.measurements,
    )


def _attach_unused(
    results: list[CheckResult], unused: list[Finding], checks: Sequence[type[Check] | Check]
) -> list[CheckResult]:
    """Unused-ignore findings go to the check whose rules they name."""
    owner: dict[str, str] = {}
    for check_cls in checks:
        for rule in check_cls.rules:
            owner.setdefault(rule.id.split("/")[0], check_cls.id)
    out = []
    for result in results:
        extra = [
            f for f in unused if owner.get(_named_domain(f), results[0].check_id) == result.check_id
        ]
        if extra:
            findings = tuple(sorted((*result.findings, *extra), key=Finding.sort_key))
            result = dataclasses.replace(result, status=CheckStatus.FAILED, findings=findings)
        out.append(result)
    return out


def _stale_baseline(baseline: Baseline, ran_rules: set[str]) -> list[Finding]:
    """One finding per domain whose rules ran: the baseline entries that matched nothing."""
    by_domain: dict[str, list[str]] = {}
    for rule, fps in baseline.stale(ran_rules).items():
        by_domain.setdefault(rule.split("/")[0], []).extend(fps)
    out = []
    for domain, fps in sorted(by_domain.items()):
        n = len(fps)
        out.append(
            StaleBaseline.finding(
                f"{n} {'entry' if n == 1 else 'entries'} of the baseline {baseline.path} "
                f"match no {domain} finding any more: `launchready baseline update` "
                "records today's findings and drops them",
                Location(path=baseline.path, target=baseline.path, target_kind="file"),
                content=f"{domain}:{','.join(sorted(fps))}",
                properties={"ignored_rule": f"{domain}/*", "entries": n},
            )
        )
    return out


def _named_domain(finding: Finding) -> str:
    return str(dict(finding.properties).get("ignored_rule", "")).split("/")[0]
