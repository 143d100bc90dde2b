"""Providers: where to rotate each one's keys, and which key formats are public or test-only."""

from __future__ import annotations

__all__ = ["ROTATE_URLS", "rotate_url"]

#: Provider name -> the page where its keys are revoked and rolled.
ROTATE_URLS: dict[str, str] = {
    "Stripe": "https://dashboard.stripe.com/apikeys",
    "Stripe webhook": "https://dashboard.stripe.com/webhooks",
    "Postmark": "https://account.postmarkapp.com/api_tokens",
    "SendGrid": "https://app.sendgrid.com/settings/api_keys",
    "Mailgun": "https://app.mailgun.com/settings/api_security",
    "Resend": "https://resend.com/api-keys",
    "Twilio": "https://console.twilio.com/us1/account/keys-credentials/api-keys",
    "Slack": "https://api.slack.com/apps",
    "GitHub": "https://github.com/settings/tokens",
    "Grafana": "https://grafana.com/docs/grafana/latest/administration/service-accounts/",
    "GitLab": "https://gitlab.com/-/user_settings/personal_access_tokens",
    "npm": "https://www.npmjs.com/settings/~/tokens",
    "PyPI": "https://pypi.org/manage/account/token/",
    "AWS": "https://console.aws.amazon.com/iam/home#/security_credentials",
    "Google Cloud": "https://console.cloud.google.com/apis/credentials",
    "OpenAI": "https://platform.openai.com/api-keys",
    "Anthropic": "https://console.anthropic.com/settings/keys",
    "Supabase": "https://supabase.com/dashboard/project/_/settings/api",
    "Fly.io": "https://fly.io/user/personal_access_tokens",
    "Azure": "https://portal.azure.com/",
    "Mailchimp": "https://us1.admin.mailchimp.com/account/api/",
    "Algolia": "https://dashboard.algolia.com/account/api-keys",
    "Mapbox": "https://account.mapbox.com/access-tokens/",
    "Discord": "https://discord.com/developers/applications",
    "Telegram": "https://t.me/BotFather",
    "Square": "https://developer.squareup.com/apps",
    "Artifactory": "https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens",
    "IBM Cloud": "https://cloud.ibm.com/iam/apikeys",
    "Clerk": "https://dashboard.clerk.com/~/api-keys",
    "Cloudflare": "https://dash.cloudflare.com/profile/api-tokens",
    "Vercel": "https://vercel.com/account/tokens",
    "Expo": "https://expo.dev/settings/access-tokens",
    "OneSignal": "https://documentation.onesignal.com/docs/keys-and-ids",
    "RevenueCat": "https://app.revenuecat.com/",
    "Auth0": "https://manage.auth0.com/#/applications",
    "Firebase": "https://console.firebase.google.com/project/_/settings/cloudmessaging",
    "Microsoft Entra ID": (
        "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade"
    ),
    "Render": "https://dashboard.render.com/u/settings#api-keys",
    "NATS": "https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/nkey_auth",
}

#: detect-secrets' plugin secret types -> provider names.
DETECT_SECRETS_PROVIDERS: dict[str, str] = {
    "Artifactory Credentials": "Artifactory",
    "AWS Access Key": "AWS",
    "Azure Storage Account access key": "Azure",
    "Discord Bot Token": "Discord",
    "GitHub Token": "GitHub",
    "GitLab Token": "GitLab",
    "IBM Cloud IAM Key": "IBM Cloud",
    "IBM COS HMAC Credentials": "IBM Cloud",
    "Mailchimp Access Key": "Mailchimp",
    "NPM tokens": "npm",
    "OpenAI Token": "OpenAI",
    "PyPI upload token": "PyPI",
    "SendGrid API Key": "SendGrid",
    "Slack Token": "Slack",
    "Square OAuth Secret": "Square",
    "Stripe Access Key": "Stripe",
    "Telegram Bot Token": "Telegram",
    "Twilio API Key": "Twilio",
}


def rotate_url(provider: str) -> str | None:
    return ROTATE_URLS.get(provider)
