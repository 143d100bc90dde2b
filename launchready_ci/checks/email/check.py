"""The email check: what every ``email:`` step of the smoke journeys saw, as findings on
the step's line of launchready.yml and one row per email in the report (type, arrival,
DKIM/SPF/DMARC, unsubscribe, links, spam score): the "test results for each critical
email type" of the launch bar.

:class:`EmailSteps` is the smoke engine's hook: it opens the inboxes (and starts the
sink) before the journeys, waits for each step's message, captures what later steps
need, and judges the message before the journey goes on (a reset link is followed
before a later step spends its token). :class:`EmailCheck` runs after the smoke check
and reports what the steps found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from launchready_ci.checks.base import Check, config_location
from launchready_ci.checks.email import auth, content, inbox, links, spam
from launchready_ci.checks.email.message import Message
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped
from launchready_ci.findings import Finding, Location
from launchready_ci.rules import Rule

if TYPE_CHECKING:
    from launchready_ci.checks.email.adapters import Inbox
    from launchready_ci.checks.email.spec import EmailSettings, EmailStep

__all__ = ["EmailCheck", "EmailRun", "EmailSteps", "Verdict", "build", "canonical_hosts", "judge"]


@dataclass(frozen=True)
class Verdict:
    """Everything judged about one message."""

    size: int
    auth: auth.Auth
    links: tuple[links.LinkVerdict, ...]
    unsubscribe: str | None  # what one-click unsubscribe lacks; None: fine or not needed
    no_text: bool
    clipped: int | None
    image_only: bool
    spam: spam.Score | None  # None: not scored (spam: false)


@dataclass
class EmailRun:
    """One email step in one run of its journey."""

    journey: Any  # smoke.spec.Journey
    step: Any  # smoke.spec.Step with .email
    run: int
    arrived: float | None = None  # seconds from the trigger to the inbox
    message: Message | None = None
    verdict: Verdict | None = None
    inbox_error: str | None = None
    missing_capture: str | None = None  # what could not be captured
    to: str | None = None

    @property
    def email(self) -> EmailStep:
        step: EmailStep = self.step.email
        return step

    @property
    def label(self) -> str:
        return f"{self.journey.name} › {self.step.name}"


def judge(
    message: Message,
    step: EmailStep,
    settings: EmailSettings,
    *,
    resolver: Any,
    fetch: Callable[[str], Any] | None,
    canonical: Sequence[str],
    authserv_id: str | None,
    spamd: spam.Spamd | None = None,
) -> Verdict:
    found = auth.authenticate(message, resolver, authserv_id)
    scored = None
    if settings.spam:
        scored = spamd.score(message) if spamd else spam.score(message, settings.spam_command)
    return Verdict(
        size=len(message.raw),
        auth=found,
        links=tuple(
            links.check_links(
                message.links,
                canonical=canonical,
                follow=settings.follow_links,
                fetch=fetch,
                limit=settings.max_links,
                skip=settings.skip_links,
            )
        ),
        unsubscribe=content.unsubscribe(message, found) if step.bulk else None,
        no_text=content.no_text_part(message),
        clipped=content.clipped(message, settings.clip_bytes),
        image_only=content.image_only(message),
        spam=scored,
    )


class EmailSteps:
    """The smoke engine's email hook (``Engine(email=...)``)."""

    def __init__(
        self,
        settings: EmailSettings,
        *,
        environ: Mapping[str, str],
        resolver: Any,
        fetch: Callable[[str], Any] | None,
        canonical: Sequence[str],
        cafile: str | None,
        used: Sequence[str],
        on_secret: Callable[[str], None] = lambda value: None,
    ) -> None:
        self.settings = settings
        self.environ = environ
        self.resolver = resolver
        self.fetch = fetch
        self.canonical = tuple(canonical)
        self.cafile = cafile
        self.used = tuple(dict.fromkeys(used))
        self.on_secret = on_secret
        self.inboxes: dict[str, Inbox] = {}
        self.errors: dict[str, str] = {}
        self.runs: list[EmailRun] = []
        self.claimed: set[tuple[str, str]] = set()
        self.described: list[str] = []
        self.opened = False
        self.spamd: spam.Spamd | None = None

    def open(self) -> None:
        from launchready_ci.checks.email.adapters import InboxError, open_inbox

        for name in self.used:
            spec = self.settings.inbox(name)
            if spec is None:
                continue
            adapter = open_inbox(spec, self.environ, self.cafile)
            try:
                adapter.open()
            except InboxError as exc:
                self.errors[name] = str(exc)
                continue
            self.inboxes[name] = adapter
            self.described.append(adapter.describe())
        engine = self.settings.spam_engine
        if self.settings.spam and (
            engine == "spamd" or (engine == "auto" and spam.Spamd.available())
        ):
            self.spamd = spam.Spamd()
            self.spamd.start()  # its rules load while the journeys run
        self.opened = True

    def close(self) -> None:
        for adapter in self.inboxes.values():
            adapter.close()
        self.inboxes.clear()
        if self.spamd is not None:
            self.spamd.stop()

    def __enter__(self) -> EmailSteps:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return ", ".join(self.described) or "no inbox"

    async def step(
        self, journey: Any, step: Any, number: int, variables: dict[str, str], since: float
    ) -> Any:
        """Wait for the step's message, capture, judge; a StepRun for the engine."""
        import asyncio

        from launchready_ci.checks.email.adapters import InboxError
        from launchready_ci.checks.smoke.engine import Failure, StepRun

        spec: EmailStep = step.email
        run = EmailRun(journey, step, number)
        self.runs.append(run)
        run.to = spec.to.render(self.environ, variables) if spec.to is not None else None
        adapter = self.inboxes.get(spec.inbox)
        if adapter is None:
            run.inbox_error = self.errors.get(spec.inbox, f"no inbox {spec.inbox!r}")
            return StepRun(journey, step, number, None, Failure("email", run.inbox_error))
        try:
            message = await inbox.wait_for(
                adapter, spec, to=run.to, since=since, claimed=self.claimed
            )
        except InboxError as exc:
            run.inbox_error = str(exc)
            return StepRun(journey, step, number, None, Failure("email", run.inbox_error))
        if message is None:
            return StepRun(
                journey, step, number, None, Failure("email", f"no message in {spec.deadline:g} s")
            )
        run.message = message
        run.arrived = max(0.0, message.received - since)
        failure = None
        for wanted in spec.captures:
            value = inbox.capture(message, wanted)
            if value is None:
                run.missing_capture = f"{wanted.describe()} to capture as {wanted.name}"
                failure = Failure("email", f"nothing to capture as {wanted.name}")
                break
            variables[wanted.name] = value
            self.on_secret(value)
        box = self.settings.inbox(spec.inbox)
        run.verdict = await asyncio.to_thread(
            judge,
            message,
            spec,
            self.settings,
            resolver=self.resolver,
            fetch=self.fetch,
            canonical=self.canonical,
            authserv_id=box.authserv_id if box else None,
            spamd=self.spamd,
        )
        if box is not None and box.delete:
            await asyncio.to_thread(adapter.delete, message)
        return StepRun(journey, step, number, None, failure, email=run)


# --- the check ----------------------------------------------------------------------------


@dataclass
class _Problem:
    rule: type[Rule]
    message: str
    content: str
    key: str = ""  # a launchready.yml key other than the step's


@dataclass
class _Group:
    journey: Any
    step: Any
    runs: list[EmailRun] = field(default_factory=list)


class EmailCheck(Check):
    """``launchready smoke run``'s second result: the email steps. Not in CHECKS."""

    id = "email"
    title = "Email journeys: arrival, authentication, links"
    config_key = "smoke"
    needs_config = True
    enable_snippet = (
        "smoke:\n"
        "  email:\n"
        "    inboxes: {staging: {type: sink, listen: '127.0.0.1:2525'}}\n"
        "  journeys:\n"
        "    - name: password reset\n"
        "      steps:\n"
        "        - {method: POST, url: /password/reset, form: {email: qa@example.com}}\n"
        "        - email: {to: qa@example.com, capture: {link: {link: {text: Reset}}}}\n"
        "        - url: '{{ link }}'\n"
    )
    rules = (*inbox.RULES, *auth.RULES, *content.RULES, *links.RULES, *spam.RULES)

    def __init__(self, steps: EmailSteps, *, secrets: list[str]) -> None:
        self.steps = steps
        self.secrets = secrets

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        if not self.steps.opened:
            raise CheckSkipped("the journeys did not run, so no email was sent")
        groups: dict[str, _Group] = {}
        for run in sorted(self.steps.runs, key=_spec_order):  # as launchready.yml lists them
            group = groups.setdefault(run.step.key, _Group(run.journey, run.step))
            group.runs.append(run)
        rows: list[tuple[str, ...]] = [
            (
                "Journey",
                "Email",
                "Arrived",
                "DKIM",
                "SPF",
                "DMARC",
                "Unsubscribe",
                "Links",
                "Spam",
                "Result",
            )
        ]
        for group in groups.values():
            found = list(self._findings(ctx, group))
            yield from found
            rows.append(_row(group, found, self.steps.settings))
        self.measurements = tuple(rows)
        messages = sum(1 for r in self.steps.runs if r.message is not None)
        scored = self.steps.settings.spam and any(
            r.verdict and r.verdict.spam and r.verdict.spam.score is not None
            for r in self.steps.runs
        )
        how = "spamd" if self.steps.spamd is not None else "spamassassin -t"
        spam_note = f"SpamAssassin ({how}) scored each" if scored else "not spam-scored"
        unscored = next(
            (
                r.verdict.spam.error
                for r in self.steps.runs
                if r.verdict and r.verdict.spam and r.verdict.spam.error
            ),
            "",
        )
        if unscored:
            spam_note = f"not spam-scored ({unscored})"
        self.scope = (
            f"{len(groups)} email step(s), {messages} message(s) from {self.steps.describe()}; "
            f"{spam_note}"
        )

    def _findings(self, ctx: RunContext, group: _Group) -> Iterator[Finding]:
        by_rule: dict[str, tuple[_Problem, int]] = {}
        for run in group.runs:
            for problem in _problems(run, self.steps.settings):
                first, count = by_rule.get(problem.rule.id, (problem, 0))
                by_rule[problem.rule.id] = (first, count + 1)
        total = len(group.runs)
        label = f"{group.journey.name} › {group.step.name}"
        for first, count in by_rule.values():
            where = self._where(ctx, first.key or group.step.key, label)
            runs = f" (in {count} of {total} runs)" if total > 1 else ""
            yield first.rule.finding(
                self._redact(f"{label}: {first.message}{runs}"),
                where,
                content=f"{label}:{first.content}",
                properties={
                    "journey": group.journey.name,
                    "step": group.step.name,
                    "email": group.step.email.type or group.step.name,
                },
            )

    def _where(self, ctx: RunContext, key: str, label: str) -> Location:
        return config_location(ctx.config, key, label, "email", fallback="smoke")

    def _redact(self, text: str) -> str:
        from launchready_ci.checks.smoke.check import redact

        return redact(text, self.secrets)


def _spec_order(run: EmailRun) -> tuple[int, ...]:
    """smoke.journeys[2].steps[10] -> (2, 10), then the run."""
    import re

    return (*(int(n) for n in re.findall(r"\[(\d+)\]", run.step.key)), run.run)


def _problems(run: EmailRun, settings: EmailSettings) -> Iterator[_Problem]:
    spec = run.email
    if run.inbox_error is not None:
        inbox_key = settings.inbox(spec.inbox)
        yield _Problem(
            inbox.InboxFailed, run.inbox_error, "inbox", inbox_key.key if inbox_key else ""
        )
        return
    if run.message is None:
        wanted = [f"to {run.to}" if run.to else "", _subject(spec)]
        what = " ".join(w for w in wanted if w) or "matching the step"
        yield _Problem(
            inbox.NotArrived, f"no message {what} arrived in {spec.deadline:g} s", "not-arrived"
        )
        return
    if run.arrived is not None and run.arrived > spec.budget:
        yield _Problem(
            inbox.SlowArrival,
            f"arrived after {_seconds(run.arrived)} (budget {_seconds(spec.budget)})",
            "slow",
        )
    if run.missing_capture:
        yield _Problem(inbox.CaptureFailed, f"the message has no {run.missing_capture}", "capture")
    verdict = run.verdict
    if verdict is None:
        return
    yield from _auth_problems(verdict.auth)
    if verdict.unsubscribe:
        yield _Problem(
            content.UnsubscribeMissing,
            f"a {spec.stream} email without one-click unsubscribe: {verdict.unsubscribe}",
            "unsubscribe",
        )
    if verdict.no_text:
        yield _Problem(content.NoTextPart, "HTML only, no text/plain part", "text")
    if verdict.clipped:
        yield _Problem(
            content.Clipped,
            f"the HTML part is {verdict.clipped / 1024:.0f} KB; "
            f"Gmail clips at {settings.clip_bytes // 1024} KB",
            "clipped",
        )
    if verdict.image_only:
        yield _Problem(
            content.ImageOnly,
            f"{run.message.images} image(s) and {len(run.message.html_text)} characters of text",
            "images",
        )
    yield from _link_problems(verdict.links)
    score = verdict.spam
    if score is not None and score.score is not None and score.score >= settings.spam_threshold:
        rules = ", ".join(
            f"{name} {points:g} ({text})" for name, points, text in score.scored()[:6]
        )
        yield _Problem(
            spam.SpamScore,
            f"SpamAssassin scores it {score.score:g} (threshold "
            f"{settings.spam_threshold:g}): {rules}",
            "spam",
        )


def _auth_problems(found: auth.Auth) -> Iterator[_Problem]:
    if found.dkim != "pass":
        if not found.signatures:
            yield _Problem(auth.DkimFailed, "no DKIM signature", "dkim")
        else:
            reasons = "; ".join(
                f"d={s.domain} s={s.selector}: {s.reason or s.result}" for s in found.signatures
            )
            yield _Problem(auth.DkimFailed, f"no DKIM signature verifies ({reasons})", "dkim")
    elif found.aligned_signature() is None:
        passing = ", ".join(sorted({s.domain for s in found.signatures if s.result == "pass"}))
        mode = "strict" if found.adkim == "s" else "relaxed"
        yield _Problem(
            auth.DkimNotAligned,
            f"the DKIM signature of {passing} verifies but does "
            f"not align with the From domain {found.from_domain} ({mode} alignment, "
            f"adkim={found.adkim})",
            "dkim-align",
        )
    if found.spf in ("fail", "softfail", "permerror"):
        source = (
            "evaluated for the sender the sink saw"
            if found.spf_source == "sink"
            else (f"Authentication-Results of {found.spf_source}")
        )
        detail = f": {found.spf_detail}" if found.spf_detail else ""
        yield _Problem(
            auth.SpfFailed,
            f"SPF {found.spf} for {found.spf_domain or 'the sender'} ({source}){detail}",
            "spf",
        )
    if found.dmarc != "pass":
        policy = f"p={found.policy}" if found.policy else "no DMARC record"
        yield _Problem(
            auth.DmarcFailed,
            f"DMARC fails for {found.from_domain} ({policy}): no "
            f"DKIM signature aligned with it passes (DKIM {found.dkim}), and SPF "
            f"{found.spf} for {found.spf_domain or 'an unknown sender'} does not "
            "align",
            "dmarc",
        )


def _link_problems(verdicts: Sequence[links.LinkVerdict]) -> Iterator[_Problem]:
    for rule, attr in (
        (links.LinkNotCanonical, "problem"),
        (links.LinkBroken, "broken"),
        (links.LinkDropsToken, "dropped"),
    ):
        bad = [(v, getattr(v, attr)) for v in verdicts if getattr(v, attr)]
        if not bad:
            continue
        shown = "; ".join(
            (f"{links.shown(v.link.url)} {why}" if attr == "problem" else why) for v, why in bad[:4]
        )
        more = f" and {len(bad) - 4} more" if len(bad) > 4 else ""
        count = f"{len(bad)} of {len(verdicts)} links" if len(bad) > 1 else "a link"
        yield _Problem(rule, f"{count}: {shown}{more}", attr)


def _subject(spec: EmailStep) -> str:
    if spec.subject is None:
        return ""
    if isinstance(spec.subject, Mapping):
        return "with subject " + ", ".join(f"{k} {v!r}" for k, v in spec.subject.items())
    return f"with subject {spec.subject!r}"


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _row(group: _Group, found: list[Finding], settings: EmailSettings) -> tuple[str, ...]:
    runs = group.runs
    step: EmailStep = group.step.email
    arrived = [r.arrived for r in runs if r.arrived is not None]
    missing = sum(1 for r in runs if r.message is None)
    if any(r.inbox_error for r in runs):
        arrival = "inbox failed"
    elif missing:
        arrival = f"not arrived {missing}/{len(runs)}"
    else:
        arrival = _seconds(max(arrived)) if arrived else "–"
    verdicts = [r.verdict for r in runs if r.verdict is not None]

    def column(value: Callable[[Verdict], str]) -> str:
        seen = [value(v) for v in verdicts]
        if not seen:
            return "–"
        worst = next((s for s in seen if s not in ("pass", "one-click", "n/a")), seen[0])
        count = seen.count(worst)
        return worst if count == len(seen) else f"{worst} {count}/{len(seen)}"

    def link_text(v: Verdict) -> str:
        bad = sum(1 for x in v.links if x.problem or x.broken or x.dropped)
        return f"{bad} of {len(v.links)} bad" if bad else f"{len(v.links)} ok"

    scores = [v.spam.score for v in verdicts if v.spam and v.spam.score is not None]
    top = round(max(scores), 1) + 0.0 if scores else 0.0  # + 0.0: no "-0.0"
    spam_text = f"{top if top else 0.0:.1f} / {settings.spam_threshold:g}" if scores else "–"
    errors = any(f.severity.label == "error" for f in found)
    result = "failed" if errors else ("findings" if found else "passed")
    return (
        group.journey.name,
        step.type or group.step.name,
        arrival,
        column(lambda v: v.auth.dkim),
        column(lambda v: v.auth.spf),
        column(lambda v: v.auth.dmarc),
        column(lambda v: "n/a" if not step.bulk else ("missing" if v.unsubscribe else "one-click")),
        column(link_text) if verdicts else "–",
        spam_text,
        result,
    )


def build(
    spec: Any,
    *,
    environ: Mapping[str, str],
    base_url: str,
    cafile: str | None,
    nameserver: str | None,
    connect_to: Sequence[str],
    secrets: list[str],
    on_secret: Callable[[str], None],
) -> tuple[EmailSteps, EmailCheck] | None:
    """The engine's email hook and the check that reports it, for a smoke ``spec`` with
    email steps (``None`` without). ``nameserver`` and ``connect_to`` (the command line's,
    else ``smoke.email``'s) send the DKIM, SPF and DMARC lookups and the links where the
    domain check sends its own; ``cafile`` is trusted for the inboxes and the links."""
    from launchready_ci.checks.domain import web
    from launchready_ci.checks.domain.resolver import Resolver, parse_nameserver
    from launchready_ci.checks.domain.tls import parse_connect_to
    from launchready_ci.checks.email.spec import EmailSettings

    steps = [s for j in spec.journeys for s in j.steps if s.email is not None]
    if not steps:
        return None
    settings: EmailSettings = spec.email or EmailSettings("smoke.email")
    server = nameserver or settings.nameserver
    resolver = Resolver(parse_nameserver(server) if server else None)
    routes = tuple(parse_connect_to(c) for c in (connect_to or settings.connect_to))
    reach = web.Web.create(resolver, routes, cafile, nameserver=bool(server))
    hook = EmailSteps(
        settings,
        environ=environ,
        resolver=resolver,
        fetch=reach.follow,
        canonical=canonical_hosts(settings, base_url),
        cafile=cafile,
        used=[s.email.inbox for s in steps],
        on_secret=on_secret,
    )
    return hook, EmailCheck(hook, secrets=secrets)


def canonical_hosts(settings: EmailSettings, base_url: str) -> tuple[str, ...]:
    """The hosts links may point at: ``smoke.email.links.canonical``, else base_url's."""
    if settings.canonical:
        return settings.canonical
    host = (urlsplit(base_url).hostname or "").lower()
    return (host,) if host else ()
