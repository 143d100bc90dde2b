"""Readers find the environment variables a file mentions, one small module per language.

Each reader is a function ``read(text, path) -> Iterator[Use]``; the file's name picks
it (:func:`reader_for`) before the file is read, and each reader first tests for a cheap
marker (``os.Getenv``, ``ENV``, ``env`` ...) before lexing or parsing. They see names
written literally (``os.environ["X"]``, ``process.env.X``); a name computed at run time
(``os.environ[name]``, ``process.env[key]``) is invisible to them.

What a use means is its kind (:class:`~..model.UseKind`): code READs a variable, a
template lists it as an EXAMPLE, a deploy file PASSes it in from outside or gives it a
value (SET, LITERAL, CREDENTIAL), and a workflow refers to a stored secret or variable
(SECRET_REF, VAR_REF).

| files | module | how |
|---|---|---|
| ``*.py`` | :mod:`.python`, :mod:`.pydantic_settings` | ``ast`` |
| ``*.js *.jsx *.ts *.tsx *.mjs *.cjs *.mts *.cts`` | :mod:`.javascript` | lexer + regex |
| ``*.rb *.rake *.ru *.gemspec``, Gemfile, Rakefile, ``*.erb`` | :mod:`.ruby` | lexer + regex |
| ``*.go`` | :mod:`.golang` | lexer + regex |
| Dockerfile, ``*.Dockerfile``, ``Dockerfile.*`` | :mod:`.dockerfile` | instruction parser |
| ``compose*.yml``, ``docker-compose*.yml`` | :mod:`.compose` | YAML |
| ``.github/workflows/*.yml`` | :mod:`.workflows` | YAML |
| ``.env.example``, ``.env.sample``, ``.env.template`` | :mod:`.dotenv` | line parser |
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from launchready_ci.checks.env_inventory.model import Use
from launchready_ci.checks.env_inventory.readers import (
    compose,
    dockerfile,
    dotenv,
    golang,
    javascript,
    python,
    ruby,
    workflows,
)
from launchready_ci.checks.files import iter_files
from launchready_ci.fileio import read_limited

__all__ = ["Reader", "read_uses", "reader_for"]

Reader = Callable[[str, str], Iterator[Use]]

#: Larger files are generated or vendored; reading them costs time and finds noise.

_BY_SUFFIX: dict[str, Reader] = {
    ".py": python.read,
    ".go": golang.read,
    ".erb": ruby.read_erb,
    **{suffix: javascript.read for suffix in javascript.SUFFIXES},
    **{suffix: ruby.read for suffix in ruby.SUFFIXES},
}
_BY_NAME: dict[str, Reader] = {name: ruby.read for name in ruby.FILENAMES}


def reader_for(path: str) -> Reader | None:
    """The reader for a repository-relative path, or None when no reader applies."""
    folder, _, name = path.rpartition("/")
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    if suffix in (".yml", ".yaml"):
        return _yaml_reader(path, folder, name)
    if dotenv.is_template(name):
        return dotenv.read
    if ".min." in name:
        return None  # minified bundles: build output, full of other packages' reads
    found = _BY_SUFFIX.get(suffix) or _BY_NAME.get(name)
    if found is None and dockerfile.is_dockerfile(name):
        return dockerfile.read
    return found


def _yaml_reader(path: str, folder: str, name: str) -> Reader | None:
    if workflows.is_workflow(path):
        return workflows.read
    if compose.is_compose(name):
        return compose.read
    if "/config/" in f"/{folder}/":
        return ruby.read_erb  # Rails: config/database.yml with <%= ENV["X"] %>
    return None


#: Below this many files to parse, a process pool costs more than it saves.
PARALLEL_MIN_FILES = 400
_CHUNK = 64


def read_uses(root: Path, exclude: Iterable[str] = ()) -> Iterator[Use]:
    """Every use in the repository at ``root``, file by file in path order; then the
    keys of the env files that compose files load (``env_file:``), when those files are
    in the repository and not git-ignored (so a developer's ignored ``.env`` is never read).

    Files are parsed on every core when there are many of them; the order of the uses
    does not depend on that.
    """
    listed: set[str] = set()
    todo: list[str] = []
    for rel in iter_files(root, exclude):
        listed.add(rel)
        if reader_for(rel) is not None:
            todo.append(rel)
    env_files: dict[str, None] = {}
    for uses, files in _read_all(root, todo):
        env_files.update(dict.fromkeys(files))
        yield from uses
    for rel in env_files:
        if rel not in listed or dotenv.is_template(rel.rpartition("/")[2]):
            continue  # not in the repository, or already read as a template
        text = read_limited(root / rel).text
        if text is not None:
            yield from dotenv.read_env_file(text, rel)


def _read_all(root: Path, rels: list[str]) -> Iterator[tuple[list[Use], list[str]]]:
    workers = os.cpu_count() or 1
    if workers < 2 or len(rels) < PARALLEL_MIN_FILES:
        yield from _read_chunk(root, rels)
        return
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for results in pool.map(_read_chunk, [root] * len(chunks), chunks):
                yield from results
    except (OSError, BrokenProcessPool):  # no processes here (sandbox, limits): go on alone
        yield from _read_chunk(root, rels)


def _read_chunk(root: Path, rels: list[str]) -> list[tuple[list[Use], list[str]]]:
    """(uses, env files a compose file loads) for each path, in order."""
    out: list[tuple[list[Use], list[str]]] = []
    for rel in rels:
        reader = reader_for(rel)
        text = read_limited(root / rel).text if reader is not None else None
        if reader is None or text is None:
            continue
        if reader is compose.read:
            uses, files = compose.scan(text, rel)
            out.append((list(uses), list(files)))
        else:
            out.append((list(reader(text, rel)), []))
    return out
