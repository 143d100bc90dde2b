"""Our detect-secrets-compatible plugins, for the providers of a membership app.

Each is a :class:`~detect_secrets.plugins.base.RegexBasedDetector` (usable by
detect-secrets itself) with three additions used by the engine: ``provider``,
``keywords`` (literal substrings for the combined prefilter) and :meth:`judge`, which
decides severity, confidence and the reason from the value and its line.
"""

from __future__ import annotations

from launchready_ci.checks.secrets.plugins.catalog import PLUGINS, Judgement, OurDetector

__all__ = ["PLUGINS", "Judgement", "OurDetector"]
