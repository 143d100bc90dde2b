"""``launchready domain check``: the live domain against its ``domain:`` section."""

from __future__ import annotations

from typing import Any

import click

from launchready_ci.checks.domain.check import DomainCheck, header_problems
from launchready_ci.checks.domain.resolver import parse_nameserver
from launchready_ci.checks.domain.tls import parse_connect_to
from launchready_ci.cli._common import CA_BUNDLE, execute, guard, open_session, report_options
from launchready_ci.errors import ConfigError, UsageError

__all__ = ["check", "domain"]


@click.group()
def domain() -> None:
    """The domain members reach and mail comes from: `check` compares DNS, TLS, redirects,
    caching and mail records with launchready.yml."""


@domain.command("check")
@click.option(
    "--connect-to",
    "connect_to",
    multiple=True,
    metavar="HOST:PORT:ADDR:PORT",
    help="Connect to ADDR:PORT instead, keeping the hostname for SNI, Host and the "
    "certificate (curl's meaning; empty parts match any or keep the original).",
)
@CA_BUNDLE
@click.option(
    "--probe",
    "probes",
    multiple=True,
    metavar="URL",
    help="A link to follow hop by hop, beside domain.probes (an invite or reset link from "
    "an email; a path is on the canonical host): reported when it loops, loses its path or "
    "query, passes through http, takes more than one redirect, ends in an error or on "
    "another host.",
)
@click.option(
    "--nameserver",
    metavar="HOST[:PORT]",
    help="Send every DNS query to this server (a staging zone's; default: domain.nameserver, "
    "else the system resolver).",
)
@report_options
@guard
def domain_check(**opts: Any) -> int:
    """Check the domain against its `domain:` section: DNS records and dangling CNAMEs,
    CAA, MX, SPF, DKIM and DMARC, TLS on every hostname, redirects hop by hop, the links
    members get (domain.probes, --probe), HSTS, caching, deep-link files and an optional
    rate-limit probe.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return check(**opts)


def check(
    *,
    nameserver: str | None,
    connect_to: tuple[str, ...],
    ca_bundle: str | None,
    probes: tuple[str, ...],
    **opts: Any,
) -> int:
    """Check the options and the config before any lookup, then run the domain check."""
    if nameserver:
        parse_nameserver(nameserver)  # a bad value is a usage error before any lookup
    routes = tuple(parse_connect_to(x) for x in connect_to)
    for url in probes:
        if not url.startswith(("http://", "https://", "/")):
            raise UsageError(f"--probe {url!r}: give an http(s):// URL or a /path")
    session = open_session(opts["root"], opts["config_path"])
    section = session.config.section("domain") or {}
    if ca_bundle is None:  # a wrong path in launchready.yml is a config error (exit 2)
        configured = section.get("ca_bundle")
        if configured and not (session.root / str(configured)).is_file():
            where = session.config.position("domain.ca_bundle")
            at = f"{where.path}:{where.line}: " if where else ""
            raise UsageError(f"{at}domain.ca_bundle: {configured} is not a file")
    problems = header_problems(session.config, section, session.environ)
    if problems:  # an unset $VAR in a header is never sent as it is
        raise ConfigError(problems)
    check = DomainCheck(nameserver, routes, ca_bundle, probes)
    return execute(checks=(check,), **opts)
