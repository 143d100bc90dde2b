"""What ``launchready init`` finds in a repository, and the launchready.yml it proposes.

Pure functions over a list of the repository's files (and a reader for the few whose
text matters): :func:`survey` says what is there (frameworks, migration folders and their
tool, workflows and the ones that deploy, Dockerfiles, compose files, a mobile app, env
templates); :func:`render_config` writes a commented launchready.yml with the sections
that apply; :func:`next_steps` says what to do next. The CLI (:mod:`.cli.init`) does the
IO: it never overwrites a file without ``--force``, keeps existing files byte for byte,
drafts the inventory and records the baseline.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["BASELINE_FILE", "Survey", "next_steps", "render_config", "survey"]

#: Where init records today's findings (``baseline:`` in the config it writes).
BASELINE_FILE = ".launchready-baseline.json"

Read = Callable[[str], str | None]

#: (tool, how it is told apart) in the order they are looked for.
_MIGRATION_TOOLS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Prisma Migrate",
        re.compile(r"(?:^|/)(?:prisma/migrations/[^/]+|\d{14}_[^/]+)/migration\.sql$"),
    ),
    ("Supabase CLI", re.compile(r"(?:^|/)supabase/migrations/[^/]+\.sql$")),
    ("drizzle-kit", re.compile(r"(?:^|/)drizzle/[^/]+\.sql$")),
    ("Django", re.compile(r"(?:^|/)migrations/\d{4}_[^/]+\.py$")),
    ("Alembic", re.compile(r"(?:^|/)(?:alembic|migrations)/versions/[^/]+\.py$")),
    ("Rails", re.compile(r"(?:^|/)db/migrate/\d+_[^/]+\.rb$")),
    # sequelize-cli, knex and node-pg-migrate: JavaScript that builds the SQL at run time
    ("JavaScript", re.compile(r"(?:^|/)migrations/\d{8,}[-_][^/]+\.(?:c?js|ts)$")),
    ("diesel", re.compile(r"(?:^|/)migrations/[^/]+/up\.sql$")),
    ("Flyway", re.compile(r"(?:^|/)db/migration/[VR][^/]*__[^/]+\.sql$")),
    ("SQL files", re.compile(r"(?:^|/)migrations?/[^/]+\.sql$")),
)
#: Migration tools whose files the migrations check does not read (Ruby or JavaScript, not
#: SQL or Python).
_NOT_LINTED = frozenset({"Rails", "JavaScript"})
_FRAMEWORK_FILES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Django", re.compile(r"(?:^|/)manage\.py$")),
    ("Rails", re.compile(r"(?:^|/)config/application\.rb$")),
    ("Next.js", re.compile(r"(?:^|/)next\.config\.[cm]?[jt]s$")),
    ("Remix", re.compile(r"(?:^|/)remix\.config\.[cm]?js$")),
    ("SvelteKit", re.compile(r"(?:^|/)svelte\.config\.[cm]?js$")),
    ("Nuxt", re.compile(r"(?:^|/)nuxt\.config\.[cm]?[jt]s$")),
    ("Vite", re.compile(r"(?:^|/)vite\.config\.[cm]?[jt]s$")),
    ("Go", re.compile(r"(?:^|/)go\.mod$")),
    ("Laravel", re.compile(r"(?:^|/)artisan$")),
)
_DOCKERFILE = re.compile(r"(?:^|/)(?:Dockerfile(?:\.[^/]+)?|[^/]+\.Dockerfile)$")
_COMPOSE = re.compile(r"(?:^|/)(?:docker-)?compose(?:[.\-][^/]*)?\.ya?ml$")
_WORKFLOW = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")
_TEMPLATE = re.compile(
    r"(?:^|/)(?:\.env\.(?:example|sample|template)|example\.env|[^/]+\.env\.example)$"
)
_SKIP = re.compile(r"(?:^|/)(?:node_modules|vendor|\.venv|venv|dist|build)/")


@dataclass(frozen=True)
class Survey:
    """What init found in the repository (paths relative to its root)."""

    frameworks: tuple[str, ...] = ()
    migrations: tuple[tuple[str, str, int], ...] = ()  # (tool, folder, files)
    workflows: tuple[str, ...] = ()
    deploy_workflows: tuple[str, ...] = ()
    dockerfiles: tuple[str, ...] = ()
    compose_files: tuple[str, ...] = ()
    mobile: str | None = None
    env_templates: tuple[str, ...] = ()
    #: names of the Go template options pop fills into the SQL (``Namespace``)
    placeholders: tuple[str, ...] = ()

    @property
    def linted_migrations(self) -> tuple[tuple[str, str, int], ...]:
        """The migrations of the tools the migrations check reads."""
        return tuple(m for m in self.migrations if m[0] not in _NOT_LINTED)

    @property
    def migration_files(self) -> int:
        return sum(n for _, _, n in self.migrations)


def survey(
    files: Sequence[str],
    read: Read,
    deploys: Callable[[str], bool] = lambda _: False,
) -> Survey:
    """What ``files`` (the repository's, relative) hold; ``read`` gives a file's text (or
    None), ``deploys`` says whether a workflow deploys."""
    kept = [f for f in files if not _SKIP.search(f)]
    frameworks = [name for name, rx in _FRAMEWORK_FILES if any(rx.search(f) for f in kept)]
    if "Next.js" not in frameworks and _package_has(read, kept, '"next"'):
        frameworks.append("Next.js")
    folders: dict[tuple[str, str], int] = {}
    for f in kept:
        for tool, rx in _MIGRATION_TOOLS:
            if rx.search(f):
                folder = posixpath.dirname(f)
                if tool in ("Prisma Migrate", "diesel"):  # a folder per migration
                    folder = posixpath.dirname(folder)
                folders[(tool, folder)] = folders.get((tool, folder), 0) + 1
                break
    workflows = tuple(f for f in kept if _WORKFLOW.match(f))
    return Survey(
        frameworks=tuple(frameworks),
        migrations=tuple(
            (tool, folder, n)
            for (tool, folder), n in sorted(folders.items(), key=lambda x: x[0][1])
        ),
        workflows=workflows,
        deploy_workflows=tuple(w for w in workflows if deploys(w)),
        dockerfiles=tuple(f for f in kept if _DOCKERFILE.search(f)),
        compose_files=tuple(f for f in kept if _COMPOSE.search(f)),
        mobile=_mobile(kept, read),
        env_templates=tuple(f for f in kept if _TEMPLATE.search(f)),
        placeholders=_pop_placeholders(kept, read),
    )


def _pop_placeholders(files: Sequence[str], read: Read) -> tuple[str, ...]:
    """The option names in the first gobuffalo/pop migration that uses templates."""
    from launchready_ci.checks.migrations.templates import option_names

    for f in (f for f in files if f.endswith(".up.sql")):
        names = option_names(read(f) or "")
        if names:
            return names
    return ()


def _package_has(read: Read, files: Sequence[str], needle: str) -> bool:
    for f in files:
        if posixpath.basename(f) == "package.json" and f.count("/") <= 2:
            text = read(f)
            if text and needle in text:
                return True
    return False


def _mobile(files: Sequence[str], read: Read) -> str | None:
    names = {posixpath.basename(f) for f in files}
    if "pubspec.yaml" in names:
        return "Flutter"
    for f in files:
        if posixpath.basename(f) in ("app.json", "app.config.ts", "app.config.js", "eas.json"):
            text = read(f) or ""
            if "expo" in text or posixpath.basename(f) == "eas.json":
                return "Expo"
    if any(f.endswith("/AndroidManifest.xml") for f in files) or any(
        f.endswith(".xcodeproj/project.pbxproj") for f in files
    ):
        return "React Native" if _package_has(read, files, '"react-native"') else "native app"
    return None


def render_config(found: Survey, *, inventory: str | None, baseline: str = BASELINE_FILE) -> str:
    """A commented launchready.yml for what ``found`` says is there."""
    out = [
        "# launchready-ci configuration, written by `launchready init`.",
        "# Schema: `launchready schema`; every rule: `launchready rules`.",
        "version: 1",
        "fail_on: error",
        "",
        "# The findings of the day this file was written: accepted, so that a run fails only",
        "# on what is new. `launchready baseline update` records the current ones again.",
        f"baseline: {baseline}",
        "",
        "# Committed credentials: every file, and the lines each commit adds.",
        "secrets: {}",
    ]
    if inventory is not None:
        sources = ", ".join(found.env_templates[:3]) or "the code"
        out += [
            "",
            f"# Environment variables: {inventory} lists what the code reads (drafted from",
            f"# {sources}); `launchready env check` compares the two.",
            "env:",
            f"  inventory: {inventory}",
        ]
    linted = list(found.linted_migrations)
    unread = [m for m in found.migrations if m[0] in _NOT_LINTED]
    if linted:
        out += [
            "",
            f"# Database migrations: {_describe(linted)}.",
            "# Found by the default paths; set `paths:` to narrow them. `since: <commit,",
            "# tag or date>` lints only the migrations added after it (older ones: history).",
        ]
        if unread:
            out.append(
                f"# Not linted: {_describe(unread)} (launchready reads SQL, Django, Alembic)."
            )
        if found.placeholders:
            names = ", ".join(f"{n}: <value>" for n in found.placeholders)
            out += [
                "# gobuffalo/pop fills Go template options into the SQL; they read as their own",
                "# names, which is enough to lint. For `launchready migrations dry-run`, give",
                f"# their values: placeholders: {{ {names} }}",
            ]
        out.append("migrations: {}")
    elif unread:
        out += [
            "",
            f"# Database migrations: {_describe(unread)}. launchready does not lint them (it",
            "# reads SQL, Django and Alembic migrations), so there is no `migrations:` section.",
        ]
    if found.deploy_workflows:
        out += [
            "",
            "# Deploys: " + ", ".join(found.deploy_workflows[:4]) + ".",
            "# After each deploy, prove it works (`launchready smoke run`), and roll back if not:",
            "# smoke:",
            "#   base_url: https://app.example.com",
            "#   journeys:",
            "#     - name: sign-in",
            "#       steps: [{ url: /login, expect: { status: 200 } }]",
            "# rollback:",
            "#   strategy: workflow",
            f"#   workflow: {posixpath.basename(found.deploy_workflows[0])}",
        ]
    out += [
        "",
        "# The domain members reach and mail comes from (`launchready domain check`):",
        "# domain:",
        "#   apex: example.com",
        '#   hosts: [{ name: "@" }, { name: www }]',
    ]
    return "\n".join(out) + "\n"


def next_steps(found: Survey, *, inventory: str | None, config: str) -> list[str]:
    """The three things to do after init, most useful first."""
    steps = [
        f"commit {config} and the baseline, then run `launchready run` in CI "
        "(a new committed key, env gap or unsafe migration fails the job)"
    ]
    if inventory is not None:
        steps.append(
            f"fill in purpose and owner in {inventory} (`launchready env check` lists "
            "the entries still missing them)"
        )
    if found.deploy_workflows:
        steps.append(
            f"add a `smoke:` section to {config} so each deploy is checked "
            "(`launchready audit` shows what else a launch needs)"
        )
    else:
        steps.append("run `launchready audit` for what else a launch needs")
    return steps[:3]


def _describe(migrations: list[tuple[str, str, int]]) -> str:
    return ", ".join(
        f"{tool} in {folder or '.'} ({n} file{'s' if n != 1 else ''})"
        for tool, folder, n in migrations[:4]
    )
