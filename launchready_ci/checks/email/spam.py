"""The spam score of a message from SpamAssassin run locally on it, against a threshold,
with the rules that scored: through a ``spamd`` the check starts for the run (its rules
loaded once) and ``spamc`` per message, or ``spamassassin -t -L`` per message where spamd
is not installed. Both run the local tests only (``-L``: the rules that read the message
itself, no network lookups). Its rule, and the detection behind it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

from launchready_ci.checks.email.message import Message
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = ["RULES", "Score", "SpamScore", "Spamd", "score"]

#: SpamAssassin loads its rules on every run: a few seconds on a loaded runner.
TIMEOUT = 120.0


@register
class SpamScore(Rule):
    """An email scores as spam (SpamAssassin) at or above the threshold.

    Why
    ---
    Receivers run the same kinds of content rules: a reset mail that scores 6 goes to
    the spam folder at many providers, and members never see it. The rules that scored
    say what to fix: an HTML-only body, an image with no words, a missing Date or
    Message-ID, shouting in the subject, a link text that shows another URL than it
    opens.

    Remediation
    -----------
    Fix what the listed rules name, starting with the highest scores; each rule's
    description is in the message. Set `smoke.email.spam.threshold` only to match the
    receivers your members use.

    References
    ----------
    - https://spamassassin.apache.org/old/tests_3_3_x.html
    - https://cwiki.apache.org/confluence/display/SPAMASSASSIN/HowScoresAreAssigned
    """

    id = "email/spam-score"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("SpamAssassin 6.1 (threshold 5): HTML_IMAGE_ONLY_04 1.7, EMPTY_MESSAGE 2.2",),
        "good": ("SpamAssassin 0.1 (threshold 5)",),
    }


#: This area's rules.
RULES: tuple[type[Rule], ...] = (SpamScore,)

_ROW = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


@dataclass(frozen=True)
class Score:
    score: float | None  # None: SpamAssassin did not run (see error)
    required: float = 5.0  # SpamAssassin's own required_score
    spam: bool = False  # SpamAssassin's own verdict (X-Spam-Flag)
    rules: tuple[tuple[str, float, str], ...] = ()  # (name, points, description)
    error: str = ""

    def scored(self, least: float = 0.05) -> list[tuple[str, float, str]]:
        """The rules that moved the score, highest first."""
        return sorted((r for r in self.rules if abs(r[1]) >= least), key=lambda r: -r[1])


def score(message: Message, command: tuple[str, ...]) -> Score:
    """Run ``command`` (spamassassin -t -L) on the message and read its verdict."""
    if shutil.which(command[0]) is None:
        return Score(None, error=f"{command[0]} is not installed (apt-get install spamassassin)")
    try:
        done = subprocess.run(
            list(command), input=message.raw, capture_output=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return Score(None, error=f"{command[0]} did not finish in {TIMEOUT:g} s")
    except OSError as exc:
        return Score(None, error=f"{command[0]}: {exc.strerror or exc}")
    return parse(done.stdout) if done.stdout else Score(None, error=_first(done.stderr))


def parse(output: bytes) -> Score:
    """SpamAssassin's test-mode output: X-Spam-Status and the report's score table."""
    import email
    import email.policy

    head = output.split(b"\n\n", 1)[0].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    parsed = email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)
    status = " ".join(str(parsed.get("X-Spam-Status", "")).split())
    found = re.search(r"score=(-?\d+(?:\.\d+)?)\s+required=(-?\d+(?:\.\d+)?)", status)
    if not found:
        return Score(None, error="no X-Spam-Status in SpamAssassin's output")
    return Score(
        float(found.group(1)),
        float(found.group(2)),
        status.lower().startswith("yes"),
        _table(output.decode("utf-8", "replace")),
    )


class Spamd:
    """One ``spamd`` on a free loopback port for the length of a run; ``spamc`` asks it."""

    def __init__(self) -> None:
        self.port = 0
        self.error = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("spamd") or os.path.exists("/usr/sbin/spamd")) and bool(
            shutil.which("spamc")
        )

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        program = shutil.which("spamd") or "/usr/sbin/spamd"
        self._log = tempfile.NamedTemporaryFile(prefix="launchready-spamd-", suffix=".log")  # noqa: SIM115  (open for the run)
        self._proc = subprocess.Popen(
            [program, "--listen", "127.0.0.1", "--port", str(self.port), "-L", "-x",
             "--min-children", "1", "--max-children", "4", "--syslog", "stderr"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,  # its children are stopped with it
        )  # fmt: skip

    def _ready(self) -> bool:
        deadline = time.monotonic() + TIMEOUT
        while self._proc is not None and time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self.error = "spamd stopped on start: " + self._tail()
                return False
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            time.sleep(0.1)
        self.error = self.error or f"spamd did not listen within {TIMEOUT:g} s"
        return False

    def score(self, message: Message) -> Score:
        if self.error or not self._ready():
            return Score(None, error=self.error)
        try:
            done = subprocess.run(
                ["spamc", "-d", "127.0.0.1", "-p", str(self.port), "-R", "-x"],
                input=message.raw,
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Score(None, error=f"spamc did not finish in {TIMEOUT:g} s")
        return parse_report(done.stdout) if done.stdout else Score(None, error=_first(done.stderr))

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=15)
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _tail(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        with open(self._log.name, "rb") as log:
            text = log.read()[-400:].decode("utf-8", "replace")
        return " ".join(text.split())[-200:]


def parse_report(output: bytes) -> Score:
    """``spamc -R``: ``score/required`` on the first line, then SpamAssassin's report."""
    first, _, rest = output.partition(b"\n")
    found = re.match(rb"\s*(-?\d+(?:\.\d+)?)/(-?\d+(?:\.\d+)?)\s*$", first)
    if not found:
        return Score(None, error="spamc printed no score")
    value, required = float(found.group(1)), float(found.group(2))
    return Score(value, required, value >= required, _table(rest.decode("utf-8", "replace")))


def _table(text: str) -> tuple[tuple[str, float, str], ...]:
    rules: list[tuple[str, float, str]] = []
    table = text.split("---- ---------------------- ", 1)
    if len(table) == 2:
        for line in table[1].splitlines()[1:]:
            row = _ROW.match(line)
            if row:
                rules.append((row.group(2), float(row.group(1)), row.group(3).strip()))
            elif line.strip() and rules and line.startswith(" " * 20):
                name, points, description = rules[-1]
                rules[-1] = (name, points, f"{description} {line.strip()}")
            elif not line.strip():
                break
    return tuple(rules)


def _first(stderr: bytes) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "SpamAssassin printed nothing"
