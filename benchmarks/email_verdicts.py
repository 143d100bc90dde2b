#!/usr/bin/env python3
"""Email journeys: time from send to verdict for 10 messages, against the same checks done
by hand with dkimpy's `dkimverify` and `spamassassin -t -L`, on the same messages, in the
same run; and whether the verdicts agree.

The 10 messages are built once (tests/mailservers.py: a password reset signed with dkimpy,
its key in a local NSD): 6 healthy, one with a footer added after signing (broken body
hash), one signed by another domain (verifies, not aligned), one HTML-only and one
image-only "spammy" one. The test app sends them byte for byte to launchready's SMTP sink
when a journey asks (POST /send-prepared).

- ours: one `launchready smoke run --journeys email --runs 1` of 10 journeys (ask, then
  an email step), timed from outside: start-up, the sink, the 10 sends, waiting, DKIM,
  SPF, DMARC, links followed, SpamAssassin on each, the report. Per message, the JSON
  report's "Arrived" column is the time from the request that sent it to the sink.
- by hand: for each .eml file, `dkimverify` (dkimpy's CLI, its resolver pointed at the
  same NSD) and `spamassassin -t -L`, one after the other, as a person would.

Both sides run --repeats times, interleaved (so load affects both); medians. Agreement:
our DKIM column against dkimverify's "signature ok", our spam verdict (score >= 5)
against SpamAssassin's X-Spam-Flag, and our score against its score.

    python benchmarks/email_verdicts.py [--repeats 3]

Needs NSD and SpamAssassin (Debian packages); writes benchmarks/results/email_verdicts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

from _timing import run_timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ["healthy"] * 6 + ["body-hash", "unaligned", "html-only", "spammy"]
DKIMVERIFY = (
    "import sys, dns.resolver; r = dns.resolver.Resolver(configure=False); "
    "r.nameservers = [sys.argv[1]]; r.port = int(sys.argv[2]); "
    "dns.resolver.default_resolver = r; sys.argv = sys.argv[:1]; "
    "from dkim.dkimverify import main; main()"
)


def _config(sink: int) -> str:
    journeys = "".join(
        f"""\
    - name: message {i} ({kind})
      steps:
        - {{method: POST, url: /send-prepared, form: {{n: "{i}", email: "m{i}@mail.test"}}}}
        - email: {{type: message {i}, to: "m{i}@mail.test", deadline: 60s, interval: 100ms}}
"""
        for i, kind in enumerate(KINDS)
    )
    return f"""\
smoke:
  runs: 1
  email:
    inboxes:
      sink: {{type: sink, listen: "127.0.0.1:{sink}"}}
    links: {{canonical: app.mail.test}}
  journeys:
{journeys}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from tests.helpers import make_repo
    from tests.mailservers import build_message, mail_app, mail_dns
    from tests.servers import _free_tcp_port

    work = Path(tempfile.mkdtemp(prefix="launchready-bench-email-"))
    launchready = str(Path(sys.executable).parent / "launchready")
    sink = _free_tcp_port()
    ours_s: list[float] = []
    hand_s: list[float] = []
    agreement: list[dict[str, object]] = []
    with mail_dns() as dns, mail_app(dns.key, ("127.0.0.1", sink)) as app:
        host, port = dns.nameserver.split(":")
        for i, kind in enumerate(KINDS):
            to = f"m{i}@mail.test" if kind == "healthy" else f"fault+{kind}@mail.test"
            raw = build_message("reset", to, f"tok{i:02d}abcdefghijklmnop", app.outbox, app.port)
            assert raw is not None
            app.outbox.prepared.append(raw)
            (work / f"{i}.eml").write_bytes(raw)
        repo = make_repo(work / "repo", {"launchready.yml": _config(sink)}, commit=False)
        for rep in range(args.repeats):
            report = work / f"ours-{rep}.json"
            ours = run_timed(
                [launchready, "smoke", "run", "--root", str(repo), "--journeys", "email",
                 "--base-url", app.base_url, "--ca-bundle", app.ca_bundle,
                 "--nameserver", dns.nameserver, "--connect-to", app.connect_to(),
                 "--fail-on", "never", "--quiet", "--json", str(report)],
                timeout=600,
            )  # fmt: skip
            if ours.returncode != 0:
                print(ours.stderr, file=sys.stderr)
                return 1
            ours_s.append(ours.seconds)
            rows = next(c for c in json.loads(report.read_text())["checks"]
                        if c["id"] == "email")["measurements"]  # fmt: skip
            hand_total = 0.0
            verdicts = []
            for i, kind in enumerate(KINDS):
                eml = (work / f"{i}.eml").open("rb")
                dkim = run_timed([sys.executable, "-c", DKIMVERIFY, host, port], timeout=120,
                                 stdin=eml.fileno())  # fmt: skip
                eml.close()
                eml = (work / f"{i}.eml").open("rb")
                spam = run_timed(["spamassassin", "-t", "-L"], timeout=300, stdin=eml.fileno())
                eml.close()
                hand_total += dkim.seconds + spam.seconds
                status = re.search(rb"X-Spam-Status: (\w+), score=(-?[\d.]+)", spam.stdout)
                assert status, spam.stderr
                row = next(r for r in rows if r["Email"] == f"message {i}")
                ours_score = float(row["Spam"].split(" / ")[0])
                verdicts.append({
                    "message": f"{i} ({kind})",
                    "arrived": row["Arrived"],
                    "dkim_ours": row["DKIM"],
                    "dkimverify": dkim.stdout.decode().strip(),
                    "dkim_agree": (row["DKIM"] == "pass") == (dkim.returncode == 0),
                    "spam_ours": ours_score,
                    "spamassassin": float(status.group(2)),
                    "spam_agree": (ours_score >= 5) == (status.group(1) == b"Yes")
                    and abs(ours_score - float(status.group(2))) < 0.051,
                })  # fmt: skip
            hand_s.append(hand_total)
            agreement = verdicts
    load = os.getloadavg()
    result = {
        "messages": len(KINDS),
        "repeats": args.repeats,
        "load_average": [round(x, 2) for x in load],
        "ours_send_to_verdict_s": {"median": round(statistics.median(ours_s), 2),
                                   "samples": [round(x, 2) for x in ours_s]},
        "by_hand_s": {"median": round(statistics.median(hand_s), 2),
                      "samples": [round(x, 2) for x in hand_s]},
        "agreement": agreement,
        "all_agree": all(v["dkim_agree"] and v["spam_agree"] for v in agreement),
    }  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "email_verdicts.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
