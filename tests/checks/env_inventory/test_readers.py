"""Each reader on its own: what it sees, where (line and column), and of which kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.model import Use, UseKind
from launchready_ci.checks.env_inventory.readers import (
    compose,
    dockerfile,
    dotenv,
    golang,
    javascript,
    python,
    read_uses,
    reader_for,
    ruby,
    workflows,
)
from launchready_ci.checks.env_inventory.readers._values import EXPRESSION, SHELL_REF, value_kind
from launchready_ci.checks.env_inventory.rules._names import is_github_builtin, looks_secret
from tests.helpers import make_repo

R, E, P, S, L, C = (
    UseKind.READ,
    UseKind.EXAMPLE,
    UseKind.PASS,
    UseKind.SET,
    UseKind.LITERAL,
    UseKind.CREDENTIAL,
)
SR, VR = UseKind.SECRET_REF, UseKind.VAR_REF

Found = list[tuple[str, int, int, str]]


def found(reader: Callable[[str, str], Iterator[Use]], text: str, path: str = "f") -> Found:
    return [(u.name, u.line, u.column, u.kind) for u in reader(text, path)]


# --- pydantic-settings (through the Python reader) ---------------------------------


def test_pydantic_settings_prefix_aliases_and_what_is_not_a_field() -> None:
    text = (
        "from typing import Annotated, ClassVar\n"  # 1
        "from pydantic import AliasChoices, AliasPath, Field\n"  # 2
        "from pydantic_settings import BaseSettings as Base, SettingsConfigDict\n"  # 3
        "\n"  # 4
        "class Settings(Base):\n"  # 5
        '    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env")\n'  # 6
        "    database_url: str\n"  # 7
        "    debug: bool = False\n"  # 8
        '    token: str = Field(alias="API_TOKEN")\n'  # 9
        '    region: str = Field("eu", validation_alias=AliasChoices("AWS_REGION", "REGION"))\n'
        '    nested: dict = Field(validation_alias=AliasPath("NESTED_JSON", "key"))\n'  # 11
        '    key: Annotated[str, Field(alias="SIGNING_KEY")] = ""\n'  # 12
        "    _cache: dict = {}\n"  # 13
        "    instances: ClassVar[int] = 0\n"  # 14
        "    plain = 1\n"  # 15
    )
    assert found(python.read, text) == [
        ("APP_DATABASE_URL", 7, 5, R),
        ("APP_DEBUG", 8, 5, R),
        ("API_TOKEN", 9, 30, R),
        ("AWS_REGION", 10, 61, R),
        ("REGION", 10, 75, R),
        ("NESTED_JSON", 11, 53, R),
        ("SIGNING_KEY", 12, 37, R),
    ]


def test_pydantic_settings_config_class_inheritance_and_case() -> None:
    text = (
        "import pydantic_settings\n"  # 1
        "from pydantic import BaseModel, Field\n"  # 2
        "\n"  # 3
        "class Base(pydantic_settings.BaseSettings):\n"  # 4
        "    class Config:\n"  # 5
        '        env_prefix = "shop_"\n'  # 6
        "    name: str\n"  # 7
        "\n"  # 8
        "class Child(Base):\n"  # 9
        "    extra: int = 0\n"  # 10
        "\n"  # 11
        "class Exact(pydantic_settings.BaseSettings):\n"  # 12
        '    model_config = {"case_sensitive": True, "env_prefix": "svc_"}\n'  # 13
        "    Port: int\n"  # 14
        '    old: str = Field(env=["OLD_A", "OLD_B"])\n'  # 15
        "\n"  # 16
        "class NotSettings(BaseModel):\n"  # 17
        "    ignored: str\n"  # 18
    )
    assert found(python.read, text) == [
        ("SHOP_NAME", 7, 5, R),
        ("SHOP_EXTRA", 10, 5, R),
        ("svc_Port", 14, 5, R),
        ("OLD_A", 15, 27, R),
        ("OLD_B", 15, 36, R),
    ]


def test_python_files_without_a_marker_are_not_parsed_and_bad_ones_are_skipped() -> None:
    assert found(python.read, "x = 1\nclass A(Base):\n    y: int\n") == []
    assert found(python.read, "from pydantic_settings import BaseSettings\nclass (:\n") == []


def test_python_markers_count_only_as_whole_names(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    tree = python._tree
    monkeypatch.setattr(python, "_tree", lambda text, path: parsed.append(path) or tree(text, path))
    prose = '"""Set the environment variable; see getenvironment() and BaseSettingsX."""\n'
    assert found(python.read, prose) == [] and parsed == []
    for code in ("import os\nos.environ['A']\n", "from os import getenv as g\ng('A')\n"):
        assert [u[0] for u in found(python.read, code)] == ["A"]


# --- JavaScript additions ------------------------------------------------------------


def test_javascript_deno_and_bun() -> None:
    text = (
        'const a = Deno.env.get("DENO_A");\n'
        "const b = Deno.env.has('DENO_B') && Bun.env.BUN_C;\n"
        '// Deno.env.get("IN_COMMENT")\n'
        "const c = Deno.env.get(name);\n"
        'const d = "Deno.env.get(\\"IN_STRING\\")";\n'
    )
    assert found(javascript.read, text) == [
        ("DENO_A", 1, 25, R),
        ("DENO_B", 2, 25, R),
        ("BUN_C", 2, 45, R),
    ]


# --- Ruby ------------------------------------------------------------------------------


def test_ruby_reads_writes_comments_strings_and_interpolation() -> None:
    text = (
        "# ENV['COMMENT']\n"  # 1
        'a = ENV["A"]\n'  # 2
        "b = ENV.fetch('B', 'fallback')\n"  # 3
        'c = ENV.fetch("C") { |k| raise k }\n'  # 4
        'd = ENV.fetch "D"\n'  # 5
        'ENV["WRITTEN"] = "1"\n'  # 6
        'ENV["BOTH"] ||= "2"\n'  # 7
        "e = \"ENV['IN_STRING'] #{ENV['INTERPOLATED']}\"\n"  # 8
        "=begin\n"  # 9
        'ENV["IN_BLOCK_COMMENT"]\n'  # 10
        "=end\n"  # 11
        'f = ENV.key?("F") ? 1 : 2 if ENV["G"] == "x"\n'  # 12
        "g = ENV[name]\n"  # 13
        'h = MY_ENV["NOT_ENV"]\n'  # 14
    )
    assert found(ruby.read, text) == [
        ("A", 2, 10, R),
        ("B", 3, 16, R),
        ("C", 4, 16, R),
        ("D", 5, 16, R),
        ("BOTH", 7, 6, R),
        ("INTERPOLATED", 8, 30, R),
        ("F", 12, 15, R),
        ("G", 12, 35, R),
    ]


def test_ruby_erb_only_inside_tags() -> None:
    text = (
        "production:\n"
        '  url: <%= ENV["DATABASE_URL"] %>\n'
        '  note: ENV["OUTSIDE_A_TAG"]\n'
        '  <%# ENV["ERB_COMMENT"] %>\n'
        '  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n'
    )
    assert found(ruby.read_erb, text) == [
        ("DATABASE_URL", 2, 17, R),
        ("RAILS_MAX_THREADS", 5, 24, R),
    ]


# --- Go ----------------------------------------------------------------------------------


def test_go_calls_struct_tags_comments_and_strings() -> None:
    text = (
        "package main\n"  # 1
        "\n"  # 2
        '// os.Getenv("LINE_COMMENT")\n'  # 3
        '/* os.Getenv("BLOCK_COMMENT") */\n'  # 4
        'var msg = "call os.Getenv(\\"IN_STRING\\")"\n'  # 5
        'var url = "https://example.com" // os.Getenv("AFTER_URL")\n'  # 6
        "func main() {\n"  # 7
        '\tport := os.Getenv("PORT")\n'  # 8
        "\t_, ok := os.LookupEnv(`RAW`)\n"  # 9
        '\tdyn := os.Getenv(prefix + "_URL")\n'  # 10
        '\tother := xos.Getenv("ALIASED")\n'  # 11
        "}\n"  # 12
        "type Config struct {\n"  # 13
        '\tDB   string `env:"DATABASE_URL,required" json:"db"`\n'  # 14
        '\tPort int    `envDefault:"8080" env:"HTTP_PORT"`\n'  # 15
        '\tName string `json:"env"`\n'  # 16
        "}\n"
    )
    assert found(golang.read, text) == [
        ("PORT", 8, 21, R),
        ("RAW", 9, 25, R),
        ("{prefix}_URL", 10, 19, UseKind.DYNAMIC),  # a name built at run time
        ("DATABASE_URL", 14, 20, R),
        ("HTTP_PORT", 15, 38, R),
    ]
    assert found(golang.read, 'package main\nvar x = getenv("NO_MARKER")\n') == []


# --- Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_env_and_arg_in_every_form() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"  # 1
        "ARG BASE=node:20\n"  # 2
        "FROM ${BASE} AS build\n"  # 3
        "ARG NPM_TOKEN\n"  # 4
        'ENV NODE_ENV=production LABEL="two words" \\\n'  # 5
        "    # a comment inside the continuation\n"  # 6
        "    API_URL=$PUBLIC_URL/api\n"  # 7
        "env LEGACY_FORM some value with spaces\n"  # 8
        "RUN <<EOF\n"  # 9
        "ENV INSIDE_HEREDOC=1\n"  # 10
        "EOF\n"  # 11
        "ENV DATABASE_URL=postgres://app:not-real@db.internal/app EMPTY=\n"  # 12
        "ENV PATH=/app/bin:$PATH\n"  # 13
        "arg A=1 B\n"  # 14
    )
    assert found(dockerfile.read, text) == [
        ("BASE", 2, 5, L),
        ("NPM_TOKEN", 4, 5, P),
        ("NODE_ENV", 5, 5, L),
        ("LABEL", 5, 25, L),
        ("API_URL", 7, 5, S),
        ("LEGACY_FORM", 8, 5, L),
        ("DATABASE_URL", 12, 5, C),
        ("EMPTY", 12, 58, S),
        ("PATH", 13, 5, S),
        ("A", 14, 5, L),
        ("B", 14, 9, P),
    ]


def test_dockerfile_escape_directive() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows\nENV A=1 `\n    B=2\n"
    assert found(dockerfile.read, text) == [("A", 3, 5, L), ("B", 4, 5, L)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True),
        ("dockerfile", True),
        ("Containerfile", True),
        ("Dockerfile.prod", True),
        ("api.Dockerfile", True),
        ("Dockerfile-old", False),
        ("dockerfile.md", True),
        ("README.md", False),
    ],
)
def test_dockerfile_names(name: str, expected: bool) -> None:
    assert dockerfile.is_dockerfile(name) is expected


# --- compose ---------------------------------------------------------------------------------


COMPOSE = """\
x-common: &common
  SHARED_TOKEN: not-a-real-token
services:
  web:
    build:
      context: .
      args:
        - NPM_TOKEN
        - "NODE_ENV=production"
    environment:
      <<: *common
      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app
      STRIPE_SECRET_KEY: ${STRIPE_SECRET_KEY}
      PORT: 8000
      FROM_SHELL:
      PRICE: $$5
    env_file: [.env, config/web.env]
  worker:
    environment:
      <<: *common
      REDIS_URL: redis://:${REDIS_PASSWORD:-dev}@redis:6379
    env_file:
      - path: ./worker.env
        required: false
      - ../../outside.env
      - ${ENV_FILE}
"""


def test_compose_environment_build_args_merges_and_interpolations() -> None:
    uses, env_files = compose.scan(COMPOSE, "deploy/docker-compose.yml")
    assert [(u.name, u.line, u.column, u.kind) for u in uses] == [
        ("SHARED_TOKEN", 2, 3, L),
        ("NPM_TOKEN", 8, 11, P),
        ("NODE_ENV", 9, 12, L),
        ("DATABASE_URL", 12, 7, S),
        ("DB_PASSWORD", 12, 38, P),
        ("STRIPE_SECRET_KEY", 13, 7, P),
        ("PORT", 14, 7, L),
        ("FROM_SHELL", 15, 7, P),
        ("PRICE", 16, 7, L),
        ("REDIS_URL", 21, 7, S),
        ("REDIS_PASSWORD", 21, 29, P),
        ("ENV_FILE", 26, 11, P),  # compose interpolates anywhere, env_file paths too
    ]
    assert env_files == ["deploy/.env", "deploy/config/web.env", "deploy/worker.env"]


def test_compose_that_is_not_valid_yaml_or_has_no_services() -> None:
    assert compose.scan("services: [\n", "compose.yml") == ([], [])
    assert compose.scan("web:\n  environment:\n    - A=1\n", "compose.yml") == ([], [])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("compose.yml", True),
        ("compose.yaml", True),
        ("docker-compose.yml", True),
        ("docker-compose.prod.yml", True),
        ("compose.override.yaml", True),
        ("docker-compose-dev.yaml", True),
        ("composer.yml", False),
        ("my-compose.yml", False),
    ],
)
def test_compose_names(name: str, expected: bool) -> None:
    assert compose.is_compose(name) is expected


# --- GitHub workflows ---------------------------------------------------------------------


WORKFLOW = """\
name: deploy
on: push
env:
  NODE_ENV: production
  "QUOTED": ${{ github.sha }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    if: secrets.FLY_API_TOKEN != ''
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: postgres
    container:
      image: node:20
      env:
        IN_CONTAINER: ${{ vars.IN_CONTAINER }}
    env:
      DATABASE_URL: ${{ secrets.DATABASE_URL }}
      MAPPED: ${{ secrets.OTHER_NAME }}
      EMPTY:
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.PAT }}
      # ${{ secrets.IN_A_COMMENT }}
      - run: |
          echo "deploying"
          ./deploy --key "${{ secrets.DEPLOY_KEY }}" --region ${{ vars.REGION }}
        env:
          BRACKETS: ${{ secrets['BRACKETED'] }}
          BOTH: ${{ secrets.A || secrets.B }}
          DOLLAR: $HOME/x
"""


def test_workflow_env_blocks_and_references() -> None:
    assert found(workflows.read, WORKFLOW, ".github/workflows/deploy.yml") == [
        ("NODE_ENV", 4, 3, L),
        ("QUOTED", 5, 4, S),
        ("FLY_API_TOKEN", 9, 17, SR),
        ("IN_CONTAINER", 18, 9, P),
        ("DATABASE_URL", 20, 7, P),
        ("MAPPED", 21, 7, P),
        ("OTHER_NAME", 21, 27, SR),  # the stored secret, under its own name
        ("EMPTY", 22, 7, S),
        ("PAT", 26, 30, SR),
        ("DEPLOY_KEY", 30, 39, SR),
        ("REGION", 30, 72, VR),
        ("BRACKETS", 32, 11, P),
        ("BRACKETED", 32, 34, SR),
        ("BOTH", 33, 11, S),
        ("A", 33, 29, SR),
        ("B", 33, 42, SR),
        ("DOLLAR", 34, 11, L),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".github/workflows/ci.yml", True),
        (".github/workflows/ci.yaml", True),
        (".github/workflows/sub/ci.yml", False),
        ("app/.github/workflows/ci.yml", False),
        (".github/dependabot.yml", False),
    ],
)
def test_workflow_paths(path: str, expected: bool) -> None:
    assert workflows.is_workflow(path) is expected


# --- dotenv -----------------------------------------------------------------------------------


def test_env_file_kinds_never_values() -> None:
    text = (
        "PORT=8080\n"
        "EMPTY=\n"
        'FROM_SHELL="${HOST_VALUE}"\n'
        "SINGLE='${NOT_EXPANDED}'\n"
        "DATABASE_URL=postgres://u:not-real@db/x # comment\n"
        "KEY='-----BEGIN KEY-----\n"
        "not-a-real-key\n"
        "-----END KEY-----'\n"
        "export AFTER=1\n"
    )
    assert found(dotenv.read_env_file, text) == [
        ("PORT", 1, 1, L),
        ("EMPTY", 2, 1, S),
        ("FROM_SHELL", 3, 1, S),
        ("SINGLE", 4, 1, L),
        ("DATABASE_URL", 5, 1, C),
        ("KEY", 6, 1, L),
        ("AFTER", 9, 8, L),
    ]
    assert [k for *_, k in found(dotenv.read, text)] == [E] * 7


@pytest.mark.parametrize(
    ("value", "refs", "kind"),
    [
        ("", SHELL_REF, S),
        ("  ", None, S),
        ("production", SHELL_REF, L),
        ("${X}", SHELL_REF, S),
        ("$X/suffix", SHELL_REF, S),
        ("$X/suffix", None, L),
        ("${{ secrets.X }}", EXPRESSION, S),
        ("${X}", EXPRESSION, L),
        ("postgres://app:pw@db.internal:5432/app", SHELL_REF, C),
        ("postgres://app:${PW}@db/app", SHELL_REF, S),
        ("postgres://app:pw@db/${DB}", SHELL_REF, C),
        ("postgres://app:pw@localhost:5432/app", SHELL_REF, S),
        ("postgres://app:pw@127.0.0.1/app", None, S),
        ("redis://redis:6379/0", SHELL_REF, S),
        ("postgresql+psycopg://db/app", None, S),
        ("https://hooks.slack.invalid/services/x", SHELL_REF, L),
        ("https://user@example.com", SHELL_REF, L),
    ],
)
def test_value_kinds(value: str, refs: object, kind: str) -> None:
    assert value_kind(value, refs) == kind  # type: ignore[arg-type]


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("STRIPE_SECRET_KEY", True),
        ("API_TOKEN", True),
        ("DB_PASSWORD", True),
        ("SMTP_PASS", True),
        ("OPENAI_API_KEY", True),
        ("GCP_CREDENTIALS", True),
        ("JWT_PRIVATE_KEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("TOKEN_URL", False),
        ("JWT_SECRET_FILE", False),
        ("AWS_ACCESS_KEY_ID", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("NEXT_PUBLIC_MAPBOX_TOKEN", False),
        ("PASSPORT_STRATEGY", False),
        ("TOKENIZER_MODEL", False),
        ("NODE_ENV", False),
    ],
)
def test_looks_secret(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("GITHUB_TOKEN", True),
        ("GITHUB_SHA", True),
        ("RUNNER_OS", True),
        ("ACTIONS_STEP_DEBUG", True),
        ("CI", True),
        ("GITHUB_CLIENT_SECRET", False),
        ("CIRCLE_CI", False),
    ],
)
def test_github_builtins(name: str, builtin: bool) -> None:
    assert is_github_builtin(name) is builtin


# --- dispatch and the repository walk ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reader"),
    [
        ("app/settings.py", python.read),
        ("web/src/app.tsx", javascript.read),
        ("public/vendor.min.js", None),
        ("lib/tasks/deploy.rake", ruby.read),
        ("Gemfile", ruby.read),
        ("app/views/layouts/app.html.erb", ruby.read_erb),
        ("config/database.yml", ruby.read_erb),
        ("apps/api/config/cable.yml", ruby.read_erb),
        ("i18n/en.yml", None),
        ("cmd/api/main.go", golang.read),
        ("Dockerfile", dockerfile.read),
        ("services/api/Dockerfile.prod", dockerfile.read),
        ("docker-compose.yml", compose.read),
        ("deploy/compose.prod.yaml", compose.read),
        (".github/workflows/deploy.yml", workflows.read),
        (".env.example", dotenv.read),
        ("web/.env.sample", dotenv.read),
        (".env", None),
        ("README.md", None),
    ],
)
def test_reader_for(path: str, reader: object) -> None:
    found = reader_for(path)
    assert getattr(found, "read", found) is reader  # a language's reader, once imported


def test_read_uses_follows_env_files_in_the_repository_only(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            ".gitignore": ".env\n",
            ".env": "DEVELOPERS_OWN=real-value\n",
            "deploy/docker-compose.yml": (
                "services:\n  web:\n    env_file: [../.env, web.env, ../.env.example, gone.env]\n"
            ),
            "deploy/web.env": "WEB_CONCURRENCY=4\n",
            ".env.example": "TEMPLATE_KEY=\n",
        },
    )
    got = {(u.name, u.path, u.kind) for u in read_uses(root)}
    assert got == {
        ("TEMPLATE_KEY", ".env.example", E),
        ("WEB_CONCURRENCY", "deploy/web.env", L),
    }


def test_the_early_grep_looks_for_every_readers_markers() -> None:
    from launchready_ci.checks.env_inventory import readers, scanning
    from launchready_ci.checks.env_inventory.readers import go_envconfig

    languages = (readers._PYTHON, readers._GO, readers._JAVASCRIPT, readers._RUBY, readers._ERB)
    union = {m for language in languages for m in language.markers}
    assert set(scanning.MARKERS) == union | {go_envconfig.MARKER}
    assert readers._ENVCONFIG == go_envconfig.MARKER


def test_the_languages_are_named_as_their_modules_name_them() -> None:
    from launchready_ci.checks.env_inventory import readers

    assert readers._JAVASCRIPT_SUFFIXES == javascript.SUFFIXES
    assert readers._RUBY_SUFFIXES == ruby.SUFFIXES
    assert readers._RUBY_FILENAMES == ruby.FILENAMES
