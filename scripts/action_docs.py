"""The README of each action, written from its action.yml (scripts/gen_docs.py calls it).

actions/<name>/README.md: what the action does (its description), a workflow that uses
it, the permissions its job needs, every input (default, meaning; the former names
marked deprecated) and every output. README.md gets the root action's inputs and outputs
between ``<!-- action.yml inputs -->`` and ``<!-- end action.yml inputs -->``. The
permissions and the example come from :data:`ACTIONS` below: action.yml has no place
for them. The checkout pin is the one scripts/pins.py keeps everywhere.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import pins  # noqa: E402

OWN = "launchready/launchready-ci"
BEGIN, END = "<!-- action.yml inputs -->", "<!-- end action.yml inputs -->"
SARIF = "security-events: write # only with upload-sarif: 'true'"

#: name -> permissions of the job (comments after #), checkout's with:, the example's with:
ACTIONS: dict[str, dict[str, Any]] = {
    "secret-scan": {
        "permissions": ["contents: read", SARIF],
        "checkout": {"fetch-depth": 0},
        "with": {"scan": "auto", "upload-sarif": "true"},
        "on": "pull_request",
    },
    "env-inventory": {
        "permissions": ["contents: read", SARIF],
        "with": {"mode": "check", "upload-sarif": "true"},
        "on": "pull_request",
    },
    "migration-safety": {
        "permissions": ["contents: read", SARIF],
        "checkout": {"fetch-depth": 0},
        "with": {"only-changed": "true", "upload-sarif": "true"},
        "on": "pull_request",
        "note": "For the dry run, add a PostgreSQL service and database-url: see "
        "[launchready-pr.yml](../../workflow-templates/launchready-pr.yml).",
    },
    "domain-check": {
        "permissions": ["contents: read", SARIF],
        "with": {"upload-sarif": "true"},
        "on": "schedule",
    },
    "smoke-test": {
        "permissions": ["contents: read"],
        "with": {"expect-version": "${{ github.sha }}"},
        "on": "a deploy job",
        "note": "Secrets the journeys use (`{{ env.NAME }}`) go on the step's `env:`.",
    },
    "rollback": {
        "permissions": [
            "contents: read",
            "actions: write # the workflow strategy: dispatch the deploy workflow",
            "deployments: write # the deployment strategy, and finding the last good one",
        ],
        "with": {
            "smoke-results": "${{ steps.smoke.outputs.results-file }}",
            "deployed": "${{ github.sha }}",
        },
        "if": "${{ !cancelled() && steps.smoke.outputs.passed == 'false' }}",
        "on": "a deploy job, after smoke-test",
        "note": "The whole deploy job: "
        "[launchready-deploy.yml](../../workflow-templates/launchready-deploy.yml).",
    },
    "uptime": {
        "permissions": [
            "contents: write # the history and the status page on their branch",
            "issues: write # incidents",
        ],
        "with": {},
        "on": "schedule",
        "note": "Every 5 minutes: "
        "[launchready-uptime.yml](../../workflow-templates/launchready-uptime.yml).",
    },
}


def _major() -> str:
    return pins.major_tag(ROOT)


def _cell(text: Any) -> str:
    value = " ".join(str(text).split())
    return value.replace("|", "\\|")


def tables(meta: dict[str, Any]) -> str:
    """The inputs and outputs tables of one action.yml."""
    out = ["| Input | Default | Description |", "|---|---|---|"]
    inputs = meta.get("inputs") or {}
    for name, spec in inputs.items():
        default = spec.get("default", "")
        shown = f"`{_cell(default)}`" if str(default) != "" else ""
        description = _cell(spec.get("description", ""))
        if spec.get("deprecationMessage"):
            successor = re.search(r"is now ([\w-]+)", spec["deprecationMessage"])
            use = f": use `{successor.group(1)}`" if successor else ""
            description = f"**Deprecated**{use}. {description}"
        if spec.get("required"):
            description += " **Required.**"
        out.append(f"| `{name}` | {shown} | {description} |")
    out += ["", "| Output | Description |", "|---|---|"]
    for name, spec in (meta.get("outputs") or {}).items():
        out.append(f"| `{name}` | {_cell(spec.get('description', ''))} |")
    return "\n".join(out) + "\n"


def _example(name: str, info: dict[str, Any]) -> str:
    checkout_sha, checkout_version = pins.canonical(ROOT)["actions/checkout"]
    lines = ["permissions:"]
    lines += [f"  {p}" for p in info["permissions"]]
    lines += ["steps:", f"  - uses: actions/checkout@{checkout_sha} # {checkout_version}"]
    lines += ["    with:"]
    lines += [f"      {k}: {v}" for k, v in (info.get("checkout") or {}).items()]
    lines += ["      persist-credentials: false"]
    if name == "rollback":
        lines += [
            f"  - uses: {OWN}/actions/smoke-test@{_major()}",
            "    id: smoke",
        ]
    lines.append(f"  - uses: {OWN}/actions/{name}@{_major()}")
    if info.get("if"):
        lines.append(f"    if: {info['if']}")
    if info["with"]:
        lines.append("    with:")
        lines += [f'      {k}: "{v}"' if not v.startswith("$") else f"      {k}: {v}"
                  for k, v in info["with"].items()]  # fmt: skip
    return "\n".join(lines) + "\n"


def readme(name: str) -> str:
    meta = yaml.safe_load((ROOT / "actions" / name / "action.yml").read_text(encoding="utf-8"))
    info = ACTIONS[name]
    description = " ".join(str(meta.get("description", "")).split())
    out = [
        f"# `{OWN}/actions/{name}`",
        "",
        "<!-- Written by scripts/gen_docs.py from action.yml: change that and run `make docs`. -->",
        "",
        description,
        "",
        f"## Usage ({info['on']})",
        "",
        "```yaml",
        _example(name, info).rstrip(),
        "```",
        "",
    ]
    if info.get("note"):
        out += [info["note"], ""]
    out += [
        "## Permissions",
        "",
        "The job needs:",
        "",
        *[f"- `{p.split(' #')[0]}`" + (f": {p.split('# ', 1)[1]}" if "#" in p else "")
          for p in info["permissions"]],
        "",
        "## Inputs and outputs",
        "",
        "Every input reaches the action's scripts through `env:`, never inside a `run:` "
        "script; an input that holds one value refuses a line break.",
        "",
        tables(meta).rstrip(),
        "",
        f"Pin a release for supply-chain safety: `@<40-hex sha> # v{_version()}` instead of "
        f"`@{_major()}`. The [README](../../README.md#actions) says how the actions install "
        "and cache launchready.",
        "",
    ]  # fmt: skip
    return "\n".join(out)


def _version() -> str:
    text = (ROOT / "launchready_ci" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'__version__ = "([^"]+)"', text)
    return found.group(1) if found else "X.Y.Z"


def expected() -> dict[Path, str]:
    files = {ROOT / "actions" / name / "README.md": readme(name) for name in ACTIONS}
    names = {p.parent.name for p in (ROOT / "actions").glob("*/action.yml")}
    if names != set(ACTIONS):
        raise SystemExit(f"scripts/action_docs.py ACTIONS does not match actions/: {names}")
    root_meta = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    readme_md = (ROOT / "README.md").read_text(encoding="utf-8")
    if BEGIN in readme_md and END in readme_md:
        head, rest = readme_md.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        files[ROOT / "README.md"] = f"{head}{BEGIN}\n{tables(root_meta)}{END}{tail}"
    return files
