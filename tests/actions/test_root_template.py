"""workflow-templates/launchready.yml, the template for every repository, run with act on
a push as a user would copy it: a committed live Stripe key fails the job, on the line,
and the SARIF report still goes to code scanning."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

import pytest

from tests.actions.test_act import (
    act_binary,
    annotations,
    printed,
    run_act,
    snapshot,
    template_command,
)
from tests.helpers import git

pytestmark = pytest.mark.act

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "workflow-templates/launchready.yml"


def test_the_root_template_fails_on_a_committed_key_and_uploads_sarif(tmp_path: Path) -> None:
    act = act_binary()
    source = snapshot(tmp_path / "launchready-ci")
    repo = tmp_path / "user-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "launchready.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    alphabet = string.ascii_letters + string.digits
    key = "sk_" + "live_" + "".join(secrets.choice(alphabet) for _ in range(28))
    (repo / "billing.py").write_text(f'import os\n\nSTRIPE = "{key}"\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "billing")
    command = template_command(
        act, "push", ".github/workflows/launchready.yml", source, tmp_path / "act-cache"
    )
    code, log = run_act(command, repo, tmp_path / "act.log")
    assert code != 0, log[-4000:]
    found = annotations(log)
    assert any(
        a.startswith("::error file=billing.py,line=3,") and "secrets/provider-credential" in a
        for a in found
    ), found
    assert any(line.startswith("upload-sarif stub: category=") for line in printed(log)), log[
        -3000:
    ]
    assert key not in log


def test_the_root_template_honours_the_baseline_that_init_recorded(tmp_path: Path) -> None:
    """An old key accepted by `launchready init`'s baseline does not fail the job."""
    from tests.helpers import run_cli

    act = act_binary()
    source = snapshot(tmp_path / "launchready-ci")
    repo = tmp_path / "user-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "launchready.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    alphabet = string.ascii_letters + string.digits
    key = "sk_" + "live_" + "".join(secrets.choice(alphabet) for _ in range(28))
    (repo / "legacy.py").write_text(f'STRIPE = "{key}"\n')
    git(repo, "init", "-q", "-b", "main")
    init = run_cli("init", cwd=repo)
    assert init.returncode == 0, init.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "adopt launchready")
    command = template_command(
        act, "push", ".github/workflows/launchready.yml", source, tmp_path / "act-cache"
    )
    code, log = run_act(command, repo, tmp_path / "act.log")
    assert code == 0, log[-4000:]
    assert not [a for a in annotations(log) if a.startswith("::error")], log[-3000:]
    assert key not in log
