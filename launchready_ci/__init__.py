"""launchready-ci: launch-readiness checks for GitHub Actions.

The public API is small on purpose: run checks programmatically with :func:`run` on a
:class:`RunContext`, and read the :class:`Report`.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
