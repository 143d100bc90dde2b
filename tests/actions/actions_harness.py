"""Run a composite action's steps the way the runner does, without the runner.

Each ``run:`` step runs as ``bash --noprofile --norc -eo pipefail`` (the runner's template
for ``shell: bash``) with fresh ``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH`` and
``GITHUB_STEP_SUMMARY`` files; ``${{ }}`` expressions in ``env:``, ``with:``, ``if:`` and
``outputs:`` are evaluated against ``inputs``, ``steps``, ``github``, ``runner``, ``env``
and ``vars``. ``uses:`` steps call a Python handler registered for the action (the ref is
ignored), so remote actions never run. Expressions in ``run:`` itself are refused: the
actions pass everything through ``env:``.

Only the expression language the actions here use is implemented; anything else raises
:class:`ExpressionError`, so a test fails loudly instead of guessing.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import parse_output_file

__all__ = [
    "EXAMPLE",
    "INSTALL",
    "ROOT",
    "ActionRun",
    "ExpressionError",
    "StepRun",
    "Uploads",
    "evaluate",
    "parse_output_file",
    "require_example",
    "run_action",
    "substitute",
]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/membership-app"
INSTALL = ROOT / "scripts" / "install-action.sh"

Handler = Callable[[dict[str, str], dict[str, str]], Mapping[str, str]]


class ExpressionError(ValueError):
    pass


# --- expressions -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[!<>().,\[\]])"
    r"|(?P<id>[A-Za-z_][A-Za-z0-9_-]*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot parse {text!r} at {pos}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "")


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return math.nan
    return math.nan


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if type(a) is type(b) and not isinstance(a, int | float):
        return bool(a == b)
    return _number(a) == _number(b)


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        raise ExpressionError("an object cannot be turned into a string")
    return str(value)


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], status: Mapping[str, bool]):
        self.tokens = _tokens(text)
        self.pos = 0
        self.context = context
        self.status = status

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        tok = self.tokens[self.pos]
        if expected is not None and tok[1] != expected:
            raise ExpressionError(f"expected {expected!r}, got {tok[1]!r}")
        self.pos += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if _truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.eq()
        while self.peek() == "&&":
            self.take()
            right = self.eq()
            value = right if _truthy(value) else value
        return value

    def eq(self) -> Any:
        value = self.cmp()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.cmp()
            value = _equal(value, right) if op == "==" else not _equal(value, right)
        return value

    def cmp(self) -> Any:
        value = self.unary()
        while self.peek() in ("<", ">", "<=", ">="):
            op = self.take()[1]
            a, b = _number(value), _number(self.unary())
            value = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind != "id":
            raise ExpressionError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            self.take("(")
            self.take(")")
            if text not in self.status:
                raise ExpressionError(f"function {text}() is not supported by the harness")
            return self.status[text]
        if text not in self.context:
            raise ExpressionError(f"unknown context {text!r}")
        value: Any = self.context[text]
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = to_string(self.or_())
                self.take("]")
            value = value.get(key) if isinstance(value, Mapping) else None
        return value


def evaluate(expression: str, context: Mapping[str, Any], failed: bool = False) -> Any:
    """Evaluate one expression (without ``${{ }}``)."""
    status = {"always": True, "success": not failed, "failure": failed, "cancelled": False}
    return _Parser(expression, context, status).parse()


_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def substitute(text: Any, context: Mapping[str, Any]) -> str:
    """Expand every ``${{ expr }}`` in a YAML value, as the runner does for env and with."""
    if not isinstance(text, str):
        return to_string(text)
    return _TEMPLATE.sub(lambda m: to_string(evaluate(m.group(1), context)), text)


def condition(text: Any, context: Mapping[str, Any], failed: bool) -> bool:
    if text is None:
        return not failed
    expr = str(text).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", expr, re.DOTALL)
    if m:
        expr = m.group(1)
    if not re.search(r"\b(always|success|failure|cancelled)\s*\(", expr):
        expr = f"success() && ({expr})"
    return _truthy(evaluate(expr, context, failed))


# --- file commands -----------------------------------------------------------------------


# --- running -----------------------------------------------------------------------------


@dataclass
class StepRun:
    index: int
    name: str
    id: str | None
    kind: str  # "run" or the `uses:` value
    ran: bool
    outcome: str  # success, failure or skipped
    outputs: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    failed: bool
    summary: str
    path: list[str]
    env: dict[str, str]

    @property
    def stdout(self) -> str:
        return "".join(s.stdout for s in self.steps)

    def step(self, key: str) -> StepRun:
        for s in self.steps:
            if key in (s.id, s.name):
                return s
        raise KeyError(key)


_CLEAN_ENV = re.compile(r"^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|STATE_)")


def run_action(
    action_dir: Path,
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    handlers: Mapping[str, Handler] | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> ActionRun:
    """Run the composite action in ``action_dir`` with ``inputs``; never raises on failure."""
    meta = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    if meta.get("runs", {}).get("using") != "composite":
        raise ValueError(f"{action_dir} is not a composite action")
    declared = meta.get("inputs") or {}
    unknown = set(inputs) - set(declared)
    if unknown:
        raise ValueError(f"inputs not declared by {action_dir}: {sorted(unknown)}")
    resolved_inputs = {
        name: str(inputs.get(name, to_string(spec.get("default", ""))))
        for name, spec in declared.items()
    }
    handlers = handlers or {}
    runner_temp.mkdir(parents=True, exist_ok=True)
    files_dir = runner_temp / "_runner_file_commands"
    files_dir.mkdir(exist_ok=True)

    base_env = {k: v for k, v in os.environ.items() if not _CLEAN_ENV.match(k)}
    base_env.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(action_dir),
            "GITHUB_EVENT_NAME": "push",
            "GITHUB_REPOSITORY": "example/membership-app",
            "GITHUB_RUN_ID": "1",
            "GITHUB_SHA": "0" * 40,
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SERVER_URL": "https://github.com",
            "RUNNER_TEMP": str(runner_temp),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
        }
    )
    base_env.update(extra_env or {})
    exported: dict[str, str] = {}
    added_path: list[str] = []
    steps_ctx: dict[str, dict[str, Any]] = {}
    summary: list[str] = []
    results: list[StepRun] = []
    failed = False

    for index, step in enumerate(meta["runs"]["steps"], 1):
        context = {
            "inputs": resolved_inputs,
            "steps": steps_ctx,
            "github": {
                "action_path": str(action_dir),
                "workspace": str(workspace),
                "event_name": "push",
            },
            "runner": {"temp": str(runner_temp), "os": "Linux", "arch": "X64"},
            "env": {**exported},
            "vars": {},
        }
        name = step.get("name") or step.get("run") or step.get("uses") or f"step {index}"
        kind = "run" if "run" in step else str(step.get("uses"))
        record = StepRun(index, name, step.get("id"), kind, ran=False, outcome="skipped")
        results.append(record)
        if not condition(step.get("if"), context, failed):
            if record.id:
                steps_ctx[record.id] = {
                    "outputs": {},
                    "outcome": "skipped",
                    "conclusion": "skipped",
                }
            continue
        record.ran = True
        step_env = {k: substitute(v, context) for k, v in (step.get("env") or {}).items()}
        if "run" in step:
            script = step["run"]
            if "${{" in script:
                raise ExpressionError(f"step {name!r}: expression inside run:, use env:")
            if step.get("shell") != "bash":
                raise ValueError(f"step {name!r}: the harness runs shell: bash only")
            files = {
                var: files_dir / f"{index}-{var.lower()}"
                for var in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
            }
            for f in files.values():
                f.write_text("", encoding="utf-8")
            env = {**base_env, **exported, **step_env, **{k: str(v) for k, v in files.items()}}
            env["PATH"] = os.pathsep.join([*reversed(added_path), env.get("PATH", "")])
            script_file = files_dir / f"{index}-script.sh"
            script_file.write_text(script, encoding="utf-8")
            cwd = workspace / substitute(step.get("working-directory", "."), context)
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            record.stdout, record.stderr, record.returncode = (
                proc.stdout,
                proc.stderr,
                proc.returncode,
            )
            record.outputs = parse_output_file(files["GITHUB_OUTPUT"])
            exported.update(parse_output_file(files["GITHUB_ENV"]))
            added_path += [p for p in files["GITHUB_PATH"].read_text().splitlines() if p]
            summary.append(files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"))
            ok = proc.returncode == 0
        else:
            uses = str(step["uses"]).split("@", 1)[0]
            if uses not in handlers:
                raise KeyError(f"no handler for uses: {step['uses']}")
            record.with_ = {k: substitute(v, context) for k, v in (step.get("with") or {}).items()}
            try:
                record.outputs = dict(handlers[uses](record.with_, {**base_env, **exported}))
                # A handler adds to PATH as an action does, by what it "appends" to GITHUB_PATH.
                added_path += [p for p in record.outputs.pop("GITHUB_PATH", "").split("\n") if p]
                ok = True
            except Exception as exc:  # a handler's failure is the step's failure
                record.stderr = f"{type(exc).__name__}: {exc}"
                ok = False
        if not ok and step.get("continue-on-error") is not True:
            failed = True
        record.outcome = "success" if ok else "failure"
        if record.id:
            steps_ctx[record.id] = {
                "outputs": record.outputs,
                "outcome": record.outcome,
                "conclusion": "success" if ok or step.get("continue-on-error") else "failure",
            }

    final_context = {"inputs": resolved_inputs, "steps": steps_ctx, "env": exported, "vars": {}}
    outputs = {
        name: substitute(spec.get("value", ""), final_context)
        for name, spec in (meta.get("outputs") or {}).items()
    }
    return ActionRun(
        steps=results,
        outputs=outputs,
        failed=failed,
        summary="".join(summary),
        path=added_path,
        env=exported,
    )


# --- shared by the tests ---------------------------------------------------------------


def require_example() -> Path:
    example = ROOT / EXAMPLE
    if not (example / "launchready.yml").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{EXAMPLE} with a launchready.yml is missing")
        pytest.skip(f"{EXAMPLE} is not there yet")
    return example


class Uploads:
    """Handlers that stand in for the remote actions the composite actions use."""

    def __init__(self) -> None:
        self.sarif: list[dict[str, str]] = []
        self.cache: list[dict[str, str]] = []
        self.saved: list[dict[str, str]] = []
        self.uv: list[dict[str, str]] = []

    def upload_sarif(self, with_: dict[str, str], env: Mapping[str, str]) -> dict[str, str]:
        sarif = Path(with_["sarif_file"])
        assert sarif.is_absolute(), sarif
        assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
        self.sarif.append(with_)
        return {}

    def restore_cache(self, with_: dict[str, str], env: Mapping[str, str]) -> dict[str, str]:
        assert with_["path"] and with_["key"], with_
        self.cache.append(with_)
        return {"cache-hit": "false"}

    def save_cache(self, with_: dict[str, str], env: Mapping[str, str]) -> dict[str, str]:
        assert with_["key"], with_
        assert all(Path(p).exists() for p in with_["path"].splitlines()), with_
        self.saved.append(with_)
        return {}

    def setup_uv(self, with_: dict[str, str], env: Mapping[str, str]) -> dict[str, str]:
        """The uv next to this Python stands in for the one setup-uv would download."""
        assert with_["enable-cache"] == "false", with_
        uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
        assert uv, "uv is not installed next to the test interpreter"
        self.uv.append(with_)
        return {"uv-path": uv, "GITHUB_PATH": str(Path(uv).parent)}

    @property
    def handlers(self) -> dict[str, Any]:
        return {
            "github/codeql-action/upload-sarif": self.upload_sarif,
            "actions/cache/restore": self.restore_cache,
            "actions/cache/save": self.save_cache,
            "astral-sh/setup-uv": self.setup_uv,
        }
