"""Runtime settings, read once at start-up."""

import os

DATABASE_URL = os.environ["DATABASE_URL"]
APP_BASE_URL = os.getenv("APP_BASE_URL", "https://clubhouse.example")
SESSION_SECRET = os.environ["SESSION_SECRET"]
SENTRY_DSN = os.environ.get("SENTRY_DSN")
