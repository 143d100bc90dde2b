"""Transactional mail (invites, password resets) through Postmark."""

import json
import urllib.request

smtp_password = "Pm-smtp-7Hq2xK9vRt4Lw8Nc"


def send_password_reset(to: str, link: str) -> None:
    body = json.dumps({"From": "hello@clubhouse.example", "To": to,
                       "Subject": "Reset your password", "TextBody": link})
    req = urllib.request.Request(
        "https://api.postmarkapp.com/email",
        data=body.encode(),
        headers={"X-Postmark-Server-Token": smtp_password, "Content-Type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=10)
