"""Email journeys: the ``email:`` steps of the smoke test and the checks on each message.

A journey's step makes the app send mail (a password reset, an invite, a receipt); an
``email:`` step waits for the message in a test inbox, takes what later steps need from
it (the reset link, a code), and judges it the way a receiving provider and a member
would. One module per area holds its rules and the detection behind them:

- :mod:`.inbox`: waiting, matching and capturing (never arrived, late, the inbox itself);
  :mod:`.adapters` speaks each inbox's protocol (an SMTP sink launchready runs, IMAP,
  MailDev's and Mailpit's REST APIs);
- :mod:`.auth`: DKIM against live DNS, DMARC alignment, SPF, the DMARC result;
- :mod:`.content`: one-click unsubscribe for bulk mail, a text part, Gmail's clipping
  size, image-only bodies;
- :mod:`.links`: every link on the canonical host, followed hop by hop, its token kept;
- :mod:`.spam`: SpamAssassin's score against a threshold.

:mod:`.check` turns what every email step saw into findings on the step's line of
launchready.yml and the per-email table of the report.
"""
