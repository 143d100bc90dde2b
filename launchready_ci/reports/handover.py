"""HANDOVER.md: what someone who did not set the launch up needs to run it, written from
launchready.yml, env-inventory.yml and the repository's workflows.

Everything above the ``<!-- launchready:live -->`` line is derived from committed files
only, so ``launchready handover --check`` can regenerate it and fail when the committed
document says something else. Below that line are live facts (certificate expiry dates,
the audit's top risks), which change without a commit and are not checked.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from launchready_ci.config.model import Config

__all__ = ["LIVE_MARKER", "compare", "render", "stable_part"]

LIVE_MARKER = "<!-- launchready:live -->"
_LABEL = "launchready-incident"
_HEAD = (
    "<!-- Written by `launchready handover` from launchready.yml, env-inventory.yml and "
    ".github/workflows. Change those and run it again: `launchready handover --check` fails "
    "in CI while this file is stale. -->"
)


def _cell(value: Any) -> str:
    """A table cell: what the config says, as Markdown that cannot break the table or
    inject HTML (code spans stay code spans), with break points in long words."""
    from launchready_ci.reporters.summary import prose

    text = "" if value is None else str(value)
    return prose(text) or "–"


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def render(
    config: Config,
    root: Path,
    *,
    title: str,
    inventory: Any = None,
    live: Sequence[str] = (),
) -> str:
    """The whole document: the stable part, then the live lines when there are any."""
    parts: list[str] = [f"# Handover: {title}", "", _HEAD, ""]
    for section in (_domains, _secrets, _deploy, _monitoring, _people):
        parts += section(config, root, inventory)
    parts += [LIVE_MARKER, ""]
    if live:
        parts += ["## Live (not checked: it changes without a commit)", "", *live, ""]
    return "\n".join(parts).rstrip() + "\n"


def stable_part(text: str) -> str:
    return text.split(LIVE_MARKER, 1)[0].rstrip() + "\n"


def compare(committed: str, fresh: str, path: str) -> str | None:
    """None when the stable parts agree, else a short unified diff."""
    old, new = stable_part(committed), stable_part(fresh)
    if old == new:
        return None
    diff = difflib.unified_diff(
        old.splitlines(),
        new.splitlines(),
        f"{path} (committed)",
        f"{path} (from launchready.yml)",
        lineterm="",
    )
    lines = list(diff)
    shown = lines[:40] + ([f"... {len(lines) - 40} more lines"] if len(lines) > 40 else [])
    return "\n".join(shown)


Section = Callable[[Config, Path, Any], list[str]]


def _domains(config: Config, root: Path, inventory: Any) -> list[str]:
    domain = config.section("domain")
    out = ["## Domain, DNS and email", ""]
    if not domain:
        return [*out, "Not described: add a `domain:` section to launchready.yml.", ""]
    apex = str(domain["apex"]).rstrip(".")
    out.append(f"The registered domain is **{apex}**.")
    if domain.get("nameserver"):
        out.append(f"DNS queries in checks go to `{domain['nameserver']}`.")
    if domain.get("canonical"):
        out.append(f"The canonical hostname is `{domain['canonical']}`; the others redirect to it.")
    out.append("")
    rows = []
    for host in domain.get("hosts") or []:
        intent = [
            f"{kind.upper()} {', '.join(map(str, host[kind]))}"
            for kind in ("a", "aaaa")
            if host.get(kind)
        ]
        if host.get("cname"):
            intent.append(f"CNAME {host['cname']}")
        rows.append((host["name"], "; ".join(intent) or "any address"))
    out += _table(("Hostname", "Should point to"), rows)
    if domain.get("caa"):
        out += [f"Certificates may only be issued by: {', '.join(domain['caa'])} (CAA).", ""]
    redirects = domain.get("redirects") or []
    if redirects:
        out += ["Redirects that must keep working (invite and email links depend on them):", ""]
        out += _table(
            ("From", "To", "Status"),
            [(r["from"], r["to"], r.get("status", "301/308")) for r in redirects],
        )
    mail = domain.get("mail") or []
    if mail:
        out += _table(
            ("Mail domain", "Sends through", "DKIM selectors", "Receives mail"),
            [
                (m.get("domain", "@"), ", ".join(m.get("senders") or []) or "–",
                 ", ".join(m.get("dkim") or []) or "–", "yes" if m.get("receives", True) else "no")
                for m in mail
            ],
        )  # fmt: skip
    return out


def _secrets(config: Config, root: Path, inventory: Any) -> list[str]:
    out = ["## Secrets and configuration", ""]
    if inventory is None:
        return [*out, "No env-inventory.yml: run `launchready env init` to draft one.", ""]
    entries = sorted(inventory.entries.values(), key=lambda e: e.name)
    secret = [e for e in entries if e.secret]
    out += [
        f"{len(entries)} environment variables in `{inventory.path}`, {len(secret)} of them "
        "secret. Values live in the store named for each; never in git.",
        "",
    ]
    # Five columns, to fit GitHub's page: the secret mark goes with the name, the
    # rotation note with the purpose.
    out += _table(
        ("Variable", "Purpose", "Stored in", "Owner", "Needed in"),
        [
            (_variable(e), _purpose(e), e.stored_in, e.owner, ", ".join(e.required_in))
            for e in entries
        ],
    )
    out += ["🔒 secret, ❔ not said whether it is secret.", ""]
    orphans = [e.name for e in entries if not e.owner]
    if orphans:
        out += [f"**Nobody owns:** {', '.join(f'`{n}`' for n in orphans)}.", ""]
    return out


def _variable(entry: Any) -> str:
    mark = "🔒 " if entry.secret else "❔ " if entry.secret is None else ""
    return f"{mark}`{entry.name}`"


def _purpose(entry: Any) -> str:
    purpose = str(entry.purpose or "–")
    return f"{purpose}\n\nRotation: {entry.rotation}" if entry.rotation else purpose


def _environment(job: Mapping[str, Any]) -> str:
    env = job.get("environment")
    return str(env.get("name", "")) if isinstance(env, dict) else str(env or "")


def _deploy(config: Config, root: Path, inventory: Any) -> list[str]:
    out = ["## Deploy and rollback", ""]
    from launchready_ci.checks.workflows.deploy import deploy_jobs
    from launchready_ci.checks.workflows.reader import read_workflows

    rows = []
    for wf in read_workflows(root)[0]:
        triggers = wf.data.get("on") or {}
        names = sorted(map(str, triggers)) if isinstance(triggers, dict) else [str(triggers)]
        envs = sorted({_environment(job) for job in wf.jobs.values()} - {""})
        deploys = ", ".join(deploy_jobs(wf.data, wf.file)) or "–"
        rows.append((f"`{wf.path}`", wf.data.get("name", ""), ", ".join(names), deploys,
                     ", ".join(envs) or "–"))  # fmt: skip
    if rows:
        out += _table(("Workflow", "Name", "Runs on", "Deploy jobs", "Environment"), rows)
    else:
        out += ["No workflows in .github/workflows.", ""]
    smoke = config.section("smoke")
    if smoke:
        target = smoke.get("base_url", "the --base-url given")
        out.append(f"After each deploy the smoke test runs against {target}:")
        out.append("")
        for journey in smoke["journeys"]:
            steps = ", ".join(_step_name(s) for s in journey["steps"])
            out.append(f"- **{journey['name']}**: {steps}")
        out.append("")
        out += _email_journeys(smoke)
    else:
        out += ["No post-deploy smoke test (a `smoke:` section).", ""]
    rollback = config.section("rollback")
    if rollback:
        strategy = rollback["strategy"]
        how = {
            "command": f"runs `{rollback.get('command')}`",
            "workflow": f"dispatches `{rollback.get('workflow')}` with the last good commit",
            "deployment": "creates a GitHub deployment of the last good commit",
        }[strategy]
        out += [
            f"When the smoke test fails in at least {rollback.get('min_failed_runs', 2)} runs, "
            f"`launchready rollback` {how} in `{rollback.get('environment', 'production')}`. "
            "It never rolls back a rollback, acts once per deploy, and refuses to cross a "
            "migration marked `launchready: irreversible` unless run with `--force`.",
            "",
            "By hand: `launchready rollback --smoke-results FILE --target <last good commit>` "
            "(add `--dry-run` first to see what it would do).",
            "",
        ]
    else:
        out += ["**No rollback path** (a `rollback:` section).", ""]
    migrations = config.section("migrations")
    if migrations is not None:
        version = migrations.get("postgres_version", 14)
        out += [f"Migrations are linted for PostgreSQL {version} on every pull request.", ""]
    return out


def _step_name(step: Mapping[str, Any]) -> str:
    if "email" in step:
        email = step["email"] or {}
        return str(step.get("name") or f"the {email.get('type') or 'email'} email arrives")
    return str(step.get("name") or f"{step.get('method', 'GET')} {step.get('url', '')}")


def _email_journeys(smoke: Mapping[str, Any]) -> list[str]:
    """Which emails each deploy proves arrive, and from which test inbox."""
    settings = smoke.get("email") or {}
    rows = []
    for journey in smoke["journeys"]:
        for step in journey["steps"]:
            if "email" not in step:
                continue
            email = step["email"] or {}
            inboxes = settings.get("inboxes") or {}
            name = email.get("inbox") or (next(iter(inboxes)) if len(inboxes) == 1 else "")
            inbox = inboxes.get(name) or {}
            rows.append((journey["name"], str(email.get("type") or _step_name(step)),
                         str(email.get("stream", "transactional")),
                         f"{name} ({inbox.get('type', '?')})" if name else "–"))  # fmt: skip
    if not rows:
        return ["No email journey proves that invites, resets or receipts arrive (an `email:` "
                "step in a smoke journey).", ""]  # fmt: skip
    return [
        "After each deploy these emails are waited for in a test inbox and checked (DKIM, "
        "SPF, DMARC, unsubscribe, links, spam score):",
        "",
        *_table(("Journey", "Email", "Stream", "Test inbox"), rows),
    ]


def _monitoring(config: Config, root: Path, inventory: Any) -> list[str]:
    out = ["## Monitoring and alerts", ""]
    uptime = config.section("uptime")
    if not uptime:
        return [*out, "No uptime probes (an `uptime:` section and launchready-uptime.yml).", ""]
    history = uptime.get("history") or {}
    incidents = uptime.get("incidents") or {}
    out += _table(
        ("Check", "URL", "Budget"),
        [
            (c["name"], "(private)" if c.get("private") else c["url"], c.get("budget", "–"))
            for c in uptime["checks"]
        ],
    )
    out += [
        f"Probes run every {uptime.get('interval', '5m')} (GitHub's schedule is best effort: "
        "the status page shows the real interval). History and status page: branch "
        f"`{history.get('branch', 'launchready-uptime')}`, served by GitHub Pages.",
        "",
        f"An incident issue (label `{', '.join(incidents.get('labels') or [_LABEL])}`) "
        f"opens after {incidents.get('after', 3)} failed runs in a row and closes on recovery.",
        "",
    ]
    return out


def _people(config: Config, root: Path, inventory: Any) -> list[str]:
    out = ["## Who to call", ""]
    contact = ((config.section("uptime") or {}).get("incidents") or {}).get("contact")
    out.append(f"- Alerts go to: {contact or '**nobody** (set uptime.incidents.contact)'}")
    owners: dict[str, list[str]] = {}
    if inventory is not None:
        for entry in inventory.entries.values():
            if entry.owner:
                owners.setdefault(entry.owner, []).append(entry.name)
    for owner, names in sorted(owners.items()):
        out.append(f"- {owner}: owns {len(names)} variable(s)")
    return [*out, ""]


def live_lines(
    *,
    certificates: Mapping[str, float | str] | None = None,
    risks: Sequence[Mapping[str, Any]] = (),
    now: float | None = None,
) -> list[str]:
    """The live part: certificate expiry (host -> epoch, or why unknown) and top risks."""
    now = time.time() if now is None else now
    out = [f"As of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(now))}.", ""]
    if certificates:
        rows = []
        for host, value in sorted(certificates.items()):
            if isinstance(value, float | int):
                day = time.strftime("%Y-%m-%d", time.gmtime(value))
                rows.append((host, day, f"{(value - now) / 86400:.0f}"))
            else:
                rows.append((host, value, "–"))
        out += ["### Certificates", "", *_table(("Host", "Expires", "Days left"), rows)]
    if risks:
        out += ["### Known risks (from the audit)", ""]
        out += [
            f"{r['rank']}. `{r['rule_id']}` ({r['severity']}): {r['message'].splitlines()[0]}"
            for r in risks[:10]
        ]
        out.append("")
    return out
