"""workflow-templates/launchready-domain.yml run with act on a schedule event, as a user
would copy it, against the test session's NSD and nginx (tests/servers.py).

The user's launchready.yml points the check at them (domain.nameserver, connect_to and
ca_bundle), as a team checking a staging zone would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.actions.test_act import act_binary, annotations, run_act, snapshot, template_command
from tests.helpers import git
from tests.servers import Web

pytestmark = pytest.mark.act

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "workflow-templates/launchready-domain.yml"


def test_the_domain_template_fails_on_the_planted_problems(
    tmp_path: Path, nameserver: str, web: Web
) -> None:
    act = act_binary()
    source = snapshot(tmp_path / "launchready-ci")
    repo = tmp_path / "user-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(web.ca_bundle, repo / "staging-ca.pem")
    rules = "".join(f"    - {rule}\n" for rule in web.connect_to())
    config = (
        "domain:\n"
        "  apex: clubhouse.test\n"
        f"  nameserver: {nameserver}\n"
        f"  connect_to:\n{rules}"
        "  ca_bundle: staging-ca.pem\n"
        "  hosts:\n"
        "    - {name: old}\n"
        "    - {name: go}\n"
    )
    (repo / "launchready.yml").write_text(config)
    old_line = config.splitlines().index("    - {name: old}") + 1
    (repo / ".github" / "workflows" / "launchready-domain.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "domain intent")
    command = template_command(
        act, "schedule", ".github/workflows/launchready-domain.yml", source,
        tmp_path / "act-cache",
    )  # fmt: skip
    code, log = run_act(command, repo, tmp_path / "act.log")
    assert code != 0, log[-4000:]
    assert "🏁  Job failed" in log, log[-4000:]
    found = annotations(log)
    assert any(
        a.startswith(f"::error file=launchready.yml,line={old_line},")
        and "domain/dangling-cname" in a
        for a in found
    ), found
    assert any("domain/redirect-drops-path" in a for a in found), found
    assert "upload-sarif stub: category=launchready-domain-check " in log
