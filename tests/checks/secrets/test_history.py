"""Scan modes on real git repositories built in a temp dir."""

from __future__ import annotations

import contextlib
import secrets
import string
import subprocess
from pathlib import Path

import pytest

from launchready_ci import config as config_mod
from launchready_ci.checks.secrets.history import SecretsHistoryCheck
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.errors import CheckSkipped, UsageError
from launchready_ci.findings import Finding
from launchready_ci.git import (
    Plan,
    iter_added,
    parse_shard,
    plan_history,
    plan_pr,
    plan_push,
    plan_staged,
)
from tests.helpers import git, make_repo

ZERO = "0" * 40


def fake_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "sk_" + "live_" + "".join(secrets.choice(alphabet) for _ in range(28))


def commit(root: Path, files: dict[str, str | bytes | None], message: str = "change") -> str:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            git(root, "rm", "-q", "--", rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        git(root, "add", "--", rel)
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def scan(root: Path, plan: Plan) -> list[Finding]:
    ctx = RunContext(
        root=root, config=config_mod.load(root, None), github=GitHubEnv.from_environ({}), environ={}
    )
    return list(SecretsHistoryCheck(plan).run(ctx, {}))


def places(findings: list[Finding]) -> list[tuple[str | None, int | None]]:
    return [(f.location.path, f.location.start_line) for f in findings]


def test_key_added_then_removed_in_one_pr_is_reported_on_the_adding_commit(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "feature")
    key = fake_key()
    adding = commit(root, {"app/settings.py": f"DEBUG = False\nSTRIPE = '{key}'\n"})
    commit(root, {"app/settings.py": "DEBUG = False\nSTRIPE = os.environ['STRIPE']\n"})
    plan = plan_pr(root, base, "HEAD")
    assert len(plan.commits) == 2
    findings = scan(root, plan)
    assert places(findings) == [("app/settings.py", 2)]
    assert adding[:12] in findings[0].message or adding in str(findings[0].properties)
    assert key not in repr(findings)
    # The working tree no longer holds the key: the history scan is what catches it.
    assert "STRIPE = os.environ" in (root / "app/settings.py").read_text()


def test_pr_costs_the_diff_not_the_repository(tmp_path: Path) -> None:
    old_key = fake_key()
    root = make_repo(tmp_path / "r", {"old.py": f"KEY = '{old_key}'\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    commit(root, {"new.py": "x = 1\n"})
    assert scan(root, plan_pr(root, base, "HEAD")) == []


def test_same_secret_readded_is_reported_once_with_the_later_places(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    key = fake_key()
    commit(root, {"a.py": f"K = '{key}'\n"})
    commit(root, {"a.py": None})
    commit(root, {"b.py": f"\n\nK = '{key}'\n"})
    findings = scan(root, plan_pr(root, base, "HEAD"))
    assert places(findings) == [("a.py", 1)]
    also = dict(findings[0].properties)["also_added_in"]
    assert len(also) == 1 and also[0].endswith("b.py:3")


def test_rename_binary_non_utf8_and_odd_paths(tmp_path: Path) -> None:
    key, other = fake_key(), fake_key()
    root = make_repo(tmp_path / "r", {"old name.py": f"K = '{key}'\n" + "x = 1\n" * 20})
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "mv", "old name.py", 'new "name" ü.py')
    git(root, "commit", "-q", "-m", "rename")
    commit(root, {"blob.bin": b"\x00\x01" + other.encode() + b"\x00"})
    commit(root, {"latin.txt": b"caf\xe9\nTOKEN = '" + other.encode() + b"'\n"})
    added = list(iter_added(root, plan_pr(root, base, "HEAD")))
    # The rename adds no line; the binary file is skipped; latin-1 text is decoded.
    assert [a.path for a in added] == ["latin.txt"]
    assert added[0].lines[0] == (1, "caf\ufffd")
    findings = scan(root, plan_pr(root, base, "HEAD"))
    assert places(findings) == [("latin.txt", 2)]


def test_path_with_space_and_quote_is_unquoted(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    commit(root, {'dir x/a "q".py': "a = 1\n", "dir x/tab\there.py": "b = 2\n"})
    paths = sorted(a.path for a in iter_added(root, plan_pr(root, base, "HEAD")))
    assert paths == ['dir x/a "q".py', "dir x/tab\there.py"]


def test_new_branch_push_scans_only_commits_not_on_other_branches(tmp_path: Path) -> None:
    old_key = fake_key()
    root = make_repo(tmp_path / "r", {"old.py": f"K = '{old_key}'\n"})
    git(root, "checkout", "-q", "-b", "feature")
    key = fake_key()
    commit(root, {"feature.py": f"K = '{key}'\n"})
    after = commit(root, {"more.py": "x = 1\n"})
    plan = plan_push(root, ZERO, after)
    assert len(plan.commits) == 2
    assert places(scan(root, plan)) == [("feature.py", 1)]


def test_push_with_before(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    before = git(root, "rev-parse", "HEAD").strip()
    key = fake_key()
    after = commit(root, {"x.py": f"K = '{key}'\n"})
    assert places(scan(root, plan_push(root, before, after))) == [("x.py", 1)]


def test_history_shards_cover_every_commit_exactly_once(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    for i in range(12):
        commit(root, {f"f{i}.py": f"x = {i}\n"})
    git(root, "checkout", "-q", "-b", "side", "HEAD~3")
    commit(root, {"side.py": "y = 1\n"})
    everything = set(plan_history(root).commits)
    assert len(everything) == 14
    one, two = plan_history(root, (1, 2)).commits, plan_history(root, (2, 2)).commits
    assert set(one) | set(two) == everything
    assert not set(one) & set(two)
    assert len(one) + len(two) == 14


def test_history_finds_a_key_deleted_long_ago(tmp_path: Path) -> None:
    key = fake_key()
    root = make_repo(tmp_path / "r", {"cfg.py": f"K = '{key}'\n"})
    commit(root, {"cfg.py": "K = ''\n"})
    assert places(scan(root, plan_history(root))) == [("cfg.py", 1)]


@pytest.mark.parametrize("text", ["0/2", "3/2", "x", "1/0"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="K/N"):
        parse_shard(text)


def test_staged_scans_the_index_only(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    staged_key, unstaged_key = fake_key(), fake_key()
    (root / "s.py").write_text(f"a = 1\nK = '{staged_key}'\n", encoding="utf-8")
    git(root, "add", "s.py")
    (root / "u.py").write_text(f"K = '{unstaged_key}'\n", encoding="utf-8")
    findings = scan(root, plan_staged(root))
    assert places(findings) == [("s.py", 2)]


def test_staged_in_a_repository_without_commits(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {}, commit=False)
    (root / "s.py").write_text(f"K = '{fake_key()}'\n", encoding="utf-8")
    git(root, "add", "s.py")
    assert places(scan(root, plan_staged(root))) == [("s.py", 1)]


def test_empty_range_is_said_not_passed_silently(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    plan = plan_pr(root, "HEAD", "HEAD")
    assert plan.commits == ()
    with pytest.raises(CheckSkipped, match="no commits to scan"):
        scan(root, plan)


def _shallow_pr(tmp_path: Path) -> tuple[Path, str, str]:
    """origin: main A-B, feature C-D (D adds a key); a depth-1 clone of feature."""
    origin = make_repo(tmp_path / "origin", {"README.md": "hello\n"})
    base = commit(origin, {"b.py": "b = 1\n"})
    git(origin, "checkout", "-q", "-b", "feature")
    commit(origin, {"c.py": f"K = '{fake_key()}'\n"})
    commit(origin, {"d.py": "d = 1\n"})
    git(origin, "checkout", "-q", "main")
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth",
        "1",
        "--branch",
        "feature",
        f"file://{origin}",
        str(clone),
    )
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    return clone, base, git(clone, "rev-parse", "HEAD").strip()


def test_shallow_clone_fetches_what_the_range_needs(tmp_path: Path) -> None:
    clone, base, head = _shallow_pr(tmp_path)
    plan = plan_pr(clone, base, head)
    assert len(plan.commits) == 2
    assert places(scan(clone, plan)) == [("c.py", 1)]


def test_shallow_clone_without_origin_fails_naming_fetch_depth(tmp_path: Path) -> None:
    clone, base, head = _shallow_pr(tmp_path)
    git(clone, "remote", "remove", "origin")
    with pytest.raises(UsageError, match=r"fetch-depth: 0"):
        plan_pr(clone, base, head)
    with pytest.raises(UsageError, match=r"fetch-depth: 0"):
        plan_history(clone)


def test_shallow_clone_with_base_but_no_merge_base_fails(tmp_path: Path) -> None:
    clone, base, head = _shallow_pr(tmp_path)
    git(clone, "fetch", "-q", "--depth", "1", "origin", base)
    git(clone, "remote", "remove", "origin")
    with pytest.raises(UsageError, match=r"merge base.*fetch-depth: 0"):
        plan_pr(clone, base, head)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not inside a git repository"):
        plan_pr(tmp_path, "a", "b")


def _shallow_new_branch(tmp_path: Path) -> tuple[Path, str]:
    """origin: main with an old key, new branch feature adding one; a depth-1 clone."""
    origin = make_repo(tmp_path / "origin", {"old.py": f"K = '{fake_key()}'\n"})
    commit(origin, {"b.py": "b = 1\n"})
    git(origin, "checkout", "-q", "-b", "feature")
    commit(origin, {"c.py": f"K = '{fake_key()}'\n"})
    commit(origin, {"d.py": "d = 1\n"})
    git(origin, "checkout", "-q", "main")
    clone = tmp_path / "clone"
    url = f"file://{origin}"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", url, str(clone))
    return clone, git(clone, "rev-parse", "HEAD").strip()


def test_new_branch_push_in_a_shallow_clone_compares_with_the_default_branch(
    tmp_path: Path,
) -> None:
    clone, after = _shallow_new_branch(tmp_path)
    plan = plan_push(clone, ZERO, after)
    assert len(plan.commits) == 2
    assert places(scan(clone, plan)) == [("c.py", 1)]


def test_new_branch_push_in_a_shallow_clone_without_origin_fails(tmp_path: Path) -> None:
    clone, after = _shallow_new_branch(tmp_path)
    git(clone, "remote", "remove", "origin")
    with pytest.raises(UsageError, match="fetch-depth: 0"):
        plan_push(clone, ZERO, after)


def test_excludes_apply_as_in_the_working_tree(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    key = fake_key()
    commit(root, {"node_modules/x/a.js": f"k = '{key}'\n", "fixtures/b.py": f"K = '{key}'\n"})
    ctx = RunContext(
        root=root, config=config_mod.load(root, None), github=GitHubEnv.from_environ({}), environ={}
    )
    check = SecretsHistoryCheck(plan_pr(root, base, "HEAD"))
    assert list(check.run(ctx, {"exclude": ["fixtures/**"]})) == []
    assert places(list(check.run(ctx, {}))) == [("fixtures/b.py", 1)]


def test_the_engine_api_is_called_with_the_added_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scan_text(path, text, line_numbers=...)`` and ``to_finding(d, path, commit=)``."""
    import sys
    import types

    from launchready_ci.checks.secrets.rules.provider_credential import ProviderCredential
    from launchready_ci.findings import Location

    calls: list[tuple[str, str, list[int]]] = []

    def scan_text(path: str, text: str, *, line_numbers: list[int]) -> list[object]:
        calls.append((path, text, list(line_numbers)))
        return [types.SimpleNamespace(line=line_numbers[1], digest="d1", sha1s=("s1",))]

    def to_finding(d: types.SimpleNamespace, path: str, *, commit: str | None) -> Finding:
        loc = Location(path=path, start_line=d.line, end_line=d.line)
        return ProviderCredential.finding(f"at {commit}", loc, content=d.digest)

    fake = types.ModuleType("launchready_ci.checks.secrets.engine")
    fake.scan_text = scan_text  # type: ignore[attr-defined]
    fake.to_finding = to_finding  # type: ignore[attr-defined]
    fake.settings = contextlib.nullcontext  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "launchready_ci.checks.secrets.engine", fake)
    root = make_repo(tmp_path / "r", {"a.py": "a = 1\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    sha = commit(root, {"a.py": "a = 1\nb = 2\nc = 3\n"})
    findings = scan(root, plan_pr(root, base, "HEAD"))
    assert calls == [("a.py", "b = 2\nc = 3", [2, 3])]
    assert places(findings) == [("a.py", 3)] and sha in findings[0].message


def test_a_key_added_while_resolving_a_merge_is_reported_on_the_merge(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"f.py": "a = 1\nb = 2\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "feature")
    commit(root, {"f.py": "a = 1\nb = 3\n"})
    git(root, "checkout", "-q", "main")
    commit(root, {"f.py": "a = 0\nb = 2\n"})
    git(root, "checkout", "-q", "feature")
    conflict = subprocess.run(
        ["git", "-C", str(root), "merge", "-q", "--no-commit", "main"],
        capture_output=True,
        check=False,
    )
    assert conflict.returncode == 1  # a conflict on purpose, resolved with a new line
    key = fake_key()
    merge = commit(root, {"f.py": f"a = 0\nb = 3\nKEY = '{key}'\n"}, "merge main")
    findings = scan(root, plan_pr(root, base, "HEAD"))
    assert places(findings) == [("f.py", 3)]
    assert dict(findings[0].properties)["commit"] == merge
    # What the merge took from one parent is not new: no finding for `a = 0` or `b = 3`.
    assert key not in repr(findings)


def test_an_inline_ignore_added_with_the_key_holds_after_the_line_moves(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hi\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    ignored = f"KEY = '{fake_key()}'  # launchready: ignore[secrets/provider-credential]\n"
    commit(root, {"tests/fixture.py": "# test data\n" + ignored})
    commit(root, {"tests/fixture.py": "# test data\n\n\n" + ignored})  # the line moves
    other = fake_key()
    commit(root, {"app.py": f"# launchready: ignore[env/*]\nKEY = '{other}'\n"})
    findings = scan(root, plan_pr(root, base, "HEAD"))
    accepted = [f.location.path for f in findings if dict(f.properties).get("accepted_by")]
    reported = [f.location.path for f in findings if not dict(f.properties).get("accepted_by")]
    assert accepted == ["tests/fixture.py"]
    assert reported == ["app.py"]  # an ignore of another rule does not hide it
