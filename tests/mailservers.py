"""Real mail servers for the email-journey tests, the benchmark and the demo (scripts
import this module, so it must not import pytest):

- :func:`mail_dns`: NSD serving ``mail.test`` (the app's domain: SPF for 127.0.0.1, a
  DKIM key at ``lr._domainkey``, DMARC p=reject) and ``esp.test`` (a sending service that
  signs with its own domain), with a fresh RSA key whose private half the test app signs
  with.
- :func:`mail_app`: a membership app that sends password resets, invites and a
  newsletter over SMTP, signed with dkimpy; a recipient ``fault+<kind>@mail.test`` plants
  one fault in its mail (see :data:`FAULTS`).
- :func:`dovecot_server`: Dovecot serving a test mailbox over IMAPS (a certificate from a
  local CA), unprivileged, on a free port; :func:`maildir_relay` is the SMTP server that
  delivers into it, adding the ``Authentication-Results`` a provider's MX adds.
- :func:`maildev_server`: MailDev from npm (tests/node, ``npm ci --prefix tests/node``).
- :func:`mailpit_standin`: Mailpit's documented REST API over an SMTP ingress, for where
  the Mailpit binary is not installed (no registry here ships it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers import ServerFailed, ServerMissing, _free_tcp_port, dkim_keypair, nsd_server

REPO = Path(__file__).resolve().parent.parent
NODE = REPO / "tests" / "node"
APP_HOST = "app.mail.test"
SENDER = "hello@mail.test"
BOUNCE = "bounce@mail.test"
MEMBER = "member@mail.test"
#: What ``fault+<kind>@mail.test`` plants in the mail sent to it.
FAULTS = (
    "never",  # nothing is sent
    "body-hash",  # a footer added after signing
    "unaligned",  # signed by esp.test for a From: at mail.test
    "no-unsubscribe",  # a newsletter without List-Unsubscribe-Post
    "localhost-link",  # the reset link points at http://localhost:3000
    "drops-token",  # the reset link redirects to a page without the token
    "404-link",  # the reset link ends in a 404
    "html-only",  # no text/plain part
    "oversized",  # 180 KB of HTML
    "spammy",  # an image-only, shouting message
    "slow",  # sent 2.5 s after the request (a queue that lags)
)


# --- DNS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DkimKey:
    private_pem: bytes
    txt: str  # the TXT record's value, quoted in 255-byte strings


def dkim_key(bits: int = 2048) -> DkimKey:
    return DkimKey(*dkim_keypair(bits))


SOA = (
    "@ 300 IN SOA ns1.mail.test. hostmaster.mail.test. 1 3600 600 86400 300\n@ NS ns1.mail.test.\n"
)


@dataclass(frozen=True)
class MailDns:
    nameserver: str  # 127.0.0.1:PORT
    key: DkimKey


@contextmanager
def mail_dns(domain: str = "mail.test") -> Iterator[MailDns]:
    """``domain`` (mail.test; the demo uses clubhouse.test) as the app's mail domain."""
    key = dkim_key()
    zones = {
        domain: SOA
        + "ns1 A 127.0.0.1\n"
        + "app A 127.0.0.1\n"
        + '@ TXT "v=spf1 ip4:127.0.0.1 -all"\n'
        + f"lr._domainkey TXT {key.txt}\n"
        + '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mail.test"\n',
        "esp.test": SOA + '@ TXT "v=spf1 ip4:127.0.0.1 -all"\n' + f"esp._domainkey TXT {key.txt}\n",
    }
    for attempt in range(3):  # a free UDP port may be taken for TCP by another test's server
        try:
            server = nsd_server(extra_zones=zones)
            nameserver = server.__enter__()
        except ServerFailed:
            if attempt == 2:
                raise
            continue
        try:
            yield MailDns(nameserver, key)
        finally:
            server.__exit__(None, None, None)
        return


# --- the app that sends mail ---------------------------------------------------------------


@dataclass
class Outbox:
    """Where the app sends mail and what it did; a test turns ``smtp`` at runtime."""

    smtp: tuple[str, int]
    key: DkimKey
    sent: list[tuple[str, str]] = field(default_factory=list)  # (kind, recipient)
    sent_at: list[float] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    version: str = "v1"  # what /version reports: a deploy going live sets it
    domain: str = "mail.test"  # From:, the DKIM d= and the envelope sender's domain
    app_host: str = APP_HOST  # where links point
    faults: dict[str, str] = field(default_factory=dict)  # kind -> a fault in all its mail
    prepared: list[bytes] = field(default_factory=list)  # sent as is by POST /send-prepared
    lock: threading.Lock = field(default_factory=threading.Lock)


def _fault(address: str) -> str:
    local = address.partition("@")[0]
    return local.partition("+")[2] if local.startswith("fault+") else ""


def build_message(kind: str, to: str, token: str, outbox: Outbox, port: int) -> bytes | None:
    """The mail the app sends (signed), with the fault ``to`` asks for planted in it (or
    the one the outbox plants in every mail of ``kind``)."""
    import dkim

    key, domain_name = outbox.key, outbox.domain
    fault = _fault(to) or outbox.faults.get(kind, "")
    if fault == "never":
        return None
    base = f"https://{outbox.app_host}"
    link = {
        "localhost-link": f"http://localhost:3000/password/new?token={token}",
        "drops-token": f"{base}/r/password?token={token}",
        "404-link": f"{base}/password/choose?token={token}",
    }.get(fault, f"{base}/password/new?token={token}")
    subject, words, button = {
        "reset": ("Reset your Clubhouse password", "Someone asked to reset the password of "
                  "your Clubhouse account. If it was you, choose a new one:", "Choose a new password"),
        "invite": ("Ada invited you to the Clubhouse", "Ada invited you to join the Clubhouse, "
                   "the members' club for people who build things.", "Accept the invite"),
        "newsletter": ("This week at the Clubhouse", "Three new rooms opened this week, and "
                       "the founders' dinner is on Thursday.", "Read more"),
    }[kind]  # fmt: skip
    if kind == "invite":
        link = f"{base}/invite/{token}"
    if kind == "newsletter":
        link = f"{base}/news/week-12?ref={token}"
    msg = EmailMessage()
    msg["From"] = f"Clubhouse <hello@{domain_name}>"
    msg["To"] = to
    msg["Subject"] = subject + " !!! FREE $$$ ACT NOW" if fault == "spammy" else subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=domain_name)
    if kind == "newsletter":
        msg["List-Unsubscribe"] = (
            f"<{base}/unsubscribe?u={token}>, <mailto:unsubscribe@{domain_name}>"
        )
        if fault != "no-unsubscribe":
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = f"Hello,\n\n{words}\n\n{button}: {link}\n\nThe Clubhouse team\n"
    html = (
        "<html><body><p>Hello,</p>"
        f"<p>{words}</p>"
        f'<p><a href="{link}">{button}</a></p>'
        "<p>The Clubhouse team</p></body></html>"
    )
    if fault == "oversized":
        html = html.replace(
            "</body>", "<p>" + ("Clubhouse news and notes. " * 7000) + "</p></body>"
        )
    if fault == "spammy":
        html = (
            f'<html><body><a href="{link}"><img src="{base}/banner.png" '
            'width="600" height="400"></a></body></html>'
        )
    if fault in ("html-only", "spammy"):
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
    raw = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    domain = b"esp.test" if fault == "unaligned" else domain_name.encode()
    selector = b"esp" if fault == "unaligned" else b"lr"
    signed = [b"from", b"to", b"subject", b"date", b"message-id"]
    if kind == "newsletter":
        signed += [b"list-unsubscribe", b"list-unsubscribe-post"]
    signature = dkim.sign(raw, selector, domain, key.private_pem, include_headers=signed)
    raw = signature + raw
    if fault == "body-hash":
        raw += b"\r\n-- \r\nSent through a relay that adds a footer\r\n"
    return raw


def send(outbox: Outbox, kind: str, to: str, token: str, port: int) -> None:
    raw = build_message(kind, to, token, outbox, port)
    with outbox.lock:
        outbox.sent.append((kind, to))
        outbox.sent_at.append(time.time())
        outbox.tokens.add(token)
    if raw is None:
        return
    if _fault(to) == "slow":
        threading.Timer(2.5, _deliver, (outbox, to, raw)).start()
        return
    _deliver(outbox, to, raw)


def _deliver(outbox: Outbox, to: str, raw: bytes) -> None:
    try:  # as apps do: the page says "check your inbox" whatever the mail server said
        with smtplib.SMTP(*outbox.smtp, local_hostname=outbox.app_host, timeout=30) as smtp:
            smtp.sendmail(f"bounce@{outbox.domain}", [to], raw)
    except (OSError, smtplib.SMTPException) as exc:
        with outbox.lock:
            outbox.errors.append(f"{type(exc).__name__}: {exc}")


class _Handler(BaseHTTPRequestHandler):
    server: _AppServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        outbox = self.server.outbox
        token = query.get("token", "")
        if url.path == "/version":
            self._reply(200, json.dumps({"version": outbox.version}),
                        {"Content-Type": "application/json"})  # fmt: skip
        elif url.path == "/password/new":
            if token in outbox.tokens:
                self._reply(200, f'<h1>Choose a new password</h1><form method="post" '
                            f'action="/password/set"><input type="hidden" name="token" '
                            f'value="{token}"><input name="password"></form>')  # fmt: skip
            else:
                self._reply(200, "<h1>This link is missing its token</h1>")
        elif url.path == "/r/password":  # drops the query on the way
            self._reply(302, "", {"Location": "/password/new"})
        elif url.path.startswith("/invite/"):
            code = url.path.rsplit("/", 1)[1]
            self._reply(302, "", {"Location": f"/signup?invite={code}"})
        elif url.path in ("/signup", "/news/week-12", "/unsubscribe"):
            self._reply(200, "<h1>Clubhouse</h1>")
        else:
            self._reply(404, "<h1>Not found</h1>")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        to = form.get("email", MEMBER)
        token = secrets.token_urlsafe(24)
        kind = {"/password/reset": "reset", "/invites": "invite", "/newsletter": "newsletter"}
        if url.path == "/send-prepared":  # the benchmark's messages, byte for byte
            raw = self.server.outbox.prepared[int(form.get("n", "0"))]
            with smtplib.SMTP(*self.server.outbox.smtp, timeout=30) as smtp:
                smtp.sendmail(f"bounce@{self.server.outbox.domain}", [to], raw)
            self._reply(200, "<p>sent</p>")
        elif url.path in kind:
            send(self.server.outbox, kind[url.path], to, token, self.server.server_port)
            self._reply(200, "<p>Check your inbox</p>")
        elif url.path == "/password/set":
            ok = form.get("token") in self.server.outbox.tokens
            self._reply(200 if ok else 400, "<p>Password changed</p>" if ok else "<p>Bad token</p>")
        else:
            self._reply(404, "<h1>Not found</h1>")


class _AppServer(ThreadingHTTPServer):
    daemon_threads = True
    outbox: Outbox


@dataclass(frozen=True)
class MailApp:
    base_url: str  # https://127.0.0.1:PORT
    port: int
    ca_bundle: str  # the local CA that signed app.mail.test and 127.0.0.1
    outbox: Outbox

    def connect_to(self) -> str:
        return f"{self.outbox.app_host}:443:127.0.0.1:{self.port}"


@contextmanager
def mail_app(
    key: DkimKey, smtp: tuple[str, int], domain: str = "mail.test", app_host: str = APP_HOST
) -> Iterator[MailApp]:
    import ssl

    import trustme

    base = Path(tempfile.mkdtemp(prefix="launchready-mailapp-"))
    ca = trustme.CA()
    cert = ca.issue_cert(app_host, "127.0.0.1")
    ca.cert_pem.write_to_path(str(base / "ca.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server = _AppServer(("127.0.0.1", 0), _Handler)
    server.outbox = Outbox(smtp, key, domain=domain, app_host=app_host)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    try:
        yield MailApp(f"https://127.0.0.1:{port}", port, str(base / "ca.pem"), server.outbox)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(base, ignore_errors=True)


# --- Dovecot over IMAPS, and the MX that delivers into it ------------------------------------


@dataclass(frozen=True)
class Dovecot:
    port: int
    ca_bundle: str
    user: str
    password: str
    maildir: Path


def _owner() -> tuple[int, int, str, str]:
    if os.geteuid() == 0:
        import grp
        import pwd

        nobody = pwd.getpwnam("nobody")
        group = grp.getgrgid(nobody.pw_gid).gr_name
        return nobody.pw_uid, nobody.pw_gid, "nobody", group
    import grp
    import pwd

    me = pwd.getpwuid(os.getuid())
    return me.pw_uid, me.pw_gid, me.pw_name, grp.getgrgid(me.pw_gid).gr_name


@contextmanager
def dovecot_server(user: str, password: str) -> Iterator[Dovecot]:
    """Dovecot with one passwd-file user, IMAPS only, on a free loopback port."""
    import trustme

    program = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(program).exists():
        raise ServerMissing("dovecot is not installed (apt-get install dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="launchready-dovecot-"))
    base.chmod(0o755)
    uid, gid, owner, group = _owner()
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "imap.mail.test")
    cert.private_key_pem.write_to_path(str(base / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(base / "cert.pem"))
    ca.cert_pem.write_to_path(str(base / "ca.pem"))
    (base / "users").write_text(f"{user}:{{PLAIN}}{password}\n")
    for sub in ("run", "state", "home"):
        (base / sub).mkdir()
    maildir = base / "home" / user.partition("@")[0] / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for path in [base / "home", *(base / "home").rglob("*")]:
        os.chown(path, uid, gid)
    port = _free_tcp_port()
    conf = f"""base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
default_internal_user = {owner}
default_login_user = {owner}
default_internal_group = {group}
first_valid_uid = 1
auth_mechanisms = plain
auth_failure_delay = 0
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%n
}}
mail_location = maildir:~/Maildir
"""
    (base / "dovecot.conf").write_text(conf)
    proc = subprocess.Popen(
        [program, "-F", "-c", str(base / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, proc, base / "dovecot.log", "Dovecot")
        yield Dovecot(port, str(base / "ca.pem"), user, password, maildir)
    finally:
        _stop(proc)
        shutil.rmtree(base, ignore_errors=True)


def deliver(maildir: Path, raw: bytes) -> None:
    """Local delivery as an MTA does it: write to tmp/, then rename into new/."""
    name = f"{time.time():.6f}.{uuid.uuid4().hex}.mail.test"
    tmp = maildir / "tmp" / name
    tmp.write_bytes(raw)
    stat = maildir.stat()
    os.chown(tmp, stat.st_uid, stat.st_gid)
    tmp.rename(maildir / "new" / name)


@contextmanager
def maildir_relay(maildir: Path, authserv_id: str = "mx.mail.test") -> Iterator[int]:
    """An MX on a free port that delivers every message into ``maildir``, with the
    Authentication-Results header a receiving provider adds for SPF."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            sender = envelope.mail_from or ""
            result = "pass" if session.peer[0] == "127.0.0.1" else "fail"
            header = (
                f"Authentication-Results: {authserv_id}; spf={result} smtp.mailfrom={sender}\r\n"
            ).encode()
            deliver(maildir, header + envelope.original_content)
            return "250 OK"

    port = _free_tcp_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


# --- MailDev (npm) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MailDevServer:
    smtp_port: int
    url: str
    user: str
    password: str


@contextmanager
def maildev_server(user: str, password: str) -> Iterator[MailDevServer]:
    program = NODE / "node_modules" / ".bin" / "maildev"
    if not program.exists() or shutil.which("node") is None:
        raise ServerMissing("MailDev is not installed (npm ci --prefix tests/node)")
    smtp, web = _free_tcp_port(), _free_tcp_port()
    log = Path(tempfile.mkstemp(prefix="launchready-maildev-", suffix=".log")[1])
    args = [str(program), "--smtp", str(smtp), "--web", str(web), "--ip", "127.0.0.1",
            "--web-ip", "127.0.0.1", "--web-user", user, "--web-pass", password, "--silent"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=out)
    try:
        _wait_port(web, proc, log, "MailDev", deadline=60)
        _wait_port(smtp, proc, log, "MailDev", deadline=60)
        yield MailDevServer(smtp, f"http://127.0.0.1:{web}", user, password)
    finally:
        _stop(proc)
        log.unlink(missing_ok=True)


# --- a stand-in for Mailpit's REST API ------------------------------------------------------


@dataclass
class MailpitStandin:
    smtp_port: int
    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def mailpit_standin() -> Iterator[MailpitStandin]:
    """Mailpit's documented API (GET /api/v1/messages, /api/v1/search?query=,
    /api/v1/message/{ID}/raw, DELETE /api/v1/messages {"IDs": [...]}) over an SMTP
    ingress; it records every request."""
    from aiosmtpd.controller import Controller

    store: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()

    class Smtp:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            key = uuid.uuid4().hex[:20]
            with lock:
                store[key] = {
                    "ID": key,
                    "To": [{"Name": "", "Address": r} for r in envelope.rcpt_tos],
                    "Created": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                    "raw": envelope.original_content,
                }
            return "250 OK"

    state = MailpitStandin(0, "")

    class Api(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, value: Any) -> None:
            data = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            state.requests.append(("GET", url.path))
            with lock:
                items = [{k: v for k, v in m.items() if k != "raw"} for m in store.values()]
            if url.path in ("/api/v1/messages", "/api/v1/search"):
                query = parse_qs(url.query).get("query", [""])[0]
                if query.startswith("to:"):
                    wanted = query[3:].strip('"').lower()
                    items = [
                        m for m in items if any(t["Address"].lower() == wanted for t in m["To"])
                    ]
                self._json({"total": len(items), "messages": list(reversed(items))})
            elif url.path.startswith("/api/v1/message/") and url.path.endswith("/raw"):
                key = url.path.split("/")[4]
                with lock:
                    raw = store.get(key, {}).get("raw")
                if raw is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            else:
                self.send_error(404)

        def do_DELETE(self) -> None:
            state.requests.append(("DELETE", urlsplit(self.path).path))
            length = int(self.headers.get("Content-Length") or 0)
            ids = json.loads(self.rfile.read(length) or b"{}").get("IDs") or []
            with lock:
                for key in ids:
                    store.pop(key, None)
            self._json("ok")

    smtp = _free_tcp_port()
    controller = Controller(Smtp(), hostname="127.0.0.1", port=smtp, ready_timeout=30)
    controller.start()
    api = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    api.daemon_threads = True
    threading.Thread(target=api.serve_forever, daemon=True).start()
    state.smtp_port, state.url = smtp, f"http://127.0.0.1:{api.server_port}"
    try:
        yield state
    finally:
        api.shutdown()
        api.server_close()
        controller.stop()


# --- helpers ----------------------------------------------------------------------------------


def _wait_port(port: int, proc: Any, log: Path, name: str, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > end:
                text = log.read_text(errors="replace") if log.exists() else ""
                raise ServerFailed(
                    f"{name} did not start on port {port}:\n{text[-2000:]}"
                ) from None
            time.sleep(0.1)


def _stop(proc: Any) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
