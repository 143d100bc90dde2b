"""GitHub Actions plumbing: workflow commands with the toolkit's escaping, and
``$GITHUB_OUTPUT`` lines. Pure string functions; the CLI does the writing."""

from __future__ import annotations

from launchready_ci.github.commands import (
    add_mask,
    annotation,
    command,
    escape_data,
    escape_property,
)
from launchready_ci.github.outputs import format_output

__all__ = ["add_mask", "annotation", "command", "escape_data", "escape_property", "format_output"]
