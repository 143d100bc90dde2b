"""What a variable's name alone says: set by GitHub Actions itself, or secret-looking."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from launchready_ci.checks.env_inventory.model import Use, UseKind

__all__ = [
    "NEEDS_ENTRY",
    "dynamic_matcher",
    "is_github_builtin",
    "looks_secret",
    "named_secret",
    "provided_by",
]

#: Kinds of use that make a variable something the environment must provide, so that
#: it needs an inventory entry. Not EXAMPLE (a template only documents) and not SET,
#: LITERAL or CREDENTIAL (the file that sets the value defines it).
NEEDS_ENTRY: Final = frozenset({UseKind.READ, UseKind.PASS, UseKind.SECRET_REF, UseKind.VAR_REF})

# https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables
_GITHUB_DEFAULTS: Final = frozenset(
    {
        "CI",
        "GITHUB_ACTION",
        "GITHUB_ACTION_PATH",
        "GITHUB_ACTION_REPOSITORY",
        "GITHUB_ACTIONS",
        "GITHUB_ACTOR",
        "GITHUB_ACTOR_ID",
        "GITHUB_API_URL",
        "GITHUB_BASE_REF",
        "GITHUB_ENV",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_GRAPHQL_URL",
        "GITHUB_HEAD_REF",
        "GITHUB_JOB",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_REF",
        "GITHUB_REF_NAME",
        "GITHUB_REF_PROTECTED",
        "GITHUB_REF_TYPE",
        "GITHUB_REPOSITORY",
        "GITHUB_REPOSITORY_ID",
        "GITHUB_REPOSITORY_OWNER",
        "GITHUB_REPOSITORY_OWNER_ID",
        "GITHUB_RETENTION_DAYS",
        "GITHUB_RUN_ATTEMPT",
        "GITHUB_RUN_ID",
        "GITHUB_RUN_NUMBER",
        "GITHUB_SERVER_URL",
        "GITHUB_SHA",
        "GITHUB_STATE",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_TOKEN",
        "GITHUB_TRIGGERING_ACTOR",
        "GITHUB_WORKFLOW",
        "GITHUB_WORKFLOW_REF",
        "GITHUB_WORKFLOW_SHA",
        "GITHUB_WORKSPACE",
    }
)
_GITHUB_PREFIXES: Final = ("RUNNER_", "ACTIONS_")

#: Words that make a name look like a secret, matched as whole ``_``-separated words.
_SECRET_WORDS: Final = re.compile(
    r"(?:^|_)(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|CREDENTIALS?|APIKEY|API_KEY|"
    r"PRIVATE_KEY|ACCESS_KEY|SECRET_KEY|AUTH_KEY|SIGNING_KEY|ENCRYPTION_KEY)(?:_|$)"
)
#: ...unless the name ends in a word that says it is about the secret, not the secret
#: (``TOKEN_URL``), or names a switch (``NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNIN``).
_NOT_THE_SECRET: Final = re.compile(
    r"_(?:URL|URI|ENDPOINT|HOST|PORT|PATH|FILE|DIR|NAME|ID|TTL|EXPIRY|EXPIRES|EXPIRES_IN|"
    r"LENGTH|HEADER|ISSUER|AUDIENCE|ALGORITHM|ENABLED|REGION|USER|USERNAME|"
    r"SIGNIN|SIGNUP|LOGIN|DISABLED|REQUIRED|POLICY|MODE|TYPE|PROVIDER|LIFETIME|TIMEOUT)$"
)
#: Connection URLs that carry their password (``postgres://app:pw@db/app``).
_CREDENTIAL_URL: Final = re.compile(
    r"(?:^|_)(?:DATABASE|DB|POSTGRES|POSTGRESQL|MYSQL|MONGO|MONGODB|REDIS|AMQP|RABBITMQ|BROKER)"
    r"_URL$"
)
_PUBLIC_PREFIXES: Final = ("NEXT_PUBLIC_", "EXPO_PUBLIC_", "REACT_APP_", "VITE_", "PUBLIC_")


def is_github_builtin(name: str) -> bool:
    """A variable that GitHub Actions sets on every runner (``GITHUB_SHA``, ``CI``,
    ``RUNNER_OS``) or the built-in ``GITHUB_TOKEN`` secret. Other ``GITHUB_`` names
    (``GITHUB_CLIENT_SECRET`` of an OAuth app) are the app's own."""
    return name in _GITHUB_DEFAULTS or name.startswith(_GITHUB_PREFIXES)


def looks_secret(name: str) -> bool:
    """``STRIPE_SECRET_KEY``, ``API_TOKEN``, ``DB_PASSWORD``; not ``TOKEN_URL``,
    ``JWT_SECRET_FILE`` or public-prefixed names (``NEXT_PUBLIC_MAPBOX_TOKEN``)."""
    return not name.upper().startswith(_PUBLIC_PREFIXES) and named_secret(name)


def named_secret(name: str) -> bool:
    """The word test of :func:`looks_secret` without its public-prefix exception, plus
    the connection URLs that hold a password (``DATABASE_URL``, ``REDIS_URL``): what the
    inventory draft guesses as ``secret: true``. A public-prefixed name that passes
    (``NEXT_PUBLIC_STRIPE_SECRET_KEY``) is a real env/public-prefix-secret problem."""
    upper = name.upper()
    bare = next((upper[len(p) :] for p in _PUBLIC_PREFIXES if upper.startswith(p)), upper)
    if _CREDENTIAL_URL.search(bare):
        return True
    if _NOT_THE_SECRET.search(bare):
        return False
    return _SECRET_WORDS.search(bare) is not None


#: Variables the platform, the CI runner, the framework or the package manager sets:
#: nobody on the team owns them. Named one by one: a platform's prefix also covers the
#: team's own credentials for it (``FLY_API_TOKEN``, ``VERCEL_TOKEN``, ``RENDER_API_KEY``
#: are secrets someone stores). The value is what the inventory's ``provided:`` says.
_PROVIDED_NAMES: Final = {
    "ci": ("CI",),
    "platform": ("PORT",),
    "framework": ("NODE_ENV",),
    "next.js": ("NEXT_RUNTIME", "NEXT_PHASE"),
    "vercel": (
        "VERCEL",
        "VERCEL_ENV",
        "VERCEL_URL",
        "VERCEL_BRANCH_URL",
        "VERCEL_REGION",
        "VERCEL_PROJECT_PRODUCTION_URL",
        "VERCEL_DEPLOYMENT_ID",
        "NEXT_PUBLIC_VERCEL_ENV",
        "NEXT_PUBLIC_VERCEL_URL",
        "NEXT_PUBLIC_VERCEL_BRANCH_URL",
    ),
    "fly": (
        "FLY_APP_NAME",
        "FLY_MACHINE_ID",
        "FLY_ALLOC_ID",
        "FLY_REGION",
        "FLY_PUBLIC_IP",
        "FLY_PRIVATE_IP",
        "FLY_IMAGE_REF",
        "FLY_MACHINE_VERSION",
        "FLY_PROCESS_GROUP",
        "FLY_VM_MEMORY_MB",
        "PRIMARY_REGION",
    ),
    "render": (
        "RENDER",
        "RENDER_SERVICE_ID",
        "RENDER_SERVICE_NAME",
        "RENDER_SERVICE_TYPE",
        "RENDER_EXTERNAL_URL",
        "RENDER_EXTERNAL_HOSTNAME",
        "RENDER_INSTANCE_ID",
        "RENDER_DISCOVERY_SERVICE",
        "RENDER_GIT_COMMIT",
        "RENDER_GIT_BRANCH",
        "RENDER_GIT_REPO_SLUG",
        "IS_PULL_REQUEST",
    ),
    "railway": (
        "RAILWAY_ENVIRONMENT",
        "RAILWAY_ENVIRONMENT_ID",
        "RAILWAY_ENVIRONMENT_NAME",
        "RAILWAY_PROJECT_ID",
        "RAILWAY_PROJECT_NAME",
        "RAILWAY_SERVICE_ID",
        "RAILWAY_SERVICE_NAME",
        "RAILWAY_PUBLIC_DOMAIN",
        "RAILWAY_PRIVATE_DOMAIN",
        "RAILWAY_STATIC_URL",
        "RAILWAY_DEPLOYMENT_ID",
        "RAILWAY_REPLICA_ID",
    ),
    "heroku": (
        "DYNO",
        "HEROKU_APP_ID",
        "HEROKU_APP_NAME",
        "HEROKU_DYNO_ID",
        "HEROKU_RELEASE_VERSION",
        "HEROKU_RELEASE_CREATED_AT",
        "HEROKU_SLUG_COMMIT",
        "HEROKU_SLUG_DESCRIPTION",
    ),
    "netlify": ("NETLIFY",),
    "cloud-run": ("K_SERVICE", "K_REVISION", "K_CONFIGURATION", "CLOUD_RUN_JOB"),
    "aws-lambda": ("AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION"),
    "os": ("HOME", "PATH", "PWD", "HOSTNAME", "USER", "SHELL", "TMPDIR"),
}
_PROVIDED: Final = {name: who for who, names in _PROVIDED_NAMES.items() for name in names}
_PROVIDED_PREFIXES: Final = (
    ("VERCEL_GIT_", "vercel"),
    ("NEXT_PUBLIC_VERCEL_GIT_", "vercel"),
    ("RAILWAY_GIT_", "railway"),
    ("npm_package_", "npm"),
    ("npm_config_", "npm"),
    ("npm_lifecycle_", "npm"),
)


def provided_by(name: str) -> str | None:
    """Who sets ``name`` when nobody on the team does: ``platform`` for ``PORT``,
    ``vercel`` for ``VERCEL_URL``, ``github-actions`` for ``GITHUB_SHA`` ... or None
    (``GITHUB_TOKEN`` too is GitHub's, the built-in token)."""
    if name in _PROVIDED:
        return _PROVIDED[name]
    if is_github_builtin(name):
        return "github-actions"
    return next((who for prefix, who in _PROVIDED_PREFIXES if name.startswith(prefix)), None)


def dynamic_matcher(uses: Iterable[Use]) -> re.Pattern[str] | None:
    """One pattern for every name the DYNAMIC uses could build (``{prefix}_URL`` matches
    any name ending in ``_URL``), or None when there is none."""
    parts = []
    for use in uses:
        if use.kind != UseKind.DYNAMIC:
            continue
        pieces = re.split(r"\{[^{}]*\}", use.name)
        if not any(pieces):
            continue
        parts.append("[A-Za-z0-9_]*".join(re.escape(p) for p in pieces))
    return re.compile("|".join(f"(?:{p})" for p in sorted(set(parts)))) if parts else None
