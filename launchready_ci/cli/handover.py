"""``launchready handover``: HANDOVER.md from launchready.yml, the inventory and the workflows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from launchready_ci.cli._common import (
    CA_BUNDLE,
    CONFIG,
    ROOT,
    Session,
    guard,
    open_session,
    write_text,
)
from launchready_ci.errors import UsageError
from launchready_ci.github.console import echo

__all__ = ["handover", "handover_is_fresh"]

DEFAULT_HANDOVER = "HANDOVER.md"


@click.command("handover")
@ROOT
@CONFIG
@click.option("--output", "-o", metavar="FILE", help="Where to write (default HANDOVER.md).")
@click.option("--check", is_flag=True, help="Exit 1 when the committed document is stale.")
@click.option("--audit", "audit_json", metavar="FILE",
              help="Add the top risks of `launchready audit --json FILE`.")  # fmt: skip
@click.option("--live", is_flag=True, help="Add each hostname's certificate expiry.")
@click.option("--connect-to", "connect_to", multiple=True, metavar="HOST:PORT:ADDR:PORT",
              help="For --live (see `domain check`).")  # fmt: skip
@CA_BUNDLE
@guard
def handover_command(**opts: Any) -> int:
    """Write HANDOVER.md from launchready.yml, env-inventory.yml and the workflows: the
    domain and its records, where each secret lives and who owns it, deploy and rollback,
    monitors and who is alerted. With --check, fail when the committed one is stale.
    """
    return handover(**opts)


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
        fresh = render(session.config, session.root, title=session.title, inventory=inventory)
        if not path.is_file():
            echo(f"{path.name} is missing: run `launchready handover` and commit it", err=True)
            return 1
        diff = compare(path.read_text(encoding="utf-8"), fresh, path.name)
        if diff is None:
            echo(f"{path.name} is up to date with launchready.yml and env-inventory.yml")
            return 0
        echo(
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
        session.config, session.root, title=session.title, inventory=inventory, live=lines
    )
    write_text(str(path), text)
    echo(f"wrote {path}")
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


def handover_is_fresh(session: Session) -> bool:
    """Whether the committed HANDOVER.md matches what ``launchready handover`` writes now."""
    from launchready_ci.reports.handover import compare, render

    path = session.root / DEFAULT_HANDOVER
    if not path.is_file():
        return False
    fresh = render(session.config, session.root, title=session.title, inventory=_inventory(session))
    return compare(path.read_text(encoding="utf-8"), fresh, DEFAULT_HANDOVER) is None


def _inventory(session: Session) -> Any:
    """The configured inventory, or None when there is none or it is broken (the env
    check reports why)."""
    from launchready_ci.checks.env_inventory.verify import load_configured_inventory
    from launchready_ci.errors import CheckError, ConfigError

    try:
        return load_configured_inventory(session.context(), session.config.section("env") or {})
    except (CheckError, ConfigError):
        return None
