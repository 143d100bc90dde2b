"""Stripe billing for the monthly membership plan."""

import stripe

# TODO: move to the environment before launch
stripe.api_key = "sk_live_51NzQkGHf8x2LmP4vTq9RsWc7YbKd3JeUa6VnXo1Zi5Mg0Ft"

PLAN_PRICE_ID = "price_1NzQm2GHf8x2LmP4monthly"


def start_checkout(member_email: str) -> str:
    session = stripe.checkout.Session.create(
        mode="subscription",
        customer_email=member_email,
        line_items=[{"price": PLAN_PRICE_ID, "quantity": 1}],
        success_url="https://clubhouse.example/welcome",
        cancel_url="https://clubhouse.example/join",
    )
    return session.url
