from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class CommittedEnvFile(Rule):
    """A dotenv file with real-looking secret values is committed (or not ignored by git).

    Files named `.env`, `.env.production`, `.env.local`, `deploy/prod.env` and the like.

    Why
    ---
    A `.env` file is where a developer pastes every credential the app needs: one
    committed file leaks all of them at once, and every clone, fork and CI cache keeps
    it. The file is judged as a whole: it is reported when at least one secret-looking
    name (`*_SECRET`, `*_TOKEN`, `*_PASSWORD`, `*_API_KEY`...) has a real-looking value,
    or a URL holds a password for a remote host. Templates (`.env.example`,
    `.env.sample`, `.env.template`...) are not read, and public entries
    (`NEXT_PUBLIC_*`, `EXPO_PUBLIC_*`, `VITE_*`, publishable and anon keys), empty values
    and placeholders do not count, so a Next.js `.env.production` of public defaults
    passes. The finding names the entries, never their values. A file that git does not
    track yet is a warning: one `git add .` away.

    Remediation
    -----------
    Rotate every value the finding names at its provider first: the file stays in the
    history of every clone. Then remove the file from git (`git rm --cached .env.production`),
    add `.env*` with `!.env.example` to `.gitignore`, commit a `.env.example` with
    placeholders instead, and keep real values in the host's or GitHub's secret store.

    References
    ----------
    - https://12factor.net/config
    - https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions
    """

    id = "secrets/committed-env-file"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("# .env.production\nSESSION_SECRET=" + "9f2cB7e1Qx4mZ8vKd3",),
        "good": ("# .env.example\nSTRIPE_SECRET_KEY=\nSESSION_SECRET=changeme",),
    }
