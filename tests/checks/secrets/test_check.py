"""The working-tree check beyond single lines: Kubernetes Secrets, dotenv files,
detect-secrets baselines, what a scan says it skipped, and `--event`."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from launchready_ci import config as config_mod
from launchready_ci.checks.secrets.check import SecretsCheck
from launchready_ci.checks.secrets.kubernetes import secret_data
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.findings import CheckStatus
from launchready_ci.runner import run
from tests.checks.secrets.test_history import ZERO, commit, fake_key
from tests.helpers import git, make_repo, run_cli


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def context(root: Path) -> RunContext:
    return RunContext(
        root=root, config=config_mod.load(root, None), github=GitHubEnv.from_environ({}), environ={}
    )


def secret_manifest(**data: str) -> str:
    lines = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: app", "type: Opaque", "data:"]
    lines += [f"  {k}: {v}" for k, v in data.items()]
    return "\n".join(lines) + "\n"


# --- Kubernetes Secret manifests ---------------------------------------------------------


def test_a_base64_provider_key_in_a_secret_is_found_on_its_line(tmp_path: Path) -> None:
    key = fake_key()
    root = make_repo(
        tmp_path,
        {"k8s/app.yaml": secret_manifest(DB_PASSWORD=b64("changeme"), STRIPE_KEY=b64(key))},
    )
    findings = list(SecretsCheck().run(context(root), {}))
    assert [(f.rule_id, f.location.path, f.location.start_line) for f in findings] == [
        ("secrets/provider-credential", "k8s/app.yaml", 8)
    ]
    assert "Kubernetes Secret" in dict(findings[0].properties)["reason"]
    assert key not in repr(findings) and b64(key) not in repr(findings)


def test_a_decoded_password_counts_but_a_placeholder_does_not(tmp_path: Path) -> None:
    manifest = secret_manifest(password=b64("Zx9-kQ2v-Lm7w-Rt4p"), token=b64("changeme"))
    root = make_repo(tmp_path, {"secret.yml": "---\n" + manifest + "---\nkind: ConfigMap\n"})
    findings = list(SecretsCheck().run(context(root), {}))
    assert [(f.rule_id, f.location.start_line) for f in findings] == [
        ("secrets/secret-assignment", 8)
    ]


def test_templates_and_broken_manifests_never_crash() -> None:
    helm = "kind: Secret\ndata:\n  key: {{ .Values.key | b64enc }}\n"
    assert secret_data("chart/templates/secret.yaml", helm) == []
    assert secret_data("x.yaml", "kind: Secret\ndata: [unclosed\n") == []
    assert secret_data("x.yaml", "kind: Secret\ndata:\n  k: not base64 at all!\n") == []
    assert secret_data("x.json", secret_manifest(k=b64("x"))) == []  # YAML files only


# --- scope: what was scanned and skipped ---------------------------------------------------


def test_the_result_says_what_was_scanned_and_skipped(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "app.py": "print('hi')\n",
            "assets/blob": "\0PNG" * 10,
            "package-lock.json": "{}\n",
            "node_modules/x/index.js": "module.exports = 1\n",
            "big.txt": "a" * (2 * 1024 * 1024 + 1),
        },
    )
    os.symlink("app.py", root / "link.py")
    git(root, "add", "link.py")
    report = run(context(root), checks=(SecretsCheck,))
    scope = report.results[0].scope or ""
    assert scope.startswith("1 file ("), scope
    for part in ("1 binary", "1 over 2 MiB", "1 lockfile", "1 excluded", "1 symlink"):
        assert part in scope, scope
    text = run_cli("secrets", "scan", "--root", str(root)).stdout
    assert "scanned: 1 file (" in text


# --- detect-secrets baselines ---------------------------------------------------------------


def _detect_secrets_baseline(root: Path) -> dict[str, object]:
    exe = Path(sys.executable).parent / "detect-secrets"
    proc = subprocess.run(
        [str(exe), "scan"], cwd=root, capture_output=True, text=True, check=True, timeout=120
    )
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


@pytest.mark.parametrize(
    "key",
    [
        # detect-secrets hashes only the first 24 characters of a Stripe key, and the
        # whole value too when its entropy is high: both must match.
        "sk_" + "live_abcdABCD1234abcdABCD1234abcd",
        "sk_" + "live_Zq8Lm3Xv7Rt2Wk9Pn4Bj6Hc1Yd5Fg0",
    ],
)
def test_a_detect_secrets_baseline_is_honoured(tmp_path: Path, key: str) -> None:
    root = make_repo(tmp_path, {"app/settings.py": f'STRIPE = "{key}"\n'})
    (root / ".secrets.baseline").write_text(json.dumps(_detect_secrets_baseline(root)))
    result = run(context(root), checks=(SecretsCheck,)).results[0]
    assert (result.status, result.findings, result.suppressed) == (CheckStatus.PASSED, (), 1)


def test_entries_audited_as_real_secrets_are_still_reported(tmp_path: Path) -> None:
    key = fake_key()
    root = make_repo(tmp_path, {"app/settings.py": f'STRIPE = "{key}"\n'})
    doc = _detect_secrets_baseline(root)
    results = doc["results"]
    assert isinstance(results, dict)
    for entries in results.values():
        for entry in entries:
            entry["is_secret"] = True
    (root / "custom.baseline").write_text(json.dumps(doc))
    section = {"detect_secrets_baseline": "custom.baseline"}
    assert len(list(SecretsCheck().run(context(root), section))) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "custom.baseline: does not exist"), ('{"results": [}', "custom.baseline:1:")],
)
def test_a_bad_baseline_is_a_clear_error(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    files = {"launchready.yml": "secrets:\n  detect_secrets_baseline: custom.baseline\n"}
    if content is not None:
        files["custom.baseline"] = content
    root = make_repo(tmp_path, files)
    result = run_cli("secrets", "scan", "--root", str(root))
    assert result.returncode == 2  # a file the user gave cannot be used: a config error
    assert expected in result.stdout and expected in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --- dotenv files in history -----------------------------------------------------------------


def test_a_pull_request_that_adds_a_dotenv_file_is_reported_on_its_commit(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hi\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    sha = commit(root, {".env.production": "SESSION_SECRET=Qm7vT2xL9pR4wZ8nK3cY6hJ1\n"})
    commit(root, {".env.production": None})
    result = run_cli("secrets", "scan", "--pr", f"{base}..HEAD", "--root", str(root))
    assert result.returncode == 1
    assert f".env.production was committed in {sha[:12]}" in result.stdout
    assert "Qm7vT2xL9pR4" not in result.stdout
    assert "2 commits: 1 added line in 1 file change" in result.stdout  # the scope line


# --- --event ------------------------------------------------------------------------------


def _event(tmp_path: Path, name: str, payload: dict[str, object]) -> dict[str, str]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(payload))
    return {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path)}


@pytest.fixture
def pushed(tmp_path: Path) -> tuple[Path, str, str]:
    root = make_repo(tmp_path / "r", {"README.md": "hi\n"})
    before = git(root, "rev-parse", "HEAD").strip()
    commit(root, {"app.py": f"KEY = '{fake_key()}'\n"})
    after = commit(root, {"app.py": "KEY = None\n"})
    return root, before, after


def test_event_push_scans_the_pushed_commits(tmp_path: Path, pushed: tuple[Path, str, str]) -> None:
    root, before, after = pushed
    env = _event(tmp_path, "push", {"before": before, "after": after})
    result = run_cli("secrets", "scan", "--event", "--root", str(root), env=env)
    assert result.returncode == 1, result.stderr
    assert "app.py:1" in result.stdout and "2 commits" in result.stdout


def test_event_push_of_a_new_branch(tmp_path: Path, pushed: tuple[Path, str, str]) -> None:
    root, _, after = pushed
    env = _event(tmp_path, "push", {"before": ZERO, "after": after, "created": True})
    result = run_cli("secrets", "scan", "--event", "--root", str(root), env=env)
    assert result.returncode == 1, result.stderr
    assert "new branch" in result.stdout


def test_event_pull_request_and_merge_group(tmp_path: Path, pushed: tuple[Path, str, str]) -> None:
    root, base, head = pushed
    pull = {"pull_request": {"base": {"sha": base}, "head": {"sha": head}, "commits": 2}}
    group = {"merge_group": {"base_sha": base, "head_sha": head}}
    for env in (_event(tmp_path, "pull_request", pull), _event(tmp_path, "merge_group", group)):
        result = run_cli("secrets", "scan", "--event", "--root", str(root), env=env)
        assert result.returncode == 1, result.stderr
        assert "app.py:1" in result.stdout


def test_event_without_commits_scans_the_tree(
    tmp_path: Path, pushed: tuple[Path, str, str]
) -> None:
    root, before, _ = pushed
    for env in (
        _event(tmp_path, "schedule", {}),
        _event(tmp_path, "push", {"before": before, "after": ZERO, "deleted": True}),
    ):
        result = run_cli("secrets", "scan", "--event", "--root", str(root), env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "scanned: 2 files" in result.stdout, result.stdout


def test_event_errors_exit_2(tmp_path: Path, pushed: tuple[Path, str, str]) -> None:
    root, _, _ = pushed
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    cases = [
        {},
        {"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(bad)},
        _event(tmp_path, "push", {"after": "x"}),
    ]
    for env in cases:
        result = run_cli("secrets", "scan", "--event", "--root", str(root), env=env)
        assert result.returncode == 2, (env, result.stderr)
        assert result.stderr.startswith("launchready: error:") and "Traceback" not in result.stderr
    both = run_cli("secrets", "scan", "--event", "--history", "--root", str(root))
    assert both.returncode == 2 and "choose one scan mode" in both.stderr


def test_the_scope_names_only_what_was_skipped() -> None:
    """A directory walk counted 0 for folders with nothing excluded, and the scope read
    "skipped 0 excluded (...)" (seen on umami)."""
    from collections import Counter

    from launchready_ci.checks.secrets.check import ScanStats

    stats = ScanStats(files=3, bytes=10, skipped=Counter({"excluded": 0, "binary": 2}))
    assert stats.describe().endswith("; skipped 2 binary")
    assert "skipped" not in ScanStats(files=1, skipped=Counter({"excluded": 0})).describe()
