"""Reporters: one output format per module, each a pure ``render(report, ...) -> str``.

They never do IO and never read the environment: the CLI (``cli._common``) decides what
to render, scrubs it and writes it. :data:`FORMATS` is the complete list; a test checks
that every entry imports and has a callable ``render``.
"""

# No ``from __future__ import annotations`` in this file, on purpose: it would bind the
# name ``annotations`` in this package, and ``from launchready_ci.reporters import
# annotations`` would then return the __future__ feature instead of the reporter module
# (at runtime and for mypy). Nothing here needs postponed annotations.

__all__ = ["FORMATS"]

#: Format name -> module holding its ``render`` function.
FORMATS: dict[str, str] = {
    "text": "launchready_ci.reporters.text",
    "annotations": "launchready_ci.reporters.annotations",
    "summary": "launchready_ci.reporters.summary",
    "sarif": "launchready_ci.reporters.sarif",
    "json": "launchready_ci.reporters.json",
    "outputs": "launchready_ci.reporters.outputs",
}
