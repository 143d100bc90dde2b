"""The readers for what real applications do: helper wrappers across modules, libraries that
read for the app, schema files, compose interpolation anywhere, platform variables, test
files and names built at run time. Each case is written in the syntax the named real
repositories use."""

from __future__ import annotations

from pathlib import Path

from launchready_ci.checks.env_inventory.model import UseKind
from launchready_ci.checks.env_inventory.readers import (
    compose,
    golang,
    is_test_path,
    javascript,
    python,
    read_uses,
    turbo,
    workflows,
)
from tests.helpers import make_repo

R, P, D = UseKind.READ, UseKind.PASS, UseKind.DYNAMIC


def names(root: Path, kind: str = R) -> set[str]:
    return {u.name for u in read_uses(root) if u.kind == kind}


# --- helper wrappers ------------------------------------------------------------------


def test_python_helper_in_settings_and_its_call_from_another_module(tmp_path: Path) -> None:
    # saleor/settings.py and saleor/site/migrations/0038_*.py
    make_repo(
        tmp_path,
        {
            "shop/settings.py": (
                "import os\n\n"
                "def get_bool_from_env(name, default_value):\n"
                "    value = os.environ.get(name)\n"
                "    if value is None:\n"
                "        return default_value\n"
                '    return value.lower() in ("true", "1")\n\n'
                "def get_url_from_env(name, *, schemes=None):\n"
                "    if name in os.environ:\n"
                "        return os.environ[name]\n"
                "    return None\n\n"
                'DEBUG = get_bool_from_env("DEBUG", False)\n'
                'PUBLIC_URL = get_url_from_env("PUBLIC_URL", schemes=["https"])\n'
            ),
            "shop/site/migrations/0038_auto.py": (
                "from ...settings import get_bool_from_env\n\n"
                'flag = get_bool_from_env("ENABLE_ACCOUNT_CONFIRMATION_BY_EMAIL", True)\n'
            ),
            "shop/other.py": (  # a function of the same name from elsewhere is not the helper
                "from elsewhere import get_bool_from_env\n"
                'x = get_bool_from_env("NOT_A_VARIABLE", 1)\n'
            ),
        },
    )
    found = {(u.name, u.path, u.line) for u in read_uses(tmp_path) if u.kind == R}
    assert ("DEBUG", "shop/settings.py", 14) in found
    assert ("PUBLIC_URL", "shop/settings.py", 15) in found
    assert ("ENABLE_ACCOUNT_CONFIRMATION_BY_EMAIL", "shop/site/migrations/0038_auto.py", 3) in found
    assert "NOT_A_VARIABLE" not in {n for n, _, _ in found}


def test_typescript_env_and_require_env_helpers_across_packages(tmp_path: Path) -> None:
    # documenso: packages/lib/utils/env.ts, used as env('X') and requireEnv('X')
    make_repo(
        tmp_path,
        {
            "packages/lib/utils/env.ts": (
                "type EnvKey = keyof NodeJS.ProcessEnv | (string & {});\n"
                "export const env = <K extends EnvKey>(variable: K): string | undefined => {\n"
                "  if (typeof window !== 'undefined') {\n"
                "    return window.__ENV__[variable as string];\n"
                "  }\n"
                "  return (typeof process !== 'undefined' ? process?.env?.[variable] : undefined);\n"
                "};\n"
                "export const requireEnv = <K extends EnvKey>(variable: K, error?: Error) => {\n"
                "  const value = env(variable);\n"
                "  if (!value) throw error;\n"
                "  return value;\n"
                "};\n"
            ),
            "packages/lib/server-only/stripe/index.ts": (
                "import { env } from '@acme/lib/utils/env';\n"
                "export const stripe = new Stripe(env('NEXT_PRIVATE_STRIPE_API_KEY') ?? '');\n"
            ),
            "packages/ee/csc/transport.ts": (
                "import { requireEnv } from '../../lib/utils/env';\n"
                "const base = requireEnv('NEXT_PRIVATE_SIGNING_CSC_PROVIDER_BASE_URL');\n"
                "// env('IN_A_COMMENT')\n"
            ),
            "packages/ui/other.ts": "import { env } from './config';\nenv('NOT_OURS');\n",
        },
    )
    found = names(tmp_path)
    assert {"NEXT_PRIVATE_STRIPE_API_KEY", "NEXT_PRIVATE_SIGNING_CSC_PROVIDER_BASE_URL"} <= found
    assert not {"IN_A_COMMENT", "NOT_OURS"} & found


def test_javascript_assert_helper_in_a_config_file(tmp_path: Path) -> None:
    # formbricks: docker/cube/cube.js
    make_repo(
        tmp_path,
        {
            "docker/cube/cube.js": (
                "const assertRequiredEnvironmentVariable = (name) => {\n"
                "  if (!process.env[name]) {\n"
                "    throw new Error(`${name} is required`);\n"
                "  }\n"
                "};\n"
                'assertRequiredEnvironmentVariable("CUBEJS_API_SECRET");\n'
            )
        },
    )
    assert "CUBEJS_API_SECRET" in names(tmp_path)


def test_a_function_that_sets_the_environment_is_not_a_helper(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "lib/env.ts": (
                "export function restoreEnv(key: string, value?: string) {\n"
                "  process.env[key] = value;\n"
                "}\n"
                "restoreEnv('SET_NOT_READ', 'x');\n"
            )
        },
    )
    assert "SET_NOT_READ" not in names(tmp_path)


def test_go_getenv_default_and_env_int_helpers(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "internal/config/env.go": (
                "package config\n\n"
                'import ("os"; "strconv")\n\n'
                "func getenvDefault(key, fallback string) string {\n"
                "\tif v, ok := os.LookupEnv(key); ok {\n\t\treturn v\n\t}\n\treturn fallback\n}\n\n"
                "func EnvInt(key string, def int) int {\n"
                '\tn, err := strconv.Atoi(getenvDefault(key, ""))\n'
                "\tif err != nil {\n\t\treturn def\n\t}\n\treturn n\n}\n\n"
                'var addr = getenvDefault("LISTEN_ADDR", ":8080")\n'
            ),
            "cmd/server/main.go": (
                "package main\n\n"
                'import "example.com/app/internal/config"\n\n'
                'func main() { _ = config.EnvInt("WORKERS", 8081) }\n'
            ),
        },
    )
    assert {"LISTEN_ADDR", "WORKERS"} <= names(tmp_path)


# --- libraries ------------------------------------------------------------------------


def test_dj_database_url_default_env_and_a_module_constant() -> None:
    # saleor/settings.py: the replica's variable is chosen at import time
    text = (
        "import os\nimport dj_database_url\n"
        'if "DATABASE_URL_REPLICA" in os.environ:\n'
        '    REPLICA = "DATABASE_URL_REPLICA"\n'
        "else:\n"
        "    REPLICA = dj_database_url.DEFAULT_ENV\n"
        "DATABASES = {\n"
        '    "default": dj_database_url.config(env=dj_database_url.DEFAULT_ENV, conn_max_age=0),\n'
        '    "replica": dj_database_url.config(env=REPLICA),\n'
        '    "other": dj_database_url.config(),\n'
        "}\n"
    )
    found = [(u.name, u.line) for u in python.read(text, "settings.py")]
    assert ("DATABASE_URL", 8) in found
    assert ("DATABASE_URL_REPLICA", 4) in found
    assert ("DATABASE_URL", 10) in found


def test_django_environ_and_decouple() -> None:
    text = (
        "import environ\nfrom decouple import config\n"
        "env = environ.Env(DEBUG=(bool, False))\n"
        'SECRET_KEY = env("SECRET_KEY")\n'
        'DEBUG = env.bool("DEBUG", default=False)\n'
        "DATABASES = {'default': env.db()}\n"
        "CACHES = {'default': env.cache_url('REDIS_URL')}\n"
        'SENTRY_DSN = config("SENTRY_DSN", default="")\n'
    )
    found = {u.name for u in python.read(text, "settings.py")}
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "SENTRY_DSN"} <= found


def test_envconfig_process_over_struct_fields(tmp_path: Path) -> None:
    # supabase/auth: internal/conf/configuration.go and confload.go
    make_repo(
        tmp_path,
        {
            "internal/conf/configuration.go": (
                "package conf\n\n"
                "type Rate struct{ Events float64 }\n\n"
                "func (r *Rate) Decode(value string) error { return nil }\n\n"
                "type SMTPConfiguration struct {\n"
                '\tMaxFrequency time.Duration `json:"max_frequency" split_words:"true"`\n'
                '\tHost         string        `json:"host"`\n'
                "}\n\n"
                "type DBConfiguration struct {\n"
                '\tURL       string `json:"url" envconfig:"DATABASE_URL" required:"true"`\n'
                '\tNamespace string `json:"namespace" envconfig:"DB_NAMESPACE" default:"auth"`\n'
                "}\n\n"
                'type Embedded struct { SiteURL string `split_words:"true"` }\n\n'
                "type GlobalConfiguration struct {\n"
                "\tEmbedded\n"
                "\tDB   DBConfiguration\n"
                "\tSMTP SMTPConfiguration\n"
                '\tRateLimitEmailSent Rate `split_words:"true" default:"30"`\n'
                '\tURIAllowList []string `json:"uri_allow_list" split_words:"true"`\n'
                '\tSkipped string `ignored:"true"`\n'
                "\tlower   string\n"
                "}\n"
            ),
            "internal/conf/confload/confload.go": (
                "package confload\n\n"
                'import "github.com/kelseyhightower/envconfig"\n\n'
                "func loadGlobal(config *conf.GlobalConfiguration) error {\n"
                '\tif err := envconfig.Process("gotrue", config); err != nil {\n'
                "\t\treturn err\n\t}\n\treturn nil\n}\n"
            ),
        },
    )
    found = names(tmp_path)
    assert {
        "GOTRUE_SITE_URL",
        "GOTRUE_DB_DATABASE_URL",
        "DATABASE_URL",
        "GOTRUE_DB_DB_NAMESPACE",
        "DB_NAMESPACE",
        "GOTRUE_SMTP_MAX_FREQUENCY",
        "GOTRUE_SMTP_HOST",
        "GOTRUE_RATE_LIMIT_EMAIL_SENT",
        "GOTRUE_URI_ALLOW_LIST",
    } <= found
    assert not {"GOTRUE_SKIPPED", "GOTRUE_LOWER", "GOTRUE_RATE_LIMIT_EMAIL_SENT_EVENTS"} & found


def test_viper_automatic_env_with_prefix_and_bind_env() -> None:
    text = (
        "package main\n\n"
        'import "github.com/spf13/viper"\n\n'
        "func init() {\n"
        '\tviper.SetEnvPrefix("app")\n'
        '\tviper.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))\n'
        "\tviper.AutomaticEnv()\n"
        '\tviper.BindEnv("token", "GITHUB_API_TOKEN")\n'
        '\t_ = viper.GetString("db.host")\n'
        "}\n"
    )
    found = {u.name for u in golang.read(text, "main.go")}
    assert found == {"GITHUB_API_TOKEN", "APP_DB_HOST"}


def test_t3_env_create_env_keys_and_a_renamed_runtime_env() -> None:
    # formbricks: apps/web/lib/env.ts
    text = (
        'import { createEnv } from "@t3-oss/env-nextjs";\n'
        "export const env = createEnv({\n"
        "  server: {\n"
        "    DATABASE_URL: z.url(),\n"
        "    AUTH_DEFAULT_TEAM_ID: z.string().optional(),\n"
        "  },\n"
        "  client: {},\n"
        "  runtimeEnv: {\n"
        "    DATABASE_URL: process.env.DATABASE_URL,\n"
        "    AUTH_DEFAULT_TEAM_ID: process.env.AUTH_SSO_DEFAULT_TEAM_ID,\n"
        "  },\n"
        "});\n"
    )
    found = {u.name for u in javascript.read(text, "env.ts")}
    assert found == {"DATABASE_URL", "AUTH_SSO_DEFAULT_TEAM_ID"}


def test_zod_schema_parsed_from_process_env() -> None:
    text = (
        "import { z } from 'zod'\n\n"
        "const envSchema = z.object({\n"
        "  PORT: z.coerce.number().default(3333),\n"
        "  JWT_SECRET: z.string(),\n"
        "  'COOKIE_SECRET': z.string(),\n"
        "})\n\n"
        "export const env = envSchema.parse(process.env)\n"
    )
    found = [(u.name, u.line) for u in javascript.read(text, "env.ts")]
    assert found == [("PORT", 4), ("JWT_SECRET", 5), ("COOKIE_SECRET", 6)]


def test_vite_load_env() -> None:
    # formbricks: packages/surveys/vite.config.mts
    text = (
        'import { defineConfig, loadEnv } from "vite";\n'
        "export default defineConfig(({ mode }) => {\n"
        '  const env = loadEnv(mode, process.cwd(), "");\n'
        "  return { define: { key: JSON.stringify(env.SURVEYS_PACKAGE_KEY) } };\n"
        "});\n"
    )
    assert {u.name for u in javascript.read(text, "vite.config.mts")} == {"SURVEYS_PACKAGE_KEY"}


def test_turbo_json_env_lists() -> None:
    text = (
        "{\n"
        '  "globalEnv": ["MIGRATE_DATABASE_URL"],\n'
        '  "tasks": {\n'
        '    "build": { "env": ["NODE_ENV", "NEXT_PUBLIC_*"], "passThroughEnv": ["S3_REGION"] }\n'
        "  }\n"
        "}\n"
    )
    assert [(u.name, u.line, u.kind) for u in turbo.read(text, "turbo.json")] == [
        ("MIGRATE_DATABASE_URL", 2, P),
        ("NODE_ENV", 4, P),
        ("S3_REGION", 4, P),
    ]


# --- deploy files -----------------------------------------------------------------------


def test_compose_interpolation_anywhere_in_the_file() -> None:
    # formbricks: docker-compose.dev.yml
    text = (
        "services:\n"
        "  hub:\n"
        "    image: ghcr.io/formbricks/hub:${HUB_IMAGE_TAG:-0.8.5}\n"
        "    ports:\n"
        '      - "${QWEN_VLLM_PORT:-8000}:8000"\n'
        "    command:\n"
        "      - ${QWEN_MODEL_ID:-Qwen/Qwen3-14B-AWQ}\n"
        "    healthcheck:\n"
        '      test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER}"]\n'
    )
    found = [(u.name, u.line, u.kind) for u in compose.read(text, "docker-compose.yml")]
    assert found == [("HUB_IMAGE_TAG", 3, P), ("QWEN_VLLM_PORT", 5, P), ("QWEN_MODEL_ID", 7, P)]


def test_a_workflow_env_key_and_the_stored_secret_under_its_own_name() -> None:
    text = (
        "on: push\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        "      GITHUB_TOKEN: ${{ secrets.GH_PAT }}\n"
        "      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n"
        "    steps: [{ run: make }]\n"
    )
    found = [(u.name, u.line, u.kind) for u in workflows.read(text, ".github/workflows/d.yml")]
    assert found == [
        ("GITHUB_TOKEN", 6, P),
        ("GH_PAT", 6, UseKind.SECRET_REF),
        ("NPM_TOKEN", 7, P),
    ]


# --- tests, dynamic reads ------------------------------------------------------------------


def test_what_counts_as_a_test_path() -> None:
    for path in (
        "tests/test_x.py",
        "saleor/plugins/avatax/tests/conftest.py",
        "apps/web/lib/env.test.ts",
        "packages/app-tests/playwright.config.ts",
        "internal/api/token_test.go",
        "docker/testing/compose.yml",
        "apps/web/integration/setup.ts",
    ):
        assert is_test_path(path), path
    for path in (
        "app/settings.py",
        "apps/web/lib/env.ts",
        ".github/workflows/tests.yaml",
        "src/latest/x.py",
        "contest/x.ts",
    ):
        assert not is_test_path(path), path


def test_reads_in_tests_are_marked_test_only(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "app.py": "import os\nos.environ['APP_KEY']\n",
            "tests/conftest.py": "import os\nos.environ['TEST_REDIS_DB']\n",
        },
    )
    marks = {u.name: u.test_only for u in read_uses(tmp_path)}
    assert marks == {"APP_KEY": False, "TEST_REDIS_DB": True}


def test_names_built_at_run_time_are_dynamic_uses() -> None:
    py = 'import os\nprefix = "X"\na = os.environ[f"{prefix}_URL"]\nb = os.getenv(prefix + "_KEY")\nc = os.environ[name]\n'
    assert [(u.name, u.kind) for u in python.read(py, "a.py")] == [
        ("{prefix}_URL", D),
        ("{prefix}_KEY", D),
    ]
    js = "const a = process.env[`${provider}_API_KEY`];\nconst b = process.env[key];\n"
    assert [(u.name, u.kind) for u in javascript.read(js, "a.ts")] == [("{provider}_API_KEY", D)]
    go = 'package m\nimport "os"\nvar v = os.Getenv(prefix + "_URL")\n'
    assert [(u.name, u.kind) for u in golang.read(go, "m.go")] == [("{prefix}_URL", D)]
