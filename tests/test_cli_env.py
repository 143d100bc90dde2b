"""`launchready env ...` through the real entry point, in a subprocess, on real git repos."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.helpers import EXAMPLE, run_cli
from tests.helpers import parse_output_file as _outputs

Repo = Callable[..., Path]

#: Values planted in .env.example, dotenv files and the environment: none may be printed.
DEFAULT_VALUE = "PlantedExampleDefault-" + "Qw7Lx2Vn"
PROD_SECRET = "PlantedProdSecret-" + "Zk4Rt8Yp1Mw3"
SHARED_SECRET = "PlantedSharedSecret-" + "Hn6Jc9Bd2Xs5"
ENV_SECRET = "PlantedEnvSecret-" + "Lp3Gv7Qe5Ta1"
PROD_DB = "postgres://app:" + "PlantedDbPassw0rd-Ue8Ki4" + "@db-prod.clubhouse.app:5432/app"
PLANTED = (DEFAULT_VALUE, PROD_SECRET, SHARED_SECRET, ENV_SECRET, "PlantedDbPassw0rd")

APP = {
    "app/settings.py": (
        "import os\n\n"
        'DATABASE_URL = os.environ["DATABASE_URL"]\n'
        'STRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]\n'
        'SESSION_SECRET = os.getenv("SESSION_SECRET")\n'
        'BASE_URL = os.getenv("APP_BASE_URL", "http://localhost:8000")\n'
    ),
    "web/api.ts": "export const api = process.env.NEXT_PUBLIC_API_URL;\n",
    ".env.example": f"DATABASE_URL={DEFAULT_VALUE}\nAPP_BASE_URL=http://localhost:8000\n",
}


def test_env_help_lists_the_subcommands() -> None:
    proc = run_cli("env", "--help")
    assert proc.returncode == 0
    for command in ("check", "init", "verify", "docs"):
        assert re.search(rf"^  {command}\s", proc.stdout, re.MULTILINE), proc.stdout


# --- init, then check -----------------------------------------------------------------


def _fill_in(inventory: Path) -> None:
    text = inventory.read_text(encoding="utf-8")
    text = text.replace("    purpose:\n", "    purpose: Something the app needs\n")
    text = text.replace("    owner:\n", '    owner: "@team"\n')
    inventory.write_text(text, encoding="utf-8")


def test_init_drafts_an_inventory_that_check_accepts_once_filled_in(repo: Repo) -> None:
    root = repo(APP)
    proc = run_cli("env", "init", "--root", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "wrote env-inventory.yml with 5 variables" in proc.stdout
    text = (root / "env-inventory.yml").read_text()
    names = re.findall(r"^  ([A-Z_]+):", text, re.MULTILINE)
    assert (
        names
        == sorted(names)
        == [
            "APP_BASE_URL",
            "DATABASE_URL",
            "NEXT_PUBLIC_API_URL",
            "SESSION_SECRET",
            "STRIPE_SECRET_KEY",
        ]
    )
    assert "  DATABASE_URL:  # read at app/settings.py:3; listed in .env.example:1\n" in text
    assert "  STRIPE_SECRET_KEY:  # read at app/settings.py:4\n    purpose:\n    owner:\n" in text
    assert re.search(r"STRIPE_SECRET_KEY:.*\n(?:    .*\n)*?    secret: true", text)
    assert re.search(r"NEXT_PUBLIC_API_URL:.*\n(?:    .*\n)*?    secret: false", text)
    # Never a value, not even the template's default.
    assert DEFAULT_VALUE not in text and "localhost" not in text and "default:" not in text

    # No launchready.yml: `env check` runs with the defaults; empty owners are warnings.
    check = run_cli("env", "check", "--root", str(root), "--fail-on", "warning", "--no-color")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "env/missing-owner" in check.stdout
    _fill_in(root / "env-inventory.yml")
    check = run_cli("env", "check", "--root", str(root), "--fail-on", "notice", "--no-color")
    assert check.returncode == 0, check.stdout + check.stderr


def test_init_appends_missing_variables_and_keeps_every_existing_byte(repo: Repo) -> None:
    existing = (
        "# Hand-written, with comments and our own order.\n"
        "version: 1\n"
        "variables:\n"
        "  STRIPE_SECRET_KEY:   # payments\n"
        '    purpose: "Charge cards"\n'
        "    owner: '@payments'\n"
        "    secret: true\n"
        "    required_in: [production]\n"
        "  OLD_ONLY_HERE:\n"
        "    purpose: kept although nothing reads it\n"
        "    owner: '@ops'\n"
    )
    root = repo({**APP, "launchready.yml": "env:\n  inventory: config/env.yml\n"})
    (root / "config").mkdir()
    target = root / "config" / "env.yml"
    target.write_bytes(existing.encode())
    target.chmod(0o640)
    proc = run_cli("env", "init", "--root", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "added 4 variables to config/env.yml, its 2 entries unchanged" in proc.stdout
    after = target.read_bytes().decode()
    assert after.startswith(existing)
    assert re.findall(r"^  ([A-Z_]+):", after[len(existing) :], re.MULTILINE) == [
        "APP_BASE_URL",
        "DATABASE_URL",
        "NEXT_PUBLIC_API_URL",
        "SESSION_SECRET",
    ]
    assert target.stat().st_mode & 0o777 == 0o640
    # A second run has nothing to add and leaves the file alone.
    again = run_cli("env", "init", "--root", str(root))
    assert again.returncode == 0
    assert "already lists every variable" in again.stdout
    assert target.read_bytes().decode() == after


def test_init_refuses_to_rewrite_and_force_starts_over(repo: Repo) -> None:
    root = repo(APP)
    existing = "variables:\n  DATABASE_URL:\n    purpose: db\nversion: 1\n"
    (root / "env-inventory.yml").write_text(existing)
    proc = run_cli("env", "init", "--root", str(root))
    assert proc.returncode == 2
    assert "without rewriting it" in proc.stderr and "--force" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (root / "env-inventory.yml").read_text() == existing
    forced = run_cli("env", "init", "--root", str(root), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "replaced env-inventory.yml with 5 variables" in forced.stdout


def test_init_into_an_invalid_inventory_says_where(repo: Repo) -> None:
    root = repo(APP)
    (root / "env-inventory.yml").write_text("version: 1\nvariables:\n  A: [\n")
    proc = run_cli("env", "init", "--root", str(root))
    assert proc.returncode == 2
    assert "env-inventory.yml:" in proc.stderr and "Traceback" not in proc.stderr


def test_init_output_writes_elsewhere(repo: Repo, tmp_path: Path) -> None:
    root = repo(APP)
    out = tmp_path / "draft.yml"
    proc = run_cli("env", "init", "--root", str(root), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and not (root / "env-inventory.yml").exists()


def test_init_loads_neither_the_check_nor_the_config_validator(repo: Repo) -> None:
    """`env init` reads code: its start-up is measured against `git grep` (benchmarks/)."""
    import subprocess
    import sys

    root = repo(APP)
    code = (
        "import sys\n"
        "from launchready_ci.cli import cli\n"
        f"try:\n    cli(['env', 'init', '--root', {str(root)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('launchready_ci', 'jsonschema'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().splitlines()[-1]
    assert "launchready_ci.checks.env_inventory.readers.python" in loaded
    for heavy in ("env_inventory.check", "checks.base", "jsonschema", "reporters", "runner"):
        assert heavy not in loaded, heavy
    assert (root / "env-inventory.yml").is_file()


# --- check ----------------------------------------------------------------------------


def test_env_check_is_run_restricted_to_the_env_check(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    env_check = run_cli("env", "check", "--root", str(root), "--json", str(tmp_path / "a.json"))
    run = run_cli("run", "--root", str(root), "--check", "env", "--json", str(tmp_path / "b.json"))
    assert env_check.returncode == run.returncode == 1, env_check.stderr
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert [r["id"] for r in a["checks"]] == ["env"]
    assert {f["fingerprint"] for f in a["findings"]} == {f["fingerprint"] for f in b["findings"]}
    assert {f["rule_id"].split("/")[0] for f in a["findings"]} == {"env"}


def test_env_check_writes_outputs_like_run(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    outputs = tmp_path / "github_output"
    outputs.touch()
    proc = run_cli(
        "env", "check", "--root", str(root), "--fail-on", "never",
        env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "::warning file=env-inventory.yml" in proc.stdout
    assert _outputs(outputs)["result"] == "passed-with-findings"


# --- docs -----------------------------------------------------------------------------


def test_docs_prints_writes_and_appends_the_table(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    printed = run_cli("env", "docs", "--root", str(root))
    assert printed.returncode == 0, printed.stderr
    assert "| Variable | Purpose | Owner | Secret | Environments | Stored in | Format |" in (
        printed.stdout
    )
    assert "| `SESSION_SECRET` | Signs session cookies | @clubhouse/backend | yes |" in (
        printed.stdout
    )
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    out = tmp_path / "docs" / "env.md"
    both = run_cli(
        "env", "docs", "--root", str(root), "--output", str(out), "--summary",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert both.returncode == 0, both.stderr
    assert "| Variable |" not in both.stdout
    assert out.read_text() == printed.stdout
    assert summary.read_text() == "earlier step\n" + printed.stdout


def test_docs_errors_exit_2(tmp_path: Path) -> None:
    proc = run_cli("env", "docs", "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "no inventory at env-inventory.yml" in proc.stderr and "env init" in proc.stderr
    (tmp_path / "env-inventory.yml").write_text("version: 1\nvariables: {}\n")
    proc = run_cli("env", "docs", "--root", str(tmp_path), "--summary")
    assert proc.returncode == 2
    assert "--summary needs $GITHUB_STEP_SUMMARY" in proc.stderr


# --- verify ---------------------------------------------------------------------------

INVENTORY = """\
version: 1
variables:
  DATABASE_URL:
    purpose: Postgres
    owner: "@backend"
    secret: true
    required_in: [production, staging]
    format: postgres-url
  STRIPE_SECRET_KEY:
    purpose: Charge cards
    owner: "@payments"
    secret: true
    required_in: [production]
    format: {regex: "sk_(live|test)_[A-Za-z0-9]+"}
  SESSION_SECRET:
    purpose: Signs cookies
    owner: "@backend"
    secret: true
    required_in: [production, staging]
  APP_BASE_URL:
    purpose: Links in mails
    owner: "@backend"
    secret: false
    format: https-url
"""
GOOD_PROD = (
    f"DATABASE_URL={PROD_DB}\n"
    "STRIPE_SECRET_KEY=sk_live_" + "AbCdEf0123456789GhIj\n"
    f"SESSION_SECRET={PROD_SECRET}\n"
    "APP_BASE_URL=https://members.clubhouse.app\n"
)


def _verify_repo(repo: Repo, **files: str) -> Path:
    return repo({"env-inventory.yml": INVENTORY, **APP, **files})


def test_verify_exit_codes_and_outputs(repo: Repo, tmp_path: Path) -> None:
    root = _verify_repo(
        repo,
        **{
            "deploy/prod.env": GOOD_PROD,
            "deploy/missing.env": GOOD_PROD.replace("STRIPE_SECRET_KEY=", "#"),
            "deploy/bad.env": "this is not a dotenv line\n",
        },
    )
    output = tmp_path / "github_output"

    def verify(*args: str) -> tuple[int, dict[str, str], str]:
        output.write_text("")
        proc = run_cli(
            "env", "verify", "--root", str(root), "--no-color", *args,
            cwd=root, env={"GITHUB_OUTPUT": str(output)},
        )  # fmt: skip
        return proc.returncode, _outputs(output), proc.stdout + proc.stderr

    code, out, _ = verify("-e", "production", "--from", "deploy/prod.env")
    assert code == 0, out
    assert (out["result"], out["missing"], out["invalid"], out["shared"]) == (
        "passed",
        "0",
        "0",
        "0",
    )
    code, out, text = verify("-e", "production", "--from", "deploy/missing.env")
    assert code == 1 and out["missing"] == "1" and out["result"] == "failed"
    assert "STRIPE_SECRET_KEY is required in production" in text
    # Required in production only: staging does not need it.
    code, out, _ = verify("-e", "staging", "--from", "deploy/missing.env")
    assert code == 0 and out["missing"] == "0"
    code, out, _ = verify("-e", "production", "--from", "deploy/missing.env", "--fail-on", "never")
    assert code == 0 and out["missing"] == "1"
    for args, message in (
        (("-e", "production", "--from", "deploy/nope.env"), "cannot read deploy/nope.env"),
        (("-e", "production", "--from", "deploy/bad.env"), "deploy/bad.env:1"),
        (("-e", " ", "--from", "deploy/prod.env"), "--environment needs a name"),
        (("--from", "deploy/prod.env"), "Missing option '--environment'"),
    ):
        code, _, text = verify(*args)
        assert code == 2, (args, text)
        assert message in text and "Traceback" not in text


def test_verify_compares_and_reads_the_process_environment(repo: Repo, tmp_path: Path) -> None:
    root = _verify_repo(
        repo,
        **{
            "deploy/prod.env": GOOD_PROD.replace(PROD_SECRET, SHARED_SECRET),
            "deploy/staging.env": f"SESSION_SECRET={SHARED_SECRET}\n",
        },
    )
    output = tmp_path / "github_output"
    output.write_text("")
    proc = run_cli(
        "env", "verify", "--root", str(root), "-e", "production",
        "--from", "deploy/prod.env", "--compare", "deploy/staging.env",
        cwd=root, env={"GITHUB_OUTPUT": str(output)},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert _outputs(output)["shared"] == "1"
    assert "env/shared-secret" in proc.stdout
    # Without --from the values come from the process environment.
    values = dict(line.split("=", 1) for line in GOOD_PROD.splitlines())
    proc = run_cli("env", "verify", "--root", str(root), "-e", "production", env=values)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_verify_never_prints_a_planted_value(repo: Repo, tmp_path: Path) -> None:
    """Values in a dotenv file, a compared file and the environment, all with findings
    about them: not one reaches a terminal, a report, the summary or the outputs."""
    prod = (
        f"DATABASE_URL={PROD_DB}\n"
        f"STRIPE_SECRET_KEY={PROD_SECRET}\n"  # does not fit its regex format
        f"SESSION_SECRET={SHARED_SECRET}\n"  # the same as staging's
        "APP_BASE_URL=http://members.clubhouse.app\n"  # not https
    )
    root = _verify_repo(
        repo,
        **{
            "deploy/prod.env": prod,
            "deploy/staging.env": f"SESSION_SECRET={SHARED_SECRET}\nDATABASE_URL={PROD_DB}\n",
        },
    )
    out = tmp_path / "out"
    summary, outputs = tmp_path / "summary.md", tmp_path / "github_output"
    summary.touch()
    outputs.touch()
    github = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
    }
    seen: dict[str, str] = {}
    for n, (source, env) in enumerate(
        (
            (["--from", "deploy/prod.env", "--compare", "deploy/staging.env"], github),
            ([], {**github, "STRIPE_SECRET_KEY": ENV_SECRET, "SESSION_SECRET": ENV_SECRET}),
        )
    ):
        proc = run_cli(
            "env", "verify", "--root", str(root), "-e", "production", *source,
            "--fail-on", "notice",
            "--sarif", str(out / f"{n}.sarif"), "--json", str(out / f"{n}.json"),
            "--markdown", str(out / f"{n}.md"), "--write-baseline", str(out / f"{n}.baseline"),
            cwd=root, env=env,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        assert "::error" in proc.stdout
        seen[f"stdout {n}"], seen[f"stderr {n}"] = proc.stdout, proc.stderr
    rules = {f["rule_id"] for f in json.loads((out / "0.json").read_text())["findings"]}
    assert {"env/invalid-format", "env/shared-secret"} <= rules
    seen["summary"], seen["outputs"] = summary.read_text(), outputs.read_text()
    for path in out.iterdir():
        seen[path.name] = path.read_text()
    assert len(seen) == 14
    for where, text in seen.items():
        for value in PLANTED:
            assert value not in text, f"{where} holds a planted value"
        for value in (PROD_SECRET, SHARED_SECRET, ENV_SECRET):
            assert value[-8:] not in text, f"{where} holds part of a planted value"
