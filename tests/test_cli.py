"""The real `launchready` entry point, run in a subprocess as users run it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from launchready_ci import __version__
from tests.helpers import EXAMPLE, git, make_repo, parse_output_file, run_cli


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"launchready {__version__}"


def test_help_lists_the_commands() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("run", "rules", "schema"):
        assert command in proc.stdout


def test_the_command_table_matches_each_commands_own_help() -> None:
    """``--help`` lists the commands from a table so that it imports none of them; each
    summary there must be the first paragraph of that command's own help, and each
    command must live in the module the table names."""
    import importlib
    import inspect

    import click

    from launchready_ci import cli

    COMMANDS = cli.COMMANDS
    group_modules = {p.stem for p in Path(str(cli.__file__)).parent.glob("[a-z]*.py")}
    assert {module for module, _, _ in COMMANDS.values()} <= group_modules
    for name, (module, attribute, summary) in COMMANDS.items():
        command = getattr(importlib.import_module(f"launchready_ci.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        assert command.name == name
        first = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
        assert summary == first, name


def test_help_imports_no_command_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from launchready_ci.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('launchready_ci')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The console (every byte printed passes it) and the pure string functions it uses.
    console = [
        "launchready_ci.github",
        "launchready_ci.github.commands",
        "launchready_ci.github.console",
        "launchready_ci.github.outputs",
    ]
    assert out.stdout.strip().splitlines()[-1] == repr(
        ["launchready_ci", "launchready_ci.cli", *console]
    )


def test_schema_is_a_valid_json_schema() -> None:
    proc = run_cli("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_rules_list_and_one_rule() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert "secrets/provider-credential" in listing.stdout
    page = run_cli("rules", "secrets/provider-credential")
    assert page.returncode == 0
    assert "## Remediation" in page.stdout


def test_unknown_rule_suggests_and_exits_2() -> None:
    proc = run_cli("rules", "secrets/provider-credentail")
    assert proc.returncode == 2
    assert "did you mean 'secrets/provider-credential'?" in proc.stderr


def test_bad_option_value_exits_2() -> None:
    proc = run_cli("run", "--fail-on", "sometimes")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_unknown_check_exits_2(tmp_path: Path) -> None:
    proc = run_cli("run", "--root", str(tmp_path), "--check", "secret")
    assert proc.returncode == 2
    assert "unknown check 'secret'" in proc.stderr


def test_run_on_the_example(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    proc = run_cli("run", "--root", str(root), "--json", str(tmp_path / "r.json"), "--no-color")
    assert proc.returncode == 1, proc.stderr
    assert "secrets/provider-credential" in proc.stdout
    assert "app/payments.py:6" in proc.stdout
    data = json.loads((tmp_path / "r.json").read_text())
    rules = {f["rule_id"] for f in data["findings"]}
    assert {"secrets/provider-credential", "secrets/secret-assignment"} <= rules
    assert "\x1b[" not in proc.stdout  # no colour when not on a TTY


def test_empty_repo_without_config_passes_and_explains_skips(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hello\n")
    proc = run_cli("run", "--root", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "skipped" in proc.stdout
    assert "inventory: env-inventory.yml" in proc.stdout  # the snippet that enables it


def test_report_files_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "r.sarif"
    proc = run_cli("run", "--root", str(tmp_path), "--sarif", str(target))
    assert proc.returncode == 0, proc.stderr
    json.loads(target.read_text())
    assert [p.name for p in target.parent.iterdir()] == ["r.sarif"]  # no temp files left


# --- one behaviour everywhere: a command without its section is skipped ------------------

SKIPPED = [
    (("smoke", "run"), "smoke"),
    (("domain", "check"), "domain"),
    (("monitor", "run"), "uptime"),
    (("rollback", "--smoke-results", "results.json"), "rollback"),
]


@pytest.mark.parametrize(("command", "key"), SKIPPED, ids=[c[0][0] for c in SKIPPED])
def test_a_command_without_its_section_is_skipped_with_its_snippet(
    tmp_path: Path, command: tuple[str, ...], key: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": "fail_on: warning\n"}, commit=False)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    done = run_cli(
        *command, "--root", str(repo),
        env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)},
        cwd=repo,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"has no `{key}:` section" in done.stdout
    assert "to enable it, add to launchready.yml:" in done.stdout
    assert f"\n          {key}:\n" in done.stdout, "the snippet, indented under the reason"
    text = summary.read_text(encoding="utf-8")
    assert "<details><summary>How to enable" in text and f"```yaml\n{key}:\n" in text
    assert parse_output_file(outputs).get("result") in ("skipped", "passed")


@pytest.mark.parametrize(
    ("command", "section"),
    [
        (("smoke", "run"), "smoke:\n  journeys: 3\n"),
        (("monitor", "run"), "uptime:\n  checks: nope\n"),
        (("rollback", "--smoke-results", "results.json"), "rollback:\n  strategy: teleport\n"),
    ],
    ids=["smoke", "monitor", "rollback"],
)
def test_a_section_that_is_wrong_is_still_exit_2(
    tmp_path: Path, command: tuple[str, ...], section: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": section}, commit=False)
    done = run_cli(*command, "--root", str(repo), cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "launchready.yml:2" in done.stderr


# --- under GitHub Actions: the log and the annotations -------------------------------------


def _secret(i: int) -> str:
    return f'smtp_password_{i} = "Pm-smtp-{i:02d}Hq2xK9vRt4Lw8Nc"\n'


def test_on_a_pull_request_the_report_is_folded_and_its_lines_come_first(tmp_path: Path) -> None:
    """The terminal report sits in a ::group:: (the annotations after it stand out), and
    of the eleven warnings the one on a line the pull request changed is annotated even
    though GitHub shows ten: it comes first."""
    repo = make_repo(
        tmp_path / "repo", {f"old{i:02d}.py": _secret(i) for i in range(11)}, commit=True
    )
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "zz_new.py").write_text("x = 1\n" + _secret(99), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a new file")
    head = git(repo, "rev-parse", "HEAD").strip()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}))
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(repo),
    }
    done = run_cli("run", "--check", "secrets", "--fail-on", "never", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "::group::launchready report: passed-with-findings, 12 findings"
    end = lines.index("::endgroup::")
    warnings = [x for x in lines[end:] if x.startswith("::warning ")]
    assert len(warnings) == 10
    assert warnings[0].startswith("::warning file=zz_new.py,line=2"), warnings[0]


def test_changed_lines_are_read_without_fetching(tmp_path: Path) -> None:
    from launchready_ci.git import changed_lines

    repo = make_repo(tmp_path / "repo", {"a.py": "1\n2\n3\n"}, commit=True)
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.py").write_text("1\ntwo\n3\nfour\n", encoding="utf-8")
    (repo / "b.py").write_text("new\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert changed_lines(repo, base, head) == {"a.py": frozenset({2, 4}), "b.py": frozenset({1})}
    assert changed_lines(repo, "0" * 40, head) is None, "a commit that is not here: no order"
    assert changed_lines(tmp_path, base, head) is None, "not a repository"


def test_json_dash_writes_the_report_to_stdout_and_the_rest_to_stderr(tmp_path: Path) -> None:
    from tests.helpers import make_repo

    repo = make_repo(
        tmp_path / "r", {"launchready.yml": "version: 1\nsecrets: {}\n", "a.py": "1\n"}
    )
    out = run_cli("run", "--json", "-", "--fail-on", "never", cwd=repo)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["tool"]["name"] == "launchready"
    assert "Checks:" in out.stderr


def test_the_terminal_report_groups_a_rule_with_many_findings(tmp_path: Path) -> None:
    from tests.helpers import make_repo

    files = {"launchready.yml": "version: 1\nenv: {inventory: env-inventory.yml}\n"}
    files["env-inventory.yml"] = "version: 1\nvariables: {}\n"
    files["app.py"] = "import os\n" + "".join(f"os.environ['VAR_{i}']\n" for i in range(8))
    repo = make_repo(tmp_path / "r", files)
    grouped = run_cli("run", "--no-color", "--fail-on", "never", cwd=repo)
    assert "env/not-in-inventory: 8 findings in 1 file" in grouped.stdout, grouped.stdout
    assert "... and 5 more (--verbose lists them)" in grouped.stdout
    assert grouped.stdout.count("has no entry in env-inventory.yml") == 3
    verbose = run_cli("run", "--no-color", "--fail-on", "never", "--verbose", cwd=repo)
    assert verbose.stdout.count("has no entry in env-inventory.yml") == 8
