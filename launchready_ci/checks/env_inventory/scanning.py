"""The git commands a scan of the code waits for, started before anything else loads.

``launchready env init`` is measured against ``git grep`` for the same names, and most
of its work is Python's: the interpreter, the imports, the config, then parsing. So the
``git grep -l -F`` for the readers' markers and the ``git ls-files`` start first, from
this module, which needs no reader: git lists and searches while Python imports.
:func:`.readers.read_uses` takes what :func:`start` began.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launchready_ci import git

__all__ = ["MARKERS", "Started", "start"]

#: Text one of which a file must contain for a reader that needs a marker to find
#: anything: the union of the readers' own (``python.MARKERS``, ``javascript.MARKERS``
#: ...; a test keeps them equal).
MARKERS = (
    "BaseSettings",
    "Bun.env",
    "Deno.env",
    "ENV",
    "createEnv",
    "decouple",
    "dj_database_url",
    "dj_email_url",
    "django_cache_url",
    'env:"',
    "environ",
    "getenv",
    "kelseyhightower/envconfig",
    "loadEnv",
    "meta.env",
    "os.Getenv",
    "os.LookupEnv",
    "parse(import.meta.env",
    "parse(process.env",
    "process.env",
    "process?.env",
    "viper",
)


@dataclass(frozen=True)
class Started:
    """The marker grep and the file listing of one root, running."""

    root: Path
    grep: git.FileGrep
    listing: git.FileList


def start(root: Path) -> Started:
    """Start the ``git grep -l -F`` for :data:`MARKERS` and the ``git ls-files`` that
    :func:`.readers.read_uses` of ``root`` waits for."""
    return Started(root, git.grep_files(root, MARKERS), git.start_ls_files(root))
