"""Readers find the environment variables a file mentions, one small module per language.

Each reader is a function ``read(text, path) -> Iterator[Use]``; the file's name picks
it (:func:`reader_for`) before the file is read, and each reader first tests for a cheap
marker (``os.Getenv``, ``ENV``, ``env`` ...) before lexing or parsing. They see names
written literally (``os.environ["X"]``, ``process.env.X``), the libraries that read for
the application (pydantic-settings, dj-database-url, django-environ, python-decouple,
t3-env, zod schemas parsed from ``process.env``, Vite's ``loadEnv``, viper,
kelseyhightower/envconfig over struct fields, turbo.json's ``env`` lists), and the
application's own helper functions (:mod:`.helpers`). A name built at run time with a
literal part is a DYNAMIC use; a name that is only a variable is invisible.

What a use means is its kind (:class:`~..model.UseKind`): code READs a variable, a
template lists it as an EXAMPLE, a deploy file PASSes it in from outside or gives it a
value (SET, LITERAL, CREDENTIAL), and a workflow refers to a stored secret or variable
(SECRET_REF, VAR_REF). A use in a test, a test fixture or test configuration is marked
``test_only`` (:func:`is_test_path`).

| files | module | how |
|---|---|---|
| ``*.py`` | :mod:`.python`, :mod:`.pydantic_settings`, :mod:`.python_libraries` | ``ast`` |
| ``*.js *.jsx *.ts *.tsx *.mjs *.cjs *.mts *.cts`` | :mod:`.javascript` (+ ``_schemas``) | lexer |
| ``*.rb *.rake *.ru *.gemspec``, Gemfile, Rakefile, ``*.erb`` | :mod:`.ruby` | lexer + regex |
| ``*.go`` | :mod:`.golang`, :mod:`.go_envconfig` (whole repository) | lexer + regex |
| Dockerfile, ``*.Dockerfile``, ``Dockerfile.*`` | :mod:`.dockerfile` | instruction parser |
| ``compose*.yml``, ``docker-compose*.yml`` | :mod:`.compose` | YAML |
| ``.github/workflows/*.yml`` | :mod:`.workflows` | YAML |
| ``turbo.json`` | :mod:`.turbo` | JSON |
| ``.env.example``, ``example.env``, ``.env.sample`` ... | :mod:`.dotenv` | line parser |

Speed: the files worth parsing are found first with one ``git grep -l -F`` for every
reader's markers (C, many times faster than Python reading each file), started by
:func:`.scanning.start` before the readers are even imported; without git, each file's
text is tested for the markers instead. While git searches, the files whose readers
need no marker (workflows, compose files, templates) are read. The helpers are found
next, and a second ``git grep`` for their names runs while Python parses the other
files. Python files whose reads are all plain skip :mod:`ast` (:mod:`.python_plain`).
One process: on a shared machine a pool of workers costs more to start than it saves.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType

from launchready_ci import git
from launchready_ci.checks.env_inventory.model import Use
from launchready_ci.checks.env_inventory.readers import (
    compose,
    dockerfile,
    dotenv,
    turbo,
    workflows,
)
from launchready_ci.checks.env_inventory.readers.helpers import Helper
from launchready_ci.checks.env_inventory.scanning import Started, start
from launchready_ci.checks.files import DEFAULT_EXCLUDES, iter_files, matches_any
from launchready_ci.fileio import read_limited

__all__ = ["Reader", "Started", "is_test_path", "read_uses", "reader_for", "start"]

Reader = Callable[[str, str], Iterator[Use]]


class _Language:
    """The reader of a programming language, whose module is imported when a file of
    that language first needs it: a repository holds one or two languages, and each
    module costs its regular expressions' compilation at start-up."""

    def __init__(self, module: str, attribute: str = "read", markers: str = "MARKERS") -> None:
        self._name = f"{__name__}.{module}"
        self._attribute = attribute
        self._markers = markers

    @functools.cached_property
    def module(self) -> ModuleType:
        return importlib.import_module(self._name)

    @functools.cached_property
    def read(self) -> Reader:
        found: Reader = getattr(self.module, self._attribute)
        return found

    @functools.cached_property
    def markers(self) -> tuple[str, ...]:
        """What a file must contain for this reader to find anything."""
        found: tuple[str, ...] = getattr(self.module, self._markers)
        return found

    def __call__(self, text: str, path: str) -> Iterator[Use]:
        return self.read(text, path)

    def __repr__(self) -> str:
        return f"<reader {self._name}.{self._attribute}>"


_PYTHON = _Language("python")
_GO = _Language("golang")
_JAVASCRIPT = _Language("javascript")
_RUBY = _Language("ruby", markers="ENV_MARKERS")
_ERB = _Language("ruby", "read_erb", markers="ENV_MARKERS")

#: The file names of each language (the modules' SUFFIXES and FILENAMES; a test keeps
#: them equal).
_JAVASCRIPT_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
_RUBY_SUFFIXES = (".rb", ".rake", ".ru", ".gemspec")
_RUBY_FILENAMES = ("Gemfile", "Rakefile", "Guardfile")
_BY_SUFFIX: dict[str, Reader] = {
    ".py": _PYTHON,
    ".go": _GO,
    ".erb": _ERB,
    **{suffix: _JAVASCRIPT for suffix in _JAVASCRIPT_SUFFIXES},
    **{suffix: _RUBY for suffix in _RUBY_SUFFIXES},
}
_BY_NAME: dict[str, Reader] = {name: _RUBY for name in _RUBY_FILENAMES}
#: go_envconfig.MARKER: a Go file that imports envconfig.
_ENVCONFIG = "kelseyhightower/envconfig"

_TEST_SEGMENT = re.compile(
    r"(?:^|[-_.])(?:tests?|specs?|e2e|__tests__|__mocks__|testing|testdata|fixtures|"
    r"__fixtures__|cypress|playwright|integration)(?:$|[-_.])",
    re.IGNORECASE,
)
_TEST_FILE = re.compile(
    r"test_[^/]*\.py|[^/]*_test\.(?:py|go|rb)|[^/]*_spec\.rb|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?"
    r"|conftest\.py|(?:playwright|vitest|jest|cypress|karma)\.config\.[cm]?[jt]s",
)


def is_test_path(path: str) -> bool:
    """A test, test fixture or test configuration: what only the test suite needs.

    Workflows are never test files here: CI needs their secrets whatever they run.
    """
    if workflows.is_workflow(path):
        return False
    folder, _, name = path.rpartition("/")
    if _TEST_FILE.fullmatch(name):
        return True
    return any(_TEST_SEGMENT.search(part) for part in folder.split("/") if part)


@functools.lru_cache(maxsize=8192)
def reader_for(path: str) -> Reader | None:
    """The reader for a repository-relative path, or None when no reader applies."""
    folder, _, name = path.rpartition("/")
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    if suffix in (".yml", ".yaml"):
        return _yaml_reader(path, folder, name)
    if dotenv.is_template(name):
        return dotenv.read
    if name == "turbo.json":
        return turbo.read
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
        return _ERB  # Rails: config/database.yml with <%= ENV["X"] %>
    return None


def read_uses(
    root: Path, exclude: Iterable[str] = (), started: Started | None = None
) -> Iterator[Use]:
    """Every use in the repository at ``root``, file by file in path order; then the
    helpers' calls, the struct fields envconfig reads, and the keys of the env files that
    compose files load (``env_file:``), when those files are in the repository and not
    git-ignored (so a developer's ignored ``.env`` is never read). ``started``: the git
    commands :func:`.scanning.start` began for ``root``.
    """
    if started is None or started.root != root:
        started = start(root)
    listed = _listed(root, tuple(exclude), started.listing)
    todo = [rel for rel in listed if reader_for(rel) is not None]
    listed_set = set(listed)
    # While git searches: the files whose readers need no marker (workflows, compose
    # files, templates ...). Then the files git found; the helpers they define first, so
    # that git looks for the helpers' calls while Python parses the rest.
    gated = {rel for rel in todo if isinstance(reader_for(rel), _Language)}
    read = {rel: _read(root, rel) for rel in todo if rel not in gated}
    hits = started.grep.files()
    texts = {
        rel: text
        for rel in todo
        if (text := read[rel].text if rel in read else _gated_text(root, rel, hits)) is not None
    }
    known = _helpers(texts)
    calls = _grep_calls(root, known) if known else None
    env_files: dict[str, None] = {}
    uses: list[Use] = []
    for rel, text in texts.items():
        done = read.get(rel) or _read(root, rel, text)
        env_files.update(dict.fromkeys(done.env_files))
        uses.extend(done.uses)
    if calls is not None:
        uses.extend(_helper_calls(root, listed, texts, known, calls.files()))
    if any(_ENVCONFIG in text for rel, text in texts.items() if rel.endswith(".go")):
        from launchready_ci.checks.env_inventory.readers import go_envconfig

        uses.extend(go_envconfig.read_repo(_go_sources(root, listed, texts)))
    for rel in env_files:
        if rel not in listed_set or dotenv.is_template(rel.rpartition("/")[2]):
            continue  # not in the repository, or already read as a template
        loaded = read_limited(root / rel).text
        if loaded is not None:
            uses.extend(dotenv.read_env_file(loaded, rel))
    tests: dict[str, bool] = {}
    for use in uses:
        test = tests.get(use.path)
        if test is None:
            test = tests[use.path] = is_test_path(use.path)
        yield dataclasses.replace(use, test_only=True) if test else use


#: Substrings one of which every path that DEFAULT_EXCLUDES excludes contains: a path
#: with none of them needs no glob matching (which costs more than the rest of a scan).
_EXCLUDED_WORDS = ("node_modules", "venv", "__pycache__", "dist", "build", ".git/")


def _listed(root: Path, exclude: tuple[str, ...], listing: git.FileList) -> list[str]:
    """The repository's files, as :func:`iter_files` lists them; without extra excludes,
    from ``git ls-files`` with the default excludes tested cheaply (the readers skip
    symlinks and special files themselves, and read none of launchready's reports)."""
    files = listing.files()
    if exclude:
        files = None
    if files is None:
        return list(iter_files(root, exclude))
    return [
        rel
        for rel in files
        if not any(word in rel for word in _EXCLUDED_WORDS)
        or not matches_any(rel, DEFAULT_EXCLUDES)
    ]


#: An environment read whose name is an identifier (a parameter, maybe): only files
#: with one can define a helper, so only they are parsed for definitions.
_COMPUTED_READ = re.compile(
    r"environ(?:\s*\.\s*(?:get|pop|setdefault))?\s*[\[(]\s*[A-Za-z_]"
    r"|getenv\s*\(\s*[A-Za-z_]|in\s+(?:os\.)?environ\b"
    r"|env\s*(?:\?\.)?\s*\[\s*[A-Za-z_$]|env\s*\.\s*get\s*\(\s*[A-Za-z_$]"
    r"|(?:Getenv|LookupEnv)\s*\(\s*[A-Za-z_]"
)
#: Shorter helper names are too common to look for across a repository.
_MIN_HELPER_NAME = 3


def _helpers(texts: Mapping[str, str]) -> dict[str, Helper]:
    """The helpers the files define (tests' own helpers aside), by name."""
    known: dict[str, Helper] = {}
    defining = {
        rel: text
        for rel, text in texts.items()
        if not is_test_path(rel) and _COMPUTED_READ.search(text)
    }
    for _ in range(3):  # a helper calling a helper calling a helper, across files
        before = len(known)
        for rel, text in defining.items():
            for helper in _helpers_of(rel, text, known):
                if len(helper.name) >= _MIN_HELPER_NAME:
                    known.setdefault(helper.name, helper)
        if len(known) == before:
            break
        # files that call a helper can define one in turn
        defining.update(
            (rel, text)
            for rel, text in texts.items()
            if rel not in defining and not is_test_path(rel) and any(n in text for n in known)
        )
    return known


#: Where a helper of each language can be called (the files its reader reads).
_CALLERS = {
    "python": ("*.py",),
    "go": ("*.go",),
    "javascript": tuple(f"*{suffix}" for suffix in _JAVASCRIPT_SUFFIXES),
}


def _grep_calls(root: Path, known: Mapping[str, Helper]) -> git.FileGrep:
    """Start the ``git grep`` for the helpers' names, in the files of their languages."""
    languages = sorted({h.language for h in known.values()})
    paths = [glob for language in languages for glob in _CALLERS[language]]
    return git.grep_files(root, sorted(known), words=True, paths=paths)


def _helper_calls(
    root: Path,
    listed: list[str],
    texts: Mapping[str, str],
    known: Mapping[str, Helper],
    hits: set[str] | None,
) -> list[Use]:
    """The uses the helpers' calls make, in the files git found their names in."""
    found: list[Use] = []
    for rel in listed:
        reader = reader_for(rel)
        if reader not in (_PYTHON, _JAVASCRIPT, _GO):
            continue
        if hits is not None and rel not in hits:
            continue
        source = texts.get(rel) or read_limited(root / rel).text
        if source is None:
            continue
        if reader is _PYTHON:
            found.extend(_PYTHON.module.calls(source, rel, known))
        elif reader is _GO:
            found.extend(_GO.module.calls(source, rel, known))
        elif any(name in source for name in known):
            from launchready_ci.checks.env_inventory.readers import javascript_helpers

            masked, strings = _JAVASCRIPT.module.mask(source)
            found.extend(javascript_helpers.calls(source, masked, strings, rel, known))
    return found


def _helpers_of(rel: str, text: str, known: Mapping[str, Helper]) -> list[Helper]:
    reader = reader_for(rel)
    if reader is _PYTHON:
        helpers: list[Helper] = _PYTHON.module.helpers(text, rel, known)
        return helpers
    if reader is _GO:
        helpers = _GO.module.helpers(text, rel, known)
        return helpers
    if reader is _JAVASCRIPT and ("env" in text or any(n in text for n in known)):
        from launchready_ci.checks.env_inventory.readers import javascript_helpers

        masked, _ = _JAVASCRIPT.module.mask(text)
        return javascript_helpers.helpers(text, masked, rel, known)
    return []


def _go_sources(root: Path, listed: list[str], texts: dict[str, str]) -> dict[str, str]:
    """Every Go file that is not a test, for the struct types envconfig reads."""
    out: dict[str, str] = {}
    for rel in listed:
        if rel.endswith(".go") and not rel.endswith("_test.go"):
            text = texts.get(rel) or read_limited(root / rel).text
            if text is not None:
                out[rel] = text
    return out


@dataclasses.dataclass(frozen=True)
class _Read:
    text: str | None
    uses: list[Use]
    env_files: list[str]  # that a compose file loads


def _read(root: Path, rel: str, text: str | None = None) -> _Read:
    """One file's uses (``text``: already read)."""
    if text is None:
        text = read_limited(root / rel).text
    if text is None:
        return _Read(None, [], [])
    return _Read(text, *_read_one(rel, text))


def _gated_text(root: Path, rel: str, hits: set[str] | None) -> str | None:
    """The text of a file whose reader needs a marker (see :func:`_markers`), when git
    found one in it (without git: when the text holds one)."""
    if hits is not None and rel not in hits:
        return None
    text = read_limited(root / rel).text
    markers = _markers(rel)
    if text is None or not markers or not any(m in text for m in markers):
        return None
    return text


def _markers(rel: str) -> tuple[str, ...] | None:
    """What a file must contain for its reader to find anything (None: always read)."""
    reader = reader_for(rel)
    return reader.markers if isinstance(reader, _Language) else None


def _read_one(rel: str, text: str) -> tuple[list[Use], list[str]]:
    """(uses, env files a compose file loads) of one file."""
    reader = reader_for(rel)
    if reader is None:
        return [], []
    if reader is compose.read:
        uses, files = compose.scan(text, rel)
        return list(uses), list(files)
    return list(reader(text, rel)), []
