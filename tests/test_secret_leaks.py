"""Planted secret values never leave the process: not in any report, log line or error."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path

from launchready_ci.checks.base import Check
from launchready_ci.config import Config
from launchready_ci.context import RunContext
from launchready_ci.findings import CheckStatus, Finding
from launchready_ci.runner import RunOptions, run
from tests.helpers import run_cli

FILE_TOKEN = "sk_live_" + "PlantedFileTokenZQ8xW3vN7pL2"
ENV_VALUE = "PlantedEnvValue-" + "k3J9qLm2Xv8RtY6wZ"
PASSWORD = "Planted-Passw0rd-" + "Hq7Vz2Lk9"
PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)
DOTENV_VALUE = "Planted-Dotenv-" + "Wq3Zr8Tn5Kx2"
K8S_TOKEN = "sk_live_" + "PlantedKubeTokenHx4Rm9Vq2Lz7"
PLANTED = [
    FILE_TOKEN,
    ENV_VALUE,
    PASSWORD,
    DOTENV_VALUE,
    K8S_TOKEN,
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
]
K8S_SECRET = (
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n"
    f"  STRIPE_KEY: {base64.b64encode(K8S_TOKEN.encode()).decode()}\n"
)


def windows(value: str, size: int = 12) -> Iterator[str]:
    """Every run of `size` characters of the value's secret part (after a known prefix)."""
    secret = value.removeprefix("sk_live_")
    for i in range(len(secret) - size + 1):
        yield secret[i : i + size]


def assert_clean(text: str, where: str) -> None:
    for value in PLANTED:
        for window in windows(value):
            assert window not in text, f"{where} contains part of a planted secret"


def test_no_planted_value_in_any_output(repo: Callable[..., Path], tmp_path: Path) -> None:
    root = repo(
        {
            "app/payments.py": f'stripe.api_key = "{FILE_TOKEN}"\n',
            "app/settings.py": f'db_password = "{PASSWORD}"\nAPI_TOKEN = "{ENV_VALUE}"\n',
            "deploy/id_ed25519": PRIVATE_KEY,
            ".env.example": f"STRIPE_SECRET_KEY={FILE_TOKEN}\n",
            ".env.production": f"SESSION_SECRET={DOTENV_VALUE}\n",
            "k8s/secret.yaml": K8S_SECRET,
            "launchready.yml": "fail_on: notice\nenv:\n  inventory: env-inventory.yml\n",
            "env-inventory.yml": "version: 1\nvariables: {}\n",
        }
    )
    out = tmp_path / "out"
    summary = tmp_path / "summary.md"
    outputs = tmp_path / "github_output"
    summary.touch()
    outputs.touch()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "STRIPE_SECRET_KEY": ENV_VALUE,
        "DATABASE_PASSWORD": PASSWORD,
    }
    proc = run_cli(
        "run", "--root", str(root),
        "--sarif", str(out / "r.sarif"), "--json", str(out / "r.json"),
        "--markdown", str(out / "r.md"), "--write-baseline", str(out / "baseline.json"),
        env=env,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "::error" in proc.stdout  # annotations were written
    assert "secrets/provider-credential" in proc.stdout
    assert "secrets/committed-env-file" in proc.stdout
    assert "k8s/secret.yaml" in proc.stdout
    outputs_seen = {
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "step summary": summary.read_text(),
        "GITHUB_OUTPUT": outputs.read_text(),
    }
    for path in out.iterdir():
        outputs_seen[path.name] = path.read_text()
    assert {"r.sarif", "r.json", "r.md", "baseline.json"} <= set(outputs_seen)
    for where, text in outputs_seen.items():
        assert text or where == "stderr", f"{where} is empty"
        assert_clean(text, where)


def test_config_error_does_not_echo_a_pasted_secret(tmp_path: Path) -> None:
    (tmp_path / "launchready.yml").write_text(
        f"fail_on: {FILE_TOKEN}\nsecrets:\n  exclude: {PASSWORD}\n{ENV_VALUE}: 1\n"
    )
    proc = run_cli("run", "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "launchready.yml:1:10" in proc.stderr
    # An unknown *key* is named (it is not a value), every value stays out.
    for value in (FILE_TOKEN, PASSWORD):
        assert value not in proc.stderr + proc.stdout


class _Exploding(Check):
    id = "exploding"
    title = "Exploding"
    config_key = "exploding"

    def run(self, ctx: RunContext, section: object) -> Iterator[Finding]:  # type: ignore[override]
        raise ValueError(f"could not parse {FILE_TOKEN}")


def test_exception_text_of_a_failing_check_is_not_reported(tmp_path: Path) -> None:
    report = run(RunContext(root=tmp_path, config=Config()), RunOptions(), checks=(_Exploding,))
    (result,) = report.results
    assert result.status is CheckStatus.ERRORED
    assert "ValueError" in (result.reason or "")
    assert FILE_TOKEN not in repr(report)
    assert report.exit_code == 1
