"""Every remote action is pinned by a full commit SHA with its version, one pin per action.

    python scripts/pins.py            # check; exit 1 with file:line for each problem
    python scripts/pins.py --write    # give the README and the starter workflows the pins
                                      # of action.yml, actions/ and .github/workflows/

A `uses:` of another repository's action must read `owner/name[/path]@<40-hex> # vX.Y.Z`,
and an action has one SHA (and one version) everywhere. Dependabot updates action.yml,
actions/*/action.yml and .github/workflows/ (see .github/dependabot.yml): those are the
source of the pins; the README, the per-action READMEs and workflow-templates/ follow with
--write. launchready-ci's own actions are the exception: the starter workflows and the
docs use the moving major tag (`@v1`) of the version in launchready_ci/__init__.py, as a
release cannot name its own commit.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = "launchready/launchready-ci"
USES = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?uses:\s*)(?P<action>[\w.-]+/[\w.-]+)(?P<path>/[\w./-]*)?"
    r"@(?P<ref>[^\s#]+)(?P<tail>.*)$"
)
SHA = re.compile(r"[0-9a-f]{40}")
VERSION = re.compile(r"\s+#\s*(?P<version>v\d+\.\d+\.\d+)\b")
STALE_COMMENT = re.compile(r"^\s+#\s*v\d+(?:\.\d+)*\b")
#: Where Dependabot keeps the pins fresh: the source of truth for --write.
SOURCES = ("action.yml", "actions/*/action.yml", ".github/workflows/*.yml")
FOLLOWERS = ("README.md", "actions/*/README.md", "workflow-templates/*.yml")


@dataclass(frozen=True)
class Use:
    file: Path
    line: int
    action: str  # owner/name
    ref: str
    version: str | None  # from the `# vX.Y.Z` comment


def major_tag(root: Path = ROOT) -> str:
    text = (root / "launchready_ci" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__ = "(\d+)\.\d+\.\d+"', text, re.MULTILINE)
    if not m:
        raise SystemExit("launchready_ci/__init__.py has no __version__ = 'X.Y.Z'")
    return f"v{m.group(1)}"


def files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})


def uses(path: Path) -> Iterator[Use]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = USES.match(line)
        if m:
            version = VERSION.match(m["tail"])
            yield Use(path, number, m["action"], m["ref"], version and version["version"])


def problems(root: Path = ROOT) -> list[str]:
    """Every problem, as ``file:line: text``; empty when the pins are right."""
    out: list[str] = []
    major = major_tag(root)
    pins: dict[str, dict[tuple[str, str | None], list[Use]]] = {}
    for path in files(root, SOURCES + FOLLOWERS):
        for use in uses(path):
            where = f"{use.file.relative_to(root)}:{use.line}"
            if use.action == OWN:
                if use.ref != major:
                    out.append(
                        f"{where}: {OWN} must be used at @{major} (its major tag), not @{use.ref}"
                    )
                continue
            if not SHA.fullmatch(use.ref):
                out.append(f"{where}: {use.action}@{use.ref} is not pinned by a 40-hex commit SHA")
            elif use.version is None:
                out.append(f"{where}: {use.action}@{use.ref[:12]}… has no '# vX.Y.Z' comment")
            pins.setdefault(use.action, {}).setdefault((use.ref, use.version), []).append(use)
    for action, seen in sorted(pins.items()):
        if len(seen) > 1:
            listing = "; ".join(
                f"{ref[:12]}… {version} in {', '.join(str(u.file.relative_to(root)) for u in us)}"
                for (ref, version), us in seen.items()
            )
            out.append(
                f"{action} has {len(seen)} pins ({listing}): run python scripts/pins.py --write"
            )
    return out


def canonical(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """action -> (sha, version), from the files Dependabot updates."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in files(root, SOURCES):
        for use in uses(path):
            if use.action != OWN and SHA.fullmatch(use.ref) and use.version:
                found.setdefault(use.action, set()).add((use.ref, use.version))
    ambiguous = {a: pins for a, pins in found.items() if len(pins) > 1}
    if ambiguous:
        raise SystemExit(f"the pins disagree among {', '.join(SOURCES)}: {ambiguous}")
    return {action: next(iter(pins)) for action, pins in found.items()}


def write(root: Path = ROOT) -> list[Path]:
    pins = canonical(root)
    changed = []
    for path in files(root, FOLLOWERS):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines):
            m = USES.match(line.rstrip("\n"))
            if not m or m["action"] not in pins:
                continue
            sha, version = pins[m["action"]]
            tail = STALE_COMMENT.sub("", m["tail"], count=1)
            new = f"{m['lead']}{m['action']}{m['path'] or ''}@{sha} # {version}{tail}"
            lines[i] = new + ("\n" if line.endswith("\n") else "")
        new_text = "".join(lines)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
            changed.append(path)
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="copy the pins to the followers")
    args = parser.parse_args()
    if args.write:
        for path in write():
            print(f"updated {path.relative_to(ROOT)}")
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
