"""The IO half of ``launchready audit`` and ``launchready handover``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from launchready_ci.checks import CHECKS, Check
from launchready_ci.cli._common import Session, append_text, open_session, write_text
from launchready_ci.errors import UsageError
from launchready_ci.redaction import Scrubber

__all__ = ["audit", "handover"]

DEFAULT_HANDOVER = "HANDOVER.md"


def _title(session: Session) -> str:
    return session.github.repository or session.root.name


def audit(
    *,
    root: Path | None,
    config_path: str | None,
    base_url: str | None,
    nameserver: str | None,
    connect_to: tuple[str, ...],
    ca_bundle: str | None,
    offline: bool,
    output: str | None,
    json_path: str | None,
    fail_on: str | None,
    quiet: bool,
) -> int:
    from launchready_ci.reports import audit as audit_mod
    from launchready_ci.runner import RunOptions, run

    session = open_session(root, config_path)
    checks: list[type[Check] | Check] = [*CHECKS, *_workflows()]
    config = session.config
    secrets: list[str] = []
    if config.section("domain") and not offline:
        checks.append(_domain(nameserver, connect_to, ca_bundle))
    if base_url and config.section("smoke") and not offline:
        from launchready_ci.checks.smoke.spec import read_spec
        from launchready_ci.cli.smoke import build_check

        smoke = config.section("smoke") or {}
        check = build_check(read_spec(config, smoke), session, base_url=base_url)
        secrets = check.secrets
        checks.append(check)
    report = run(session.context(), RunOptions(fail_on=fail_on or "never"), checks)
    result = audit_mod.audit(report, config, handover_fresh=_handover_fresh(session))
    scrub = Scrubber(session.environ, tuple(secrets))
    markdown = scrub(audit_mod.render(result, title=_title(session)))
    if output:
        write_text(output, markdown)
    if json_path:
        write_text(json_path, scrub(json.dumps(audit_mod.as_json(result), indent=2) + "\n"))
    if session.github.step_summary:
        append_text(Path(session.github.step_summary), markdown)
    if not quiet:
        click.echo(markdown, nl=False)
    return report.exit_code


def _workflows() -> list[type[Check]]:
    try:
        from launchready_ci.checks.workflows.check import WorkflowsCheck
    except ImportError:  # pragma: no cover - the module ships with the package
        return []
    return [WorkflowsCheck]


def _domain(nameserver: str | None, connect_to: tuple[str, ...], ca_bundle: str | None) -> Check:
    from launchready_ci.checks.domain.check import DomainCheck
    from launchready_ci.checks.domain.resolver import parse_nameserver
    from launchready_ci.checks.domain.tls import parse_connect_to

    if nameserver:
        parse_nameserver(nameserver)
    return DomainCheck(nameserver, tuple(parse_connect_to(x) for x in connect_to), ca_bundle)


def _inventory(session: Session) -> Any:
    """The configured inventory, or None when there is none or it is broken (the env
    check reports why)."""
    from launchready_ci.checks.env_inventory.verify import load_configured_inventory
    from launchready_ci.errors import CheckError, ConfigError

    try:
        return load_configured_inventory(session.context(), session.config.section("env") or {})
    except (CheckError, ConfigError):
        return None


def _handover_fresh(session: Session) -> bool:
    from launchready_ci.reports.handover import compare, render

    path = session.root / DEFAULT_HANDOVER
    if not path.is_file():
        return False
    fresh = render(
        session.config, session.root, title=_title(session), inventory=_inventory(session)
    )
    return compare(path.read_text(encoding="utf-8"), fresh, DEFAULT_HANDOVER) is None


def handover(
    *,
    root: Path | None,
    config_path: str | None,
    output: str | None,
    check: bool,
    audit_json: str | None,
    live: bool,
    connect_to: tuple[str, ...],
    ca_bundle: str | None,
) -> int:
    from launchready_ci.reports.handover import compare, live_lines, render

    session = open_session(root, config_path)
    path = Path(output) if output else session.root / DEFAULT_HANDOVER
    inventory = _inventory(session)
    if check:
        fresh = render(session.config, session.root, title=_title(session), inventory=inventory)
        if not path.is_file():
            click.echo(
                f"{path.name} is missing: run `launchready handover` and commit it", err=True
            )
            return 1
        diff = compare(path.read_text(encoding="utf-8"), fresh, path.name)
        if diff is None:
            click.echo(f"{path.name} is up to date with launchready.yml and env-inventory.yml")
            return 0
        click.echo(
            f"{path.name} is stale: run `launchready handover` and commit the result\n{diff}",
            err=True,
        )
        return 1
    risks: list[dict[str, Any]] = []
    if audit_json:
        try:
            risks = json.loads(Path(audit_json).read_text(encoding="utf-8"))["risks"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"--audit {audit_json}: not an audit JSON report ({exc})") from None
    certificates = _certificates(session, connect_to, ca_bundle) if live else None
    lines = live_lines(certificates=certificates, risks=risks) if (risks or certificates) else []
    text = render(
        session.config, session.root, title=_title(session), inventory=inventory, live=lines
    )
    write_text(str(path), text)
    click.echo(f"wrote {path}")
    return 0


def _certificates(
    session: Session, connect_to: tuple[str, ...], ca_bundle: str | None
) -> dict[str, float | str]:
    """Each hostname's certificate expiry (or why it could not be read)."""
    from launchready_ci.checks.domain.check import fqdn
    from launchready_ci.checks.domain.tls import parse_connect_to, probe_tls, route

    domain = session.config.section("domain") or {}
    if not domain:
        return {}
    apex = str(domain["apex"]).lower().rstrip(".")
    rules = tuple(parse_connect_to(x) for x in (connect_to or domain.get("connect_to") or ()))
    cafile = ca_bundle or (
        str(session.root / domain["ca_bundle"]) if domain.get("ca_bundle") else None
    )
    names = dict.fromkeys(
        [apex, f"www.{apex}", *(fqdn(str(h["name"]), apex) for h in domain.get("hosts") or [])]
    )
    out: dict[str, float | str] = {}
    for name in names:
        address = route(rules, name, 443) or (name, 443)
        result = probe_tls(name, address, cafile=cafile, timeout=4.0)
        out[name] = (
            result.not_after if result.not_after is not None else (result.detail or result.outcome)
        )
    return out
