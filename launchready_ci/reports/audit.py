"""The launch-readiness audit: every finding ranked by what it would stop at launch, a
score per area of the launch bar, what could not be assessed and why, and a dependency
map of the services the launch rests on (Mermaid, which GitHub renders).

Ranking: each rule belongs to a launch impact (what it stops) and an area. Impacts come
in the order a founder cares about: sign-up and sign-in, payment, email delivery,
deploys, then leaks, trust, abuse, speed and handover. Within an impact, errors before
warnings before notices, more confident findings first. A finding that names a payment
provider (a leaked Stripe key, a payment variable) counts as payment whatever its rule.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from launchready_ci.config.model import Config
from launchready_ci.findings import CheckStatus, Confidence, Finding, Report, Severity

__all__ = ["AREAS", "IMPACTS", "Audit", "Risk", "audit", "dependency_map", "render"]

#: impact id -> (rank weight, what it means for members)
IMPACTS: Mapping[str, tuple[int, str]] = {
    "sign-up": (100, "stops sign-up or sign-in"),
    "payment": (95, "stops payment"),
    "email": (90, "stops email delivery"),
    "deploy": (85, "breaks or blocks a deploy"),
    "breach": (80, "leaks credentials or member data"),
    "trust": (50, "costs members' trust"),
    "abuse": (40, "invites abuse"),
    "speed": (30, "slows members down"),
    "handover": (20, "depends on one person"),
    "hygiene": (5, "housekeeping"),
}

#: area id -> title, in the launch bar's order
AREAS: Mapping[str, str] = {
    "deploy": "Deploy",
    "dns": "DNS and routing",
    "edge": "Edge and caching",
    "email": "Email",
    "secrets": "Secrets",
    "observability": "Observability",
    "handover": "Handover",
}

#: (rule pattern, impact, area); the first match wins
RULES: Sequence[tuple[str, str, str]] = (
    ("smoke/over-budget", "speed", "deploy"),
    ("smoke/*", "sign-up", "deploy"),
    ("domain/dns-*", "sign-up", "dns"),
    ("domain/dangling-cname", "sign-up", "dns"),
    ("domain/tls-old-protocol", "trust", "dns"),
    ("domain/tls-*", "sign-up", "dns"),
    ("domain/redirect-drops-path", "sign-up", "dns"),
    ("domain/request-failed", "sign-up", "edge"),
    ("domain/deep-link-file-invalid", "sign-up", "edge"),
    ("domain/redirect-chain", "trust", "dns"),
    ("domain/redirect-*", "speed", "dns"),
    ("domain/https-redirect-missing", "trust", "dns"),
    ("domain/hsts-weak", "trust", "dns"),
    ("domain/caa-*", "trust", "dns"),
    ("domain/cache-authenticated-shared", "breach", "edge"),
    ("domain/cache-static-short", "speed", "edge"),
    ("domain/no-rate-limit", "abuse", "edge"),
    ("domain/spf-*", "email", "email"),
    ("domain/dkim-*", "email", "email"),
    ("domain/dmarc-*", "email", "email"),
    ("domain/mx-missing", "email", "email"),
    ("email/slow-arrival", "speed", "email"),
    ("email/link-*", "sign-up", "email"),
    ("email/capture-failed", "sign-up", "email"),
    ("email/*", "email", "email"),
    ("secrets/test-or-public-key", "hygiene", "secrets"),
    ("secrets/*", "breach", "secrets"),
    ("env/missing-owner", "handover", "handover"),
    ("env/unused-entry", "hygiene", "handover"),
    ("env/secret-literal", "breach", "secrets"),
    ("env/public-prefix-secret", "breach", "secrets"),
    ("env/shared-secret", "breach", "secrets"),
    ("env/*", "deploy", "deploy"),
    ("migrations/observed-lock", "deploy", "deploy"),
    ("migrations/*", "deploy", "deploy"),
    ("workflows/secret-echoed", "breach", "secrets"),
    ("workflows/zizmor", "breach", "deploy"),
    ("workflows/*", "deploy", "deploy"),
)
#: which checks assess which areas
_SOURCES: Mapping[str, tuple[str, ...]] = {
    "deploy": ("migrations", "env", "workflows", "smoke"),
    "dns": ("domain",),
    "edge": ("domain",),
    "email": ("domain", "email"),
    "secrets": ("secrets",),
}
_HOW: Mapping[str, str] = {
    "migrations": "add a migrations: section (SQL, Django or Alembic migrations)",
    "env": "write env-inventory.yml (`launchready env init` drafts it)",
    "workflows": "add the deploy workflow (workflow-templates/launchready-deploy.yml)",
    "smoke": "add a smoke: section and give --base-url",
    "domain": "a domain: section, and network access (the audit without --offline)",
    "email": "email journeys (an email: step in a smoke journey) and --base-url",
    "secrets": "the secrets check always runs; it was skipped or failed",
}
#: ``checkout`` as in a payment page, not the actions/checkout step a workflow finding names
_PAYMENT = re.compile(
    r"stripe|paddle|braintree|lemon ?squeezy|paypal|payment|(?<!actions/)\bcheckout\b", re.I
)
_SEVERITY = {Severity.ERROR: 1.0, Severity.WARNING: 0.45, Severity.NOTICE: 0.1}
_CONFIDENCE = {Confidence.HIGH: 1.0, Confidence.MEDIUM: 0.85, Confidence.LOW: 0.7}
_PENALTY = {Severity.ERROR: 20, Severity.WARNING: 6, Severity.NOTICE: 1}
_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.NOTICE: "🔵"}


@dataclass(frozen=True)
class Risk:
    finding: Finding
    impact: str
    area: str
    weight: float


@dataclass(frozen=True)
class AreaScore:
    area: str
    score: int | None  # None: not assessed
    findings: int
    basis: str  # what it was assessed from, or what is missing


@dataclass(frozen=True)
class Audit:
    risks: tuple[Risk, ...]
    areas: tuple[AreaScore, ...]
    missing: tuple[str, ...]
    dependency_map: str
    report: Report


def classify(finding: Finding) -> tuple[str, str]:
    """(impact, area) of a finding."""
    impact, area = "hygiene", "deploy"
    for pattern, rule_impact, rule_area in RULES:
        if fnmatch.fnmatchcase(finding.rule_id, pattern):
            impact, area = rule_impact, rule_area
            break
    if impact in ("breach", "deploy") and _PAYMENT.search(finding.message):
        impact = "payment"
    return impact, area


def rank(findings: Sequence[Finding]) -> list[Risk]:
    risks = []
    for finding in findings:
        impact, area = classify(finding)
        weight = IMPACTS[impact][0] * _SEVERITY[finding.severity] * _CONFIDENCE[finding.confidence]
        risks.append(Risk(finding, impact, area, round(weight, 2)))
    return sorted(risks, key=lambda r: (-r.weight, r.finding.rule_id, r.finding.sort_key()))


def audit(report: Report, config: Config, *, handover_fresh: bool | None = None) -> Audit:
    risks = rank(report.findings)
    ran = {
        r.check_id for r in report.results if r.status in (CheckStatus.PASSED, CheckStatus.FAILED)
    }
    missing: list[str] = []
    areas = []
    for area, title in AREAS.items():
        found = [r for r in risks if r.area == area]
        if area in _SOURCES:
            sources = [c for c in _SOURCES[area] if c in ran]
            absent = [c for c in _SOURCES[area] if c not in ran]
            if not sources:
                how = "; ".join(dict.fromkeys(_HOW[c] for c in absent))
                missing.append(f"{title}: {how}")
                areas.append(AreaScore(area, None, 0, f"not assessed: {how}"))
                continue
            basis = ", ".join(sources)
            gaps: list[str] = []
        else:
            gaps = _config_gaps(area, config, handover_fresh)
            basis = "launchready.yml"
        penalty = sum(_PENALTY[r.finding.severity] for r in found) + 25 * len(gaps)
        if gaps:
            basis += "; missing: " + "; ".join(gaps)
        areas.append(AreaScore(area, max(0, 100 - penalty), len(found), basis))
    dep_map = dependency_map(config, report.findings)
    return Audit(tuple(risks), tuple(areas), tuple(missing), dep_map, report)


def _config_gaps(area: str, config: Config, handover_fresh: bool | None) -> list[str]:
    uptime = config.section("uptime") or {}
    if area == "observability":
        gaps = []
        if not uptime:
            gaps.append("uptime probes (an uptime: section and launchready-uptime.yml)")
        elif not (uptime.get("incidents") or {}).get("contact"):
            gaps.append("an alert contact (uptime.incidents.contact)")
        if not config.section("smoke"):
            gaps.append("a post-deploy smoke test (a smoke: section)")
        return gaps
    gaps = []
    if not config.section("rollback"):
        gaps.append("a rollback path (a rollback: section)")
    if not (uptime.get("incidents") or {}).get("contact"):
        gaps.append("who is paged (uptime.incidents.contact)")
    if handover_fresh is False:
        gaps.append("an up-to-date HANDOVER.md (`launchready handover`)")
    return gaps


# -- the dependency map ---------------------------------------------------------------

_PROVIDERS = (
    ("vercel", "Vercel"), ("netlify", "Netlify"), ("fly.dev", "Fly.io"),
    ("herokuapp", "Heroku"), ("herokudns", "Heroku"), ("cloudfront", "CloudFront"),
    ("pages.dev", "Cloudflare Pages"), ("github.io", "GitHub Pages"), ("onrender", "Render"),
    ("railway", "Railway"), ("azurewebsites", "Azure"), ("amazonaws", "AWS"),
    ("supabase", "Supabase"), ("firebaseapp", "Firebase"), ("web.app", "Firebase"),
)  # fmt: skip


def _provider(target: str) -> str:
    lowered = target.lower()
    return next((name for key, name in _PROVIDERS if key in lowered), target.rstrip("."))


def _label(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\n", " ") + '"'


def _domain_nodes(
    domain: Mapping[str, Any], lines: list[str], missing: list[str], nodes: dict[str, str]
) -> str:
    """The domain, its DNS, hosts and platforms, and the mail senders; returns the apex.
    ``nodes`` gets hostname -> node id, for marking the hosts with findings."""
    apex = str(domain.get("apex", "")).rstrip(".")
    if apex:
        nodes[apex] = "apex"
        lines.append(f"  apex[{_label(apex)}]")
        lines.append("  members --> apex")
        server = domain.get("nameserver")
        lines.append(f"  dns[({_label('DNS: ' + server if server else 'DNS provider')})]")
        lines.append("  apex --- dns")
        for i, host in enumerate(domain.get("hosts") or []):
            name = str(host.get("name", ""))
            if name in ("@", "", "www"):
                continue
            fq = name.rstrip(".") if name.endswith(".") else f"{name}.{apex}"
            nodes[fq] = f"h{i}"
            lines.append(f"  h{i}[{_label(fq)}]")
            lines.append(f"  apex --> h{i}")
            if host.get("cname"):
                lines.append(f"  p{i}[{_label(_provider(str(host['cname'])))}]")
                lines.append(f"  h{i} --> p{i}")
        senders = [s for mail in domain.get("mail") or [] for s in mail.get("senders") or []]
        for j, sender in enumerate(dict.fromkeys(senders)):
            lines.append(f"  m{j}[{_label('Email: ' + str(sender))}]")
            lines.append(f"  m{j} -- sends as --> apex")
        if not senders:
            missing.append("email sender")
    else:
        missing.append("domain")
    return apex


def dependency_map(config: Config, findings: Sequence[Finding] = ()) -> str:
    """A Mermaid flowchart: members -> domain -> hosts -> platforms; mail senders;
    monitoring and who it pages. What launchready.yml does not say is drawn dashed; a
    host with findings (the domain check's, by hostname; the smoke test's, on the app)
    is drawn red with their count."""
    domain = config.section("domain") or {}
    smoke = config.section("smoke") or {}
    uptime = config.section("uptime") or {}
    rollback = config.section("rollback") or {}
    lines = ["flowchart LR", '  members(["Members"])']
    missing: list[str] = []
    nodes: dict[str, str] = {}
    apex = _domain_nodes(domain, lines, missing, nodes)
    app = smoke.get("base_url") or uptime.get("base_url")
    if app:
        host = urlsplit(str(app)).hostname or str(app)
        nodes.setdefault(host, "app")
        lines.append(f"  app[{_label('App: ' + host)}]")
        lines.append("  members --> app" if not apex else "  apex -.-> app")
    else:
        missing.append("app host")
    if uptime:
        lines.append(f"  mon[{_label('Monitoring: launchready uptime')}]")
        lines.append("  mon -. probes .-> " + ("app" if app else "members"))
        contact = (uptime.get("incidents") or {}).get("contact")
        if contact:
            lines.append(f"  contact([{_label('Alerts: ' + str(contact))}])")
            lines.append("  mon -- issues --> contact")
        else:
            missing.append("alert contact")
    else:
        missing.append("monitoring")
    if rollback:
        lines.append(f"  rb[{_label('Rollback: ' + str(rollback.get('strategy')))}]")
        lines.append("  rb -.-> " + ("app" if app else "members"))
    for k, what in enumerate(missing):
        lines.append(f"  x{k}[{_label(what + ': not in launchready.yml')}]")
        lines.append(f"  style x{k} stroke-dasharray: 5 5")
    lines += _marks(lines, nodes, findings, app_node="app" if app else None)
    return "\n".join(lines) + "\n"


def _marks(
    lines: list[str], nodes: Mapping[str, str], findings: Sequence[Finding], app_node: str | None
) -> list[str]:
    """Red nodes for the hosts with findings; their labels get the count."""
    counts: dict[str, int] = {}
    for finding in findings:
        target = (finding.location.target or "").rstrip(".").lower()
        node = nodes.get(target)
        if node is None and finding.rule_id.startswith("smoke/") and app_node:
            node = app_node
        if node is not None:
            counts[node] = counts.get(node, 0) + 1
    out = []
    for node, n in counts.items():
        for i, line in enumerate(lines):
            m = re.fullmatch(rf'  {node}\["(.*)"\]', line)
            if m:
                noun = "finding" if n == 1 else "findings"
                lines[i] = f"  {node}[{_label(f'{m.group(1)} ⚠ {n} {noun}')}]"
        out.append(f"  style {node} stroke:#cf222e,stroke-width:3px")
    return out


# -- the report -------------------------------------------------------------------------


def _held_back(report: Report) -> str:
    shipped = sum(r.baselined for r in report.results if r.check_id == "migrations")
    if not shipped:
        return ""
    return (
        f" Not ranked: {shipped:,} finding{'' if shipped == 1 else 's'} of migrations the"
        " baseline recorded (they shipped"
        " before it, so no deploy of theirs is ahead)."
    )


def render(
    result: Audit,
    *,
    title: str,
    limit: int = 40,
    link: Callable[[Finding], str | None] | None = None,
) -> str:
    """AUDIT.md. Four columns (#, risk, where, fix) that fit GitHub's 1012 px column:
    the risk names what it stops, its severity, its rule (a link to the docs) and the
    short message; fixes keep their code spans. ``link`` makes locations links."""
    from launchready_ci.reporters.summary import breakable, escape, prose

    risks = result.risks
    counts = {s.label: sum(1 for r in risks if r.finding.severity is s) for s in Severity}
    out = [
        f"# Launch readiness: {escape(title)}",
        "",
        f"{len(risks)} risks ({counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['notice']} notices), most serious first." + _held_back(result.report),
        "",
        "## Risks, by launch impact",
        "",
    ]
    if risks:
        out += ["| # | Risk | Where | Fix |", "|---:|---|---|---|"]
        for n, risk in enumerate(risks[:limit], 1):
            f = risk.finding
            rule = f"[`{f.rule_id}`]({f.help_uri})" if f.help_uri else f"`{f.rule_id}`"
            message = prose(_shorten(f.message.split("\n")[0], 220))
            what = f"{_ICON[f.severity]} **{IMPACTS[risk.impact][1]}**: {message} ({rule})"
            where = breakable(escape(f.location.describe()))
            url = link(f) if link else None
            if url:
                where = f"[{where}]({url})"
            out.append(f"| {n} | {what} | {where} | {prose(_shorten(f.remediation, 200))} |")
        if len(risks) > limit:
            out += ["", f"{len(risks) - limit} more in the JSON report (`--json`)."]
    else:
        out.append("None found in what was assessed.")
    out += [
        "",
        "## The launch bar",
        "",
        "| Area | Score | Findings | Assessed from |",
        "|---|---:|---:|---|",
    ]
    for scored in result.areas:
        score = "–" if scored.score is None else f"{scored.score}/100"
        title_ = AREAS[scored.area]
        out.append(f"| {title_} | {score} | {scored.findings} | {prose(scored.basis)} |")
    if result.missing:
        out += ["", "### Not assessed, and what it needs", ""]
        grouped: dict[str, list[str]] = {}
        for item in result.missing:
            name, how = item.split(": ", 1)
            grouped.setdefault(how, []).append(name)
        out += [f"- {', '.join(names)}: {prose(how)}" for how, names in grouped.items()]
    out += _critical_emails(result.report)
    out += ["", "## Dependency map", ""]
    marked = "style" in result.dependency_map and "stroke:#cf222e" in result.dependency_map
    if marked:
        out += ["Hosts with findings are drawn in red, with their count.", ""]
    out += ["```mermaid", result.dependency_map.rstrip(), "```", ""]
    out += ["## Checks", ""]
    for check in result.report.results:
        line = f"- **{escape(check.title)}**: {check.status.value}"
        detail = (
            check.scope
            if check.status in (CheckStatus.PASSED, CheckStatus.FAILED)
            else check.reason
        )
        if detail:
            line += f" ({escape(detail.splitlines()[0])})"
        out.append(line)
    return "\n".join(out) + "\n"


#: The launch bar's critical email types.
CRITICAL_EMAILS = ("welcome", "password reset", "invite", "receipt", "reminder")


def _critical_emails(report: Report) -> list[str]:
    """The test results for each critical email type: the email check's table, and the
    types no journey tests."""
    from launchready_ci.reporters.summary import escape

    result = next((r for r in report.results if r.check_id == "email"), None)
    out = ["", "## Critical emails", ""]
    if result is None or len(result.measurements) < 2:
        return [*out, "No email journey ran in this audit: it needs an `email:` step in a "
                "smoke journey, --base-url, and --journeys all or email."]  # fmt: skip
    head, *rows = result.measurements
    out.append("| " + " | ".join(escape(c) for c in head) + " |")
    out.append("|" + "---|" * len(head))
    out += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    index = head.index("Email") if "Email" in head else 1
    tested = " ".join(row[index].lower() for row in rows)
    untested = [t for t in CRITICAL_EMAILS if t not in tested]
    if untested:
        out += ["", f"Not tested by any journey: {', '.join(untested)}."]
    return out


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def as_json(result: Audit) -> dict[str, Any]:
    return {
        "risks": [
            {
                "rank": n,
                "impact": r.impact,
                "area": r.area,
                "weight": r.weight,
                "rule_id": r.finding.rule_id,
                "severity": r.finding.severity.label,
                "message": r.finding.message,
                "location": r.finding.location.describe(),
                "fix": r.finding.remediation,
            }
            for n, r in enumerate(result.risks, 1)
        ],
        "areas": [
            {
                "area": a.area,
                "title": AREAS[a.area],
                "score": a.score,
                "findings": a.findings,
                "basis": a.basis,
            }
            for a in result.areas
        ],
        "not_assessed": list(result.missing),
        "dependency_map": result.dependency_map,
    }
