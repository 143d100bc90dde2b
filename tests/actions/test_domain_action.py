"""actions/domain-check run with bash under real GITHUB_* files (tests/actions/
actions_harness.py) on the example, against the session's NSD and nginx: its inputs
reach `launchready domain check`, the links of `probes` among them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.actions.actions_harness import EXAMPLE, ROOT, Uploads, run_action
from tests.servers import Web


def test_the_probes_input_adds_links_to_follow(
    cold_install, workspace: Path, runner_temp: Path, uploads: Uploads, nameserver: str, web: Web
) -> None:
    run = run_action(
        ROOT / "actions" / "domain-check",
        {
            "working-directory": EXAMPLE,
            "nameserver": nameserver,
            "connect-to": "\n".join(web.connect_to()) + "\n",
            "ca-bundle": web.ca_bundle,
            "probes": "  https://go.clubhouse.test/spring?utm=mail\n\n/invite/launch-week\n",
            "fail-on": "never",
        },
        workspace=workspace,
        runner_temp=runner_temp,
        handlers=uploads.handlers,
        extra_env={"CLUBHOUSE_TEST_SESSION": "demo-session-not-a-secret"},
    )
    assert not run.failed, run.stdout
    assert run.outputs["exit-code"] == "0", run.stdout
    report = json.loads(Path(run.outputs["json-file"]).read_text(encoding="utf-8"))
    targets = {f["location"]["target"] for f in report["findings"]}
    assert "https://go.clubhouse.test/spring?utm=…" in targets
    assert "4 link(s) followed" in report["checks"][0]["scope"]  # 2 from the config, 2 here
