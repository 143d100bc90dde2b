"""The smoke spec: the ``smoke:`` section of launchready.yml read into frozen dataclasses.

The JSON Schema has already checked the shape; this module checks what a schema cannot
and reports it with file:line: JSONPaths and regular expressions that do not compile,
and ``{{ name }}`` references to a variable no earlier step of the journey captures.

Templates: ``{{ env.NAME }}`` is an environment variable (in a header or a body, and in a
URL when its name looks secret, its value is treated as a secret: masked in the log and
scrubbed from every output), ``{{ name }}`` a value an earlier step captured.

Settings: ``timeout`` (the total deadline of one exchange), ``connect_timeout``,
``max_body`` and ``redirects`` (followed at most) are read from the section, then a
journey, then a step, each overriding the one before; ``runs`` on a journey is how many
times it runs, on a GET step how many times it is sent in a row in each run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from launchready_ci.config.model import Config
from launchready_ci.errors import ConfigError, ConfigProblem
from launchready_ci.patterns import Pattern, PatternError, compile_pattern
from launchready_ci.redaction import shown_url

__all__ = [
    "Capture",
    "Expect",
    "Journey",
    "Readiness",
    "Spec",
    "Step",
    "Template",
    "parse_duration",
    "read_checks",
    "read_spec",
]

DEFAULT_RUNS = 3
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BODY = 1024 * 1024
#: Redirects followed at most, as browsers stop near 20 and curl's default is 50: ten is
#: already far more than a member should wait through.
DEFAULT_REDIRECTS = 10
#: The settings a step inherits from its journey, and a journey from the section.
SETTINGS = ("timeout", "connect_timeout", "max_body", "redirects")
#: Methods a step may repeat (``runs`` on a step): sending them twice changes nothing.
REPEATABLE = frozenset({"GET", "HEAD", "OPTIONS"})
#: The launch bar: p95 of a cached read, and of a common authenticated action.
DEFAULT_BUDGETS = {"read": 0.300, "action": 0.700}

_TEMPLATE = re.compile(r"\{\{\s*(env\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field names
_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: str | float | int) -> float:
    """``300ms`` -> 0.3; a bare number is seconds. The schema has checked the form."""
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Template:
    """A string with ``{{ env.NAME }}`` and ``{{ name }}`` references."""

    text: str

    @property
    def env(self) -> tuple[str, ...]:
        return tuple(m.group(2) for m in _TEMPLATE.finditer(self.text) if m.group(1))

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(m.group(2) for m in _TEMPLATE.finditer(self.text) if not m.group(1))

    def render(self, environ: Mapping[str, str], variables: Mapping[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            source = environ if match.group(1) else variables
            return source.get(match.group(2), "")

        return _TEMPLATE.sub(value, self.text)


@dataclass(frozen=True)
class Capture:
    name: str
    source: str  # json, header, cookie, regex, url, location, status
    argument: str = ""
    regex: Pattern | None = None  # taken from the source's text when set (RE2)


@dataclass(frozen=True)
class Expect:
    status: tuple[int | str, ...] = ()  # 200 or "2xx"; empty: 2xx or 3xx
    headers: tuple[tuple[str, Any], ...] = ()
    json: tuple[tuple[str, Any], ...] = ()
    body: Any = None
    url: Any = None
    redirects: int | None = None
    has_body: bool = False
    has_url: bool = False


@dataclass(frozen=True)
class Step:
    name: str
    key: str  # smoke.journeys[0].steps[1], for positions
    method: str
    url: Template
    headers: tuple[tuple[str, Template], ...] = ()
    json: Any = None
    form: tuple[tuple[str, Template], ...] | None = None
    body: Template | None = None
    follow_redirects: bool = True
    kind: str = "read"
    #: The p95 it must stay under; None: no budget (``budget: none``).
    budget: float | None = DEFAULT_BUDGETS["read"]
    captures: tuple[Capture, ...] = ()
    expect: Expect = field(default_factory=Expect)
    #: Times it is sent in a row in each run of its journey (a larger latency sample of
    #: a read); the last answer is the one judged for captures.
    runs: int = 1
    timeout: float = DEFAULT_TIMEOUT  # the total deadline of one exchange
    connect_timeout: float | None = None  # a new connection's (None: the total deadline)
    max_body: int = DEFAULT_MAX_BODY
    redirects: int = DEFAULT_REDIRECTS  # followed at most (0 with follow_redirects: false)
    email: Any = None  # an EmailStep (launchready_ci.checks.email.spec): wait for a message

    def templates(self) -> Iterator[Template]:
        if self.email is not None:
            yield from self.email.templates()
            return
        yield self.url
        yield from (t for _, t in self.headers)
        yield from (t for _, t in self.form or ())
        if self.body is not None:
            yield self.body
        yield from _json_templates(self.json)


@dataclass(frozen=True)
class Journey:
    name: str
    key: str
    steps: tuple[Step, ...]
    #: How many times it runs; None: as many as the run asks (--runs, else smoke.runs).
    runs: int | None = None


@dataclass(frozen=True)
class Readiness:
    path: Template = Template("/")
    status: int = 200
    version: Template | None = None
    version_header: str | None = None
    version_json: str | None = None
    deadline: float = 300.0
    interval: float = 1.0
    #: Tests that must all hold on the answer, like a step's expect (JSONPath -> test,
    #: header name -> test): a health document's ``$.status: ok`` and a header at once.
    json: tuple[tuple[str, Any], ...] = ()
    headers: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Spec:
    base_url: str | None
    ca_bundle: str | None
    runs: int
    timeout: float
    max_body: int
    readiness: Readiness | None
    journeys: tuple[Journey, ...]
    connect_timeout: float | None = None
    email: Any = None  # EmailSettings (launchready_ci.checks.email.spec): the inboxes

    def runs_of(self, journey: Journey, asked: int | None = None) -> int:
        """How many times ``journey`` runs when the run asks for ``asked`` (--runs)."""
        return journey.runs or asked or self.runs

    def secret_env(self) -> tuple[str, ...]:
        """The environment variables the journeys use that are treated as secrets: every
        one in a header or a body (credentials travel there), and those in a URL whose
        name looks secret (``INVITE_TOKEN``). A URL built from ``PREVIEW_HOST`` is shown
        as it is; its query values are hidden in reports anyway."""
        from launchready_ci.redaction import is_secret_name

        names: dict[str, None] = {}
        for template, in_url in self._templates():
            names.update(dict.fromkeys(n for n in template.env if not in_url or is_secret_name(n)))
        return tuple(names)

    def _templates(self) -> Iterator[tuple[Template, bool]]:
        """Every template of every step (and of the inboxes its email steps wait in), and
        whether it is the step's URL."""
        if self.email is not None:
            used = {s.email.inbox for j in self.journeys for s in j.steps if s.email is not None}
            for inbox in self.email.inboxes:
                if inbox.name in used:
                    yield from ((t, False) for t in inbox.templates())
        for journey in self.journeys:
            for step in journey.steps:
                for template in step.templates():
                    yield template, template is step.url

    def env(self) -> tuple[str, ...]:
        """Every environment variable the spec uses: each one must be set."""
        names = dict.fromkeys(n for template, _ in self._templates() for n in template.env)
        if self.readiness is not None:
            for template in (self.readiness.path, self.readiness.version):
                if template is not None:
                    names.update(dict.fromkeys(template.env))
        return tuple(names)


def _json_templates(value: Any) -> Iterator[Template]:
    if isinstance(value, str):
        yield Template(value)
    elif isinstance(value, list):
        for item in value:
            yield from _json_templates(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_templates(item)


class _Problems:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.found: list[ConfigProblem] = []
        self.email: Any = None  # the smoke.email settings, for email steps

    def add(self, key: str, message: str, hint: str | None = None) -> None:
        pos = self.config.position(key)
        path = pos.path if pos else (self.config.path or "launchready.yml")
        self.found.append(
            ConfigProblem(
                path, pos.line if pos else None, pos.column if pos else None, key, message, hint
            )
        )

    def jsonpath(self, key: str, path: str) -> str:
        import jsonpath as jsonpath_lib  # costs 70 ms: only when a spec is read

        try:
            jsonpath_lib.compile(path)
        except jsonpath_lib.JSONPathError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.add(key, f"{path!r} is not a JSONPath: {first}", "write it like $.user.email")
        return path

    def regex(self, key: str, pattern: str) -> Pattern | None:
        try:
            return compile_pattern(pattern)
        except PatternError as exc:
            self.add(key, f"{pattern!r} is not a regular expression: {exc}")
            return None

    def url(self, key: str, text: str) -> str:
        """A step's URL: what it holds outside ``{{ ... }}`` must parse (a bracket left
        open in an IPv6 host, a bad port), or every request would fail far from here."""
        import httpx

        literal = _TEMPLATE.sub("x", text)
        try:
            httpx.URL("http://placeholder.invalid/").join(literal)
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            self.add(key, f"{text!r} is not a URL: {exc}")
        return text

    def header_name(self, key: str, name: str) -> str:
        if not _TOKEN.fullmatch(name):
            self.add(key, f"{name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
        return name

    def predicate(self, key: str, value: Any) -> Any:
        if isinstance(value, Mapping) and "matches" in value:
            self.regex(f"{key}.matches", str(value["matches"]))
        return value


def read_spec(config: Config, section: Mapping[str, Any]) -> Spec:
    """The spec in ``section`` (already schema-valid), or a ConfigError naming every
    problem with its line."""
    from launchready_ci.checks.email.spec import read_settings

    problems = _Problems(config)
    budgets = {**DEFAULT_BUDGETS}
    for kind, value in (section.get("budgets") or {}).items():
        budgets[kind] = parse_duration(value)
    problems.email = read_settings(problems, section.get("email"), "smoke.email", Template)
    settings = _settings(section, _DEFAULTS)
    journeys = tuple(
        _journey(problems, f"smoke.journeys[{i}]", raw, budgets, settings)
        for i, raw in enumerate(section["journeys"])
    )
    names = [j.name for j in journeys]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.add(f"smoke.journeys[{i}].name", f"a second journey named {name!r}")
    readiness = _readiness(problems, section["readiness"]) if "readiness" in section else None
    if problems.found:
        raise ConfigError(problems.found)
    return Spec(
        base_url=section.get("base_url"),
        ca_bundle=section.get("ca_bundle"),
        runs=int(section.get("runs", DEFAULT_RUNS)),
        timeout=settings["timeout"],
        max_body=settings["max_body"],
        readiness=readiness,
        journeys=journeys,
        connect_timeout=settings["connect_timeout"],
        email=problems.email if section.get("email") else None,
    )


def read_checks(config: Config, section: Mapping[str, Any], key: str = "uptime") -> Spec:
    """The ``uptime.checks`` as a spec of one-step journeys (one per check, named like
    it), or a ConfigError naming every problem with its line."""
    problems = _Problems(config)
    settings = _settings(section, _DEFAULTS)
    journeys = []
    for i, raw in enumerate(section["checks"]):
        step_raw = {k: v for k, v in raw.items() if k not in ("name", "private")}
        step = _step(problems, f"{key}.checks[{i}]", {**step_raw, "name": raw["name"]},
                     DEFAULT_BUDGETS, settings)  # fmt: skip
        for template in step.templates():
            for name in template.variables:
                problems.add(
                    f"{key}.checks[{i}]",
                    f"{{{{ {name} }}}}: a probe has no earlier step to capture it",
                    "use {{ env." + name + " }} for an environment variable",
                )
        journeys.append(Journey(raw["name"], f"{key}.checks[{i}]", (step,)))
    names = [j.name for j in journeys]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.add(f"{key}.checks[{i}].name", f"a second check named {name!r}")
    if problems.found:
        raise ConfigError(problems.found)
    return Spec(
        base_url=section.get("base_url"),
        ca_bundle=section.get("ca_bundle"),
        runs=1,
        timeout=settings["timeout"],
        max_body=DEFAULT_MAX_BODY,
        readiness=None,
        journeys=tuple(journeys),
    )


_DEFAULTS: Mapping[str, Any] = {
    "timeout": DEFAULT_TIMEOUT,
    "connect_timeout": None,
    "max_body": DEFAULT_MAX_BODY,
    "redirects": DEFAULT_REDIRECTS,
}


def _settings(raw: Mapping[str, Any], inherited: Mapping[str, Any]) -> dict[str, Any]:
    """``SETTINGS`` of a section, journey or step: its own values over ``inherited``."""
    out = dict(inherited)
    for name in ("timeout", "connect_timeout"):
        if name in raw:
            out[name] = parse_duration(raw[name])
    for name in ("max_body", "redirects"):
        if name in raw:
            out[name] = int(raw[name])
    return out


def _readiness(problems: _Problems, raw: Mapping[str, Any]) -> Readiness:
    if "version_json" in raw:
        problems.jsonpath("smoke.readiness.version_json", raw["version_json"])
    if "version" in raw and not ("version_json" in raw or "version_header" in raw):
        problems.add(
            "smoke.readiness.version",
            "a version to wait for, but nowhere to read the live one from",
            "add version_header (X-Release) or version_json ($.version)",
        )
    return Readiness(
        path=Template(raw.get("path", "/")),
        status=int(raw.get("status", 200)),
        version=Template(raw["version"]) if "version" in raw else None,
        version_header=raw.get("version_header"),
        version_json=raw.get("version_json"),
        deadline=parse_duration(raw.get("deadline", 300)),
        interval=parse_duration(raw.get("interval", 1)),
        json=_json_tests(problems, "smoke.readiness.json", raw.get("json")),
        headers=_header_tests(problems, "smoke.readiness.headers", raw.get("headers")),
    )


def _journey(
    problems: _Problems,
    key: str,
    raw: Mapping[str, Any],
    budgets: Mapping[str, float],
    inherited: Mapping[str, Any],
) -> Journey:
    known: set[str] = set()
    steps = []
    settings = _settings(raw, inherited)
    for i, raw_step in enumerate(raw["steps"]):
        step = _step(problems, f"{key}.steps[{i}]", raw_step, budgets, settings)
        for template in step.templates():
            for name in template.variables:
                if name not in known:
                    problems.add(
                        f"{key}.steps[{i}]",
                        f"{{{{ {name} }}}} is not captured by an earlier step of this journey",
                        "capture it in an earlier step, or write {{ env."
                        + name
                        + " }} for an environment variable",
                    )
        known.update(c.name for c in step.captures)
        steps.append(step)
    runs = int(raw["runs"]) if "runs" in raw else None
    return Journey(raw["name"], key, tuple(steps), runs)


def _step(
    problems: _Problems,
    key: str,
    raw: Mapping[str, Any],
    budgets: Mapping[str, float],
    inherited: Mapping[str, Any],
) -> Step:
    if "email" in raw:
        return _email_step(problems, key, raw)
    method = raw.get("method", "GET")
    kind = raw.get("kind") or ("read" if method in ("GET", "HEAD") else "action")
    bodies = [k for k in ("json", "form", "body") if k in raw]
    if len(bodies) > 1:
        problems.add(key, f"a step has one body: {' and '.join(bodies)} both given")
    runs = int(raw.get("runs", 1))
    if runs > 1 and method not in REPEATABLE:
        problems.add(
            f"{key}.runs",
            f"a {method} step is sent once per run: sending it {runs} times in a row could "
            f"act {runs} times",
            "repeat a GET, HEAD or OPTIONS step; for more samples of this one, raise the "
            "journey's runs",
        )
    captures = []
    for name, source in (raw.get("capture") or {}).items():
        captures.append(_capture(problems, f"{key}.capture.{name}", name, source))
    expect_raw = raw.get("expect") or {}
    status = expect_raw.get("status", ())
    ekey = f"{key}.expect"
    expect = Expect(
        status=tuple(status) if isinstance(status, list) else (status,) if status else (),
        headers=_header_tests(problems, f"{ekey}.headers", expect_raw.get("headers")),
        json=_json_tests(problems, f"{ekey}.json", expect_raw.get("json")),
        body=problems.predicate(f"{ekey}.body", expect_raw.get("body")),
        url=problems.predicate(f"{ekey}.url", expect_raw.get("url")),
        redirects=expect_raw.get("redirects"),
        has_body="body" in expect_raw,
        has_url="url" in expect_raw,
    )
    url = problems.url(f"{key}.url", str(raw["url"]))
    settings = _settings(raw, inherited)
    budget: float | None = budgets[kind]
    if "budget" in raw:
        budget = None if raw["budget"] == "none" else parse_duration(raw["budget"])
    return Step(
        name=raw.get("name") or f"{method} {shown_url(url)}",
        key=key,
        method=method,
        url=Template(url),
        headers=tuple(
            (problems.header_name(f"{key}.headers", str(k)), Template(str(v)))
            for k, v in (raw.get("headers") or {}).items()
        ),
        json=raw.get("json"),
        form=tuple((str(k), Template(_text(v))) for k, v in raw["form"].items())
        if "form" in raw
        else None,
        body=Template(raw["body"]) if "body" in raw else None,
        follow_redirects=bool(raw.get("follow_redirects", True)),
        kind=kind,
        budget=budget,
        captures=tuple(captures),
        expect=expect,
        runs=runs,
        timeout=settings["timeout"],
        connect_timeout=settings["connect_timeout"],
        max_body=settings["max_body"],
        redirects=settings["redirects"],
    )


def _header_tests(problems: _Problems, key: str, raw: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (name.lower(), problems.predicate(key, test)) for name, test in (raw or {}).items()
    )


def _json_tests(problems: _Problems, key: str, raw: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (problems.jsonpath(key, path), problems.predicate(key, test))
        for path, test in (raw or {}).items()
    )


def _email_step(problems: _Problems, key: str, raw: Mapping[str, Any]) -> Step:
    """A step that waits for a message (see launchready_ci.checks.email.spec)."""
    from launchready_ci.checks.email.spec import EmailSettings, read_step

    settings = problems.email if problems.email is not None else EmailSettings("smoke.email")
    email = read_step(problems, key, raw["email"], settings, Template, parse_duration)
    name = raw.get("name") or email.type or f"email to {email.to.text if email.to else 'inbox'}"
    return Step(
        name=name,
        key=key,
        method="EMAIL",
        url=Template(""),
        kind="email",
        budget=email.budget,
        captures=tuple(Capture(c.name, "email") for c in email.captures),
        email=email,
    )


def _capture(problems: _Problems, key: str, name: str, raw: Mapping[str, Any]) -> Capture:
    sources = [k for k in raw if k != "regex"]
    if len(sources) > 1:
        problems.add(key, f"one source per capture: {' and '.join(sources)} both given")
    regex = problems.regex(f"{key}.regex", raw["regex"]) if "regex" in raw else None
    source = sources[0] if sources else "body"  # a lone regex searches the body
    if source not in ("body", "json", "header") and regex is not None:
        problems.add(key, f"regex takes part of a json, header or body value, not of {source}")
    argument = raw.get(source)
    if source == "json":
        problems.jsonpath(f"{key}.json", str(argument))
    return Capture(
        name=name,
        source=source,
        argument=str(argument) if isinstance(argument, str) else "",
        regex=regex,
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
