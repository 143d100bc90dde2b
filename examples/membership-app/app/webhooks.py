"""Stripe webhooks: activate a membership when the first invoice is paid."""

import os

import stripe

WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]


def handle(payload: bytes, signature: str) -> str:
    event = stripe.Webhook.construct_event(payload, signature, WEBHOOK_SECRET)
    if event["type"] == "invoice.paid":
        return "activate"
    return "ignored"
