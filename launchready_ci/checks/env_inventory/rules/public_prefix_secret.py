from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register

#: Prefixes that front-end build tools inline into client bundles, longest first.
PUBLIC_PREFIXES: tuple[tuple[str, str], ...] = (
    ("NEXT_PUBLIC_", "Next.js"),
    ("EXPO_PUBLIC_", "Expo"),
    ("REACT_APP_", "Create React App"),
    ("VITE_", "Vite"),
    ("PUBLIC_", "SvelteKit and Astro"),
)


@register
class PublicPrefixSecret(EnvRule):
    """An inventory entry marked `secret: true` has a prefix that ships it to browsers.

    Why
    ---
    A value in a client bundle is public: anyone can read it in the browser's dev tools
    or by unpacking the app. A secret with a public prefix is leaked by the first
    deploy, and no access control on the server can take it back.

    Build tools copy variables with these prefixes into the JavaScript they send to
    every visitor or install on every phone: `NEXT_PUBLIC_` (Next.js), `VITE_` (Vite),
    `EXPO_PUBLIC_` (Expo), `REACT_APP_` (Create React App) and `PUBLIC_` (SvelteKit,
    Astro). The rule reads the inventory's `secret` flag and the name; it does not look
    at built bundles, at other tools' conventions or at custom `envPrefix` settings,
    and it trusts the flag: a secret not marked `secret: true` is not reported.

    Remediation
    -----------
    Rename the variable without the public prefix and read it only in server code (an
    API route, a server action, a backend); the client calls the server instead. Then
    rotate the value: if it was ever deployed under the public name, treat it as leaked.
    If the value is in fact public (a publishable key), set `secret: false`.

    References
    ----------
    - https://nextjs.org/docs/app/building-your-application/configuring/environment-variables#bundling-environment-variables-for-the-browser
    - https://vite.dev/guide/env-and-mode
    - https://docs.expo.dev/guides/environment-variables/
    - https://create-react-app.dev/docs/adding-custom-environment-variables/
    - https://svelte.dev/docs/kit/$env-static-public
    """

    id = "env/public-prefix-secret"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  NEXT_PUBLIC_STRIPE_SECRET_KEY:\n    purpose: Charge cards\n"
            '    owner: "@payments"\n    secret: true',
        ),
        "good": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    purpose: Charge cards (server only)\n"
            '    owner: "@payments"\n    secret: true\n'
            "  NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY:\n    purpose: Stripe.js in the browser\n"
            '    owner: "@payments"\n    secret: false',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        for entry in inventory.entries.values():
            if entry.secret is not True:
                continue
            hit = next(((p, tool) for p, tool in PUBLIC_PREFIXES if entry.name.startswith(p)), None)
            if hit is None:
                continue
            prefix, tool = hit
            yield cls.finding(
                f"{entry.name} is marked secret, but the {prefix} prefix makes {tool} "
                "put it into code shipped to browsers and phones",
                inventory.location(entry),
                content=entry.name,
                properties={"variable": entry.name, "prefix": prefix},
            )
