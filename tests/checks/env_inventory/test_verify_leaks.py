"""`env verify` never lets a value out: planted values (in a dotenv file, a JSON file, an
`env -0` dump and the environ mapping; failing their format, placeholders, test keys,
shared secrets) appear in no reporter's output and not in ``repr(report)``.

The check is on every 6-character window of each value. A window is allowed only when
the rule documentation or the inventory contains it (the docs quote prefixes such as
`sk_test_` and schemes such as `postgres://`, SARIF embeds the docs, and a finding may
name an entry's format such as `regex whsec_...`), so nothing a reporter prints can have
come from a value.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.values import load_values
from launchready_ci.checks.env_inventory.verify import EnvVerifyCheck
from launchready_ci.config.loader import load
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.findings import Report
from launchready_ci.reporters import annotations, outputs, sarif, summary, text
from launchready_ci.reporters import json as json_reporter
from launchready_ci.rules import all_rules
from launchready_ci.rules.docs import rule_markdown
from launchready_ci.runner import RunOptions, run

INVENTORY = """\
version: 1
variables:
  DATABASE_URL:
    secret: true
    required_in: [production]
    format: postgres-url
  APP_BASE_URL:
    secret: false
    required_in: [production]
    format: https-url
  PORT:
    secret: false
    format: int
  SESSION_SECRET:
    secret: true
    required_in: [production]
  STRIPE_SECRET_KEY:
    secret: true
  LOG_LEVEL:
    secret: false
    format: {enum: [debug, info]}
  API_TOKEN:
    secret: true
  WEBHOOK_SECRET:
    secret: true
    format: {regex: "whsec_[A-Za-z0-9]+"}
  ADMIN_EMAIL:
    secret: false
    format: email
  TIMEOUT:
    secret: false
    format: duration
  CALLBACK_URL:
    secret: false
    format: url
"""

#: Each value fails in its own way; each holds a distinctive, random-looking part.
VALUES = {
    "DATABASE_URL": "postgres://leak:Qz7Vb2Nm8Kw4@localhost:5432/clubdb",  # local host
    "APP_BASE_URL": "http://Yt5Rp1Hx6Gd3.clubhouse.app",  # http for https-url
    "PORT": "Jn4Wc8Fs2Lq6",  # not an int
    "SESSION_SECRET": "your-Mb7Tk3Zx9Pv1-here",  # placeholder
    "STRIPE_SECRET_KEY": "sk_test_" + "Hd2Vn6Qr9Bx4Ls8C",  # test key in production
    "LOG_LEVEL": "Cw3Kp7Xm1Rz5",  # not in the enum
    "API_TOKEN": "Ge8Lt4Wq2Vk6Ny1P",  # shared with the other environment
    "WEBHOOK_SECRET": "whsec_" + "Fz5Xc9Mb3Tq7\n",  # trailing newline
    "ADMIN_EMAIL": "Ux3Ob7Ie5Ya9@@mail.clubhouse.app",  # not an email
    "TIMEOUT": "Ws6Pd0Ak2Ho8",  # not a duration
    "CALLBACK_URL": "https://Bn5Gy9Tc1Lm3.clubhouse.app/${{ secrets.Hp4Ka8Qe2Zu6 }}",
    "SENTRY_AUTH_TOKEN": "Rk1Pw6Hs4Dj8Vm2Y",  # not in the inventory, shared
}
OTHER = {
    "API_TOKEN": VALUES["API_TOKEN"],
    "SENTRY_AUTH_TOKEN": VALUES["SENTRY_AUTH_TOKEN"],
    "DATABASE_URL": "postgres://leak:Oi3Fa7Xe1Wn5@db.staging.internal/clubdb",
    "SESSION_SECRET": "Vd4Ci8Ub2Ep6Rj0M",
}

WINDOW = 6


def windows(value: str) -> Iterator[str]:
    for i in range(len(value) - WINDOW + 1):
        yield value[i : i + WINDOW]


def _docs() -> str:
    """What findings may quote: the rule docs and the inventory (formats, names)."""
    return "\n".join([*(rule_markdown(rule) for rule in all_rules().values()), INVENTORY])


def assert_clean(text_: str, where: str, docs: str) -> None:
    for name, value in [*VALUES.items(), *(("other " + k, v) for k, v in OTHER.items())]:
        assert value not in text_, f"{where} contains the value of {name}"
        for window in windows(value):
            if window in docs:
                continue
            assert window not in text_, f"{where} contains part of {name}: {window!r}"


def _dotenv(values: dict[str, str]) -> str:
    return "".join(f"{k}={json.dumps(v)}\n" for k, v in values.items())


def render_all(report: Report) -> dict[str, str]:
    return {
        "text": text.render(report),
        "text (colour)": text.render(report, color=True),
        "annotations": annotations.render(report),
        "summary": summary.render(report),
        "sarif": sarif.render(report),
        "json": json_reporter.render(report),
        "outputs": outputs.render(report),
        "repr(report)": repr(report),
        "str(report)": str(report),
    }


@pytest.fixture
def root(repo: Callable[..., Path]) -> Path:
    return repo({"env-inventory.yml": INVENTORY})


def _run(root: Path, check: EnvVerifyCheck) -> Report:
    ctx = RunContext(root=root, config=load(root), github=GitHubEnv(actions=True), environ={})
    return run(ctx, RunOptions(), checks=[check])


def _assert_all_rules_fired(report: Report) -> None:
    rules = {f.rule_id for f in report.findings}
    assert {
        "env/invalid-format",
        "env/unsafe-for-environment",
        "env/shared-secret",
        "env/missing-in-environment",
    } <= rules, rules


def test_dotenv_and_json_sources(root: Path, tmp_path: Path) -> None:
    values_file = tmp_path / ".env.production"
    values_file.write_text(_dotenv({**VALUES, "SESSION_SECRET": ""}), encoding="utf-8")
    other_file = tmp_path / "staging.json"
    other_file.write_text(json.dumps(OTHER), encoding="utf-8")
    values = load_values(str(values_file), {})
    assert values.values["WEBHOOK_SECRET"] == VALUES["WEBHOOK_SECRET"]  # parsed as planted
    report = _run(root, EnvVerifyCheck("production", values, load_values(str(other_file), {})))
    _assert_all_rules_fired(report)
    docs = _docs()
    for where, out in render_all(report).items():
        assert_clean(out, where, docs)


def test_environ_and_env0_sources(root: Path, tmp_path: Path) -> None:
    other_file = tmp_path / "staging.env0"
    other_file.write_bytes(b"".join(f"{k}={v}".encode() + b"\0" for k, v in OTHER.items()))
    environ = {**VALUES, "DATABASE_URL": " "}
    report = _run(
        root,
        EnvVerifyCheck("production", load_values(None, environ), load_values(str(other_file), {})),
    )
    _assert_all_rules_fired(report)
    docs = _docs()
    for where, out in render_all(report).items():
        assert_clean(out, where, docs)


def test_staging_run_with_live_keys(root: Path) -> None:
    values = {**VALUES, "STRIPE_SECRET_KEY": "sk_live_" + "Tf9Mz3Wb7Kc1Qx5D"}
    report = _run(root, EnvVerifyCheck("staging", load_values(None, values)))
    assert any(dict(f.properties).get("problem") == "live-credential" for f in report.findings)
    docs = _docs()
    for where, out in render_all(report).items():
        assert_clean(out, where, docs)
        assert "Tf9Mz3" not in out


def test_the_docs_do_not_hold_the_planted_parts() -> None:
    """The allowance for windows found in the docs must not hide a planted part."""
    docs = _docs()
    for value in [*VALUES.values(), *OTHER.values()]:
        distinctive = [w for w in windows(value) if w not in docs]
        assert len(distinctive) >= 6, value


def test_the_check_catches_a_leak(root: Path) -> None:
    """A finding that quoted 6 characters of a value would fail this test."""
    report = _run(root, EnvVerifyCheck("production", load_values(None, VALUES)))
    finding = report.findings[0]
    leaky = dataclasses.replace(finding, message=finding.message + " near Nm8Kw4")
    result = dataclasses.replace(report.results[0], findings=(leaky,))
    leaked = dataclasses.replace(report, results=(result,))
    with pytest.raises(AssertionError, match="contains part of DATABASE_URL"):
        assert_clean(text.render(leaked), "text", _docs())
