"""What a variable's name alone says: set by GitHub Actions itself, or secret-looking."""

from __future__ import annotations

import re
from typing import Final

from launchready_ci.checks.env_inventory.model import UseKind

__all__ = ["NEEDS_ENTRY", "is_github_builtin", "looks_secret"]

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
#: ...unless the name ends in a word that says it is about the secret, not the secret.
_NOT_THE_SECRET: Final = re.compile(
    r"_(?:URL|URI|ENDPOINT|HOST|PORT|PATH|FILE|DIR|NAME|ID|TTL|EXPIRY|EXPIRES|EXPIRES_IN|"
    r"LENGTH|HEADER|ISSUER|AUDIENCE|ALGORITHM|ENABLED|REGION|USER|USERNAME)$"
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
    upper = name.upper()
    if upper.startswith(_PUBLIC_PREFIXES) or _NOT_THE_SECRET.search(upper):
        return False
    return _SECRET_WORDS.search(upper) is not None
