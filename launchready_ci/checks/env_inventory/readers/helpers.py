"""Helper wrappers: a function whose parameter reaches an environment read, and the calls
that give it a literal name (``get_bool_from_env("DEBUG", True)``, ``env("SMTP_HOST")``,
``requireEnv("X")``, ``getenvDefault("X", "...")``).

Each language reader finds the helpers a file defines (``helpers(text, path, known)``:
a parameter passed to an environment read, or to a helper already known) and the uses
its calls make (``calls(text, path, helpers)``). :func:`..read_uses` runs them over the
repository: definitions first (until no new helper appears), then every file that
mentions a helper's name.

A call counts only where the name is bound to the helper: in the file that defines it,
or where it is imported from a module whose last path part is the defining file's name
(``from ..settings import get_bool_from_env``, ``import { env } from
'@acme/lib/utils/env'``; an ``index``/``__init__`` file goes by its folder's name), or
in a Go file of the same package (``pkg.Helper(...)`` from another one). Methods are
not helpers: a call ``obj.get("X")`` cannot be told from any other ``get``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

__all__ = ["Helper", "module_name"]


@dataclass(frozen=True)
class Helper:
    """A function that reads the variable named by one of its arguments."""

    name: str
    index: int  # the positional argument that names the variable
    keyword: str | None  # that parameter's name, for calls by keyword
    path: str  # the file that defines it
    language: str  # "python", "javascript", "go"

    @property
    def module(self) -> str:
        return module_name(self.path)


def module_name(path: str) -> str:
    """What an import calls the module at ``path``: its file name without the extension,
    or its folder's name for ``index.ts`` and ``__init__.py``."""
    folder, _, name = path.rpartition("/")
    stem = name.split(".", 1)[0]
    if stem in ("index", "__init__", "mod"):
        return posixpath.basename(folder) or stem
    return stem
