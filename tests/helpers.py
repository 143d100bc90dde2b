"""Helpers shared by the tests: real git repositories and the real CLI in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "membership-app"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def make_repo(root: Path, files: Mapping[str, str], *, commit: bool = True) -> Path:
    """A real git repository holding ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def run_cli(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `launchready` entry point in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "launchready_ci", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


#: Runs argv[2:] and writes its peak RSS (KiB, from ``wait4``) to the file argv[1]. The
#: measured process must be spawned by a small process: Linux carries the RSS a process
#: had before ``exec`` into its ``ru_maxrss``, so a child forked straight from a pytest
#: worker that has grown to 300 MiB would report the worker's size, not its own.
_PEAK_LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def run_cli_peak(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """:func:`run_cli`, and the peak memory of that process in MiB: its own rusage (with
    the children it waited for, such as git), read with ``wait4`` by a small launcher."""
    import signal
    import tempfile

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full_env.update(env or {})
    argv = [sys.executable, "-m", "launchready_ci", *args]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "peak"
        launcher = [sys.executable, "-I", "-c", _PEAK_LAUNCHER, str(report), *argv]
        proc = subprocess.Popen(
            launcher, cwd=cwd, env=full_env, text=True, errors="replace",
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            out, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        peak_kib = int(report.read_text() or 0) if report.exists() else 0
    return subprocess.CompletedProcess(argv, proc.returncode, out, err), peak_kib / 1024


def parse_output_file(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT / GITHUB_ENV file: ``name=value`` and ``name<<EOF`` blocks."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError(f"{path}: no closing {delimiter!r} for {name!r}")
            i += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise ValueError(f"{path}: malformed line {line!r}")
    return values


# --- the job log as the Actions runner reads it -------------------------------------------

#: The commands the runner knows (its command extensions, plus stop-commands).
RUNNER_COMMANDS = frozenset(
    [
        "set-env",
        "set-output",
        "save-state",
        "add-mask",
        "add-path",
        "add-matcher",
        "remove-matcher",
        "debug",
        "warning",
        "error",
        "notice",
        "group",
        "endgroup",
        "echo",
        "stop-commands",
    ]
)
_LOG_LINES = re.compile(r"\r\n|\n|\r")
_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


@dataclass(frozen=True)
class LogCommand:
    """One workflow command the runner would act on, as it parses it."""

    line: str
    name: str
    properties: dict[str, str]
    data: str


def _unescape(text: str, mappings: tuple[tuple[str, str], ...]) -> str:
    for escaped, raw in mappings:
        text = text.replace(escaped, raw)
    return text


def log_commands(output: str) -> list[LogCommand]:
    """Every line of ``output`` that the runner would run as a command: split on ``\\r``
    and ``\\n`` (its line reader does), then ``::name props::data`` after leading white
    space (``TryParseV2``), else ``##[name props]data`` anywhere in the line (``TryParse``)."""
    found = []
    for line in _LOG_LINES.split(output):
        trimmed = line.lstrip()
        if trimmed.startswith("::") and "::" in trimmed[2:]:
            end = trimmed.index("::", 2)
            info, data = trimmed[2:end], trimmed[end + 2 :]
            name, _, props_text = info.partition(" ")
            if name in RUNNER_COMMANDS:
                props = {}
                for pair in props_text.strip().split(","):
                    key, _, value = pair.partition("=")
                    if key and value:
                        props[key] = _unescape(value, _PROPERTY)
                found.append(LogCommand(line, name, props, _unescape(data, _DATA)))
                continue
        start = line.find("##[")
        end = line.find("]", start)
        if start >= 0 and end >= 0:
            name, _, props_text = line[start + 3 : end].partition(" ")
            if name in RUNNER_COMMANDS:
                found.append(LogCommand(line, name, {}, line[end + 1 :]))
    return found
