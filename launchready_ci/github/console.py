"""The one path from launchready to stdout and stderr.

Under GitHub Actions the job log is also a command channel: the runner reads every line
of both streams, and a line that starts with ``::`` (after white space) or holds ``##[``
is a workflow command (``::add-mask::``, ``::stop-commands::``, ``::error::``...). A file
name, a SQL identifier or a server's answer printed as it is could forge one. So every
byte goes through :func:`~launchready_ci.github.commands.neutralise`:

- the CLI prints with :func:`echo` (and names the commands it means to write, such as
  the annotations or ``::add-mask::``);
- :func:`guarded` puts a :class:`GuardedStream` on ``sys.stdout`` and ``sys.stderr`` for
  the whole command, so what click prints itself (usage errors quote the command line),
  Python's warnings and a traceback under ``--debug`` pass the same function.

Lines are neutralised whole: a stream holds a partial line until its end arrives (or the
command ends), so a command cannot be assembled from two writes.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from launchready_ci.github.commands import neutralise

__all__ = ["GuardedStream", "echo", "guarded", "under_actions"]

# A line ends at \n or at a lone \r (the runner splits on both); a trailing \r waits for
# the next write, which may bring its \n.
_COMPLETE = re.compile(r"^.*(?:\r\n|\n|\r(?!$))", re.DOTALL)


def under_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


class GuardedStream(io.TextIOBase):
    """A text stream that writes to ``raw`` only what :func:`neutralise` made of it."""

    def __init__(self, raw: TextIO, *, actions: bool) -> None:
        super().__init__()
        self.raw = raw
        self.actions = actions
        self._pending = ""

    # What click asks of a stream before it writes to it.
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.raw, "errors", None)

    @property
    def name(self) -> str:
        return str(getattr(self.raw, "name", "<guarded>"))

    def isatty(self) -> bool:
        return self.raw.isatty()

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if not isinstance(s, str):  # click probes with b"" to tell binary streams apart
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.emit(s)
        return len(s)

    def emit(self, text: str, *, commands: Collection[str] = (), color: bool = False) -> None:
        """Write ``text``; its complete lines now, a partial last line when it is done."""
        if not self.actions:  # a terminal: no line can be a command, nothing to hold
            self._out(neutralise(text, actions=False, color=color))
            return
        text = self._pending + text
        match = _COMPLETE.match(text)
        if match is None:
            self._pending = text
            return
        self._pending = text[match.end() :]
        self._out(neutralise(match.group(), actions=True, commands=commands, color=color))

    def flush(self) -> None:
        self.raw.flush()

    def finish(self) -> None:
        """Write the partial line still held (the command is ending), then flush."""
        if self._pending:
            pending, self._pending = self._pending, ""
            self._out(neutralise(pending, actions=self.actions))
        self.flush()

    def _out(self, text: str) -> None:
        if not text:
            return
        try:
            self.raw.write(text)
        except UnicodeEncodeError:  # a stream that cannot say it: escapes, not a crash
            encoding = self.encoding
            self.raw.write(text.encode(encoding, "backslashreplace").decode(encoding))


@contextmanager
def guarded(environ: Mapping[str, str] | None = None) -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` guarded for the duration (restored after)."""
    actions = under_actions(environ)
    saved = sys.stdout, sys.stderr
    streams = []
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if current is not None and not isinstance(current, GuardedStream):
            stream = GuardedStream(current, actions=actions)
            streams.append(stream)
            setattr(sys, name, stream)
    try:
        yield
    finally:
        for stream in streams:
            try:
                stream.finish()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said
                pass
        sys.stdout, sys.stderr = saved


def echo(
    message: str = "",
    *,
    err: bool = False,
    nl: bool = True,
    commands: Collection[str] = (),
    color: bool = False,
) -> None:
    """Print ``message`` (and a newline) to stdout, or stderr with ``err``.

    ``commands`` names the workflow commands ``message`` holds on purpose (built by
    :mod:`launchready_ci.github.commands`); any other line that could be read as one is
    neutralised. ``color`` keeps the terminal report's colour sequences.
    """
    stream = sys.stderr if err else sys.stdout
    text = message + ("\n" if nl else "")
    if isinstance(stream, GuardedStream):
        stream.emit(text, commands=commands, color=color)
        stream.flush()
        return
    guard = GuardedStream(stream, actions=under_actions())
    guard.emit(text, commands=commands, color=color)
    guard.finish()
