"""Real web apps on loopback for the smoke-test engine's tests and the demo (scripts import
this module, so it must not import pytest).

- :func:`membership_app`: a small membership site (login, invites, a feed, a JSON API) on
  a free port, over HTTP or HTTPS from a local CA, with knobs a test turns at runtime: the
  version it reports (a deploy going live, now or after N polls), paths that fail with a debug page echoing the
  request's secrets, per-path delays, a /health that is not ready yet. One launch bug is
  planted: an invite link that is not ``welcome-2026`` redirects to a 404.
- :func:`fault_server`: one misbehaving server per kind (refused, hang, trickle,
  redirect-loop, huge-body, invalid-json, untrusted-tls, slow, trickle-tls: a TLS
  handshake a byte every 0.2 s, odd-scheme: a redirect to ftp:// on its own port).

Every server runs in daemon threads and is stopped, with its open connections shut, on
exit; nothing is logged to stderr.
"""

from __future__ import annotations

import html
import json
import secrets
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers import ServerFailed, _free_tcp_port

MEMBER = "member@clubhouse.test"
INVITE = "welcome-2026"
FEED_ITEMS = [{"id": 1, "title": "Welcome"}, {"id": 2, "title": "House rules"}]
FAULT_KINDS = (
    "refused",
    "hang",
    "trickle",
    "redirect-loop",
    "huge-body",
    "invalid-json",
    "untrusted-tls",
    "slow",
    "trickle-tls",
    "odd-scheme",
)
HUGE_BODY = 50 * 1024 * 1024


@dataclass
class AppState:
    """What a test reads and turns while the app runs; handlers take ``lock`` to change it."""

    version: str = "v1"
    # The versions /version reports first, one per request, before ``version``: a release
    # that goes live after N polls, whatever the load on the machine (no timer).
    rollout: list[str] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # paths that answer a 500 debug page
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds before answering
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path sans query)
    not_ready_until: float = 0.0  # time.monotonic() before which /health answers 503
    sessions: set[str] = field(default_factory=set)  # session cookie values issued
    tokens: dict[str, str] = field(default_factory=dict)  # bearer token -> email
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


@dataclass(frozen=True)
class App:
    base_url: str  # http://127.0.0.1:PORT or https://localhost:PORT
    ca_bundle: str | None  # the local CA's PEM, with tls=True
    state: AppState


@dataclass(frozen=True)
class Fault:
    base_url: str
    ca_bundle: str | None
    seen: list[str] = field(default_factory=list)  # paths the server was asked for


# --- the server underneath both --------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: twenty journeys connecting at once would
    # overflow it, and the dropped connections wait a second for the SYN retransmit.
    request_queue_size = 128

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.stopping = threading.Event()
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        self.app: AppState | None = None
        self.password = ""
        self.tls = False
        self.kind = ""
        self.seen: list[str] = []  # paths requested (odd-scheme)
        try:
            super().__init__(("127.0.0.1", 0), handler)
        except OSError as exc:
            raise ServerFailed(f"could not listen on 127.0.0.1: {exc}") from exc

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up or refused the certificate: not worth a traceback

    def close_open(self) -> None:
        with self.open_lock:
            connections = list(self.open)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # wakes a handler blocked reading it
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK add 40 ms to every keep-alive response.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def answer(self) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:
        self.answer()

    do_HEAD = do_POST = do_GET

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(
        self,
        status: int,
        body: bytes | str = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if data or status not in {301, 302, 303, 307, 308}:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status: int, value: object, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(value), "application/json", headers)

    def send_html(
        self, status: int, title: str, body: str, headers: dict[str, str] | None = None
    ) -> None:
        page = f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
        self.send(status, page, "text/html; charset=utf-8", headers)


@contextmanager
def _serving(server: _Server, context: ssl.SSLContext | None) -> Iterator[int]:
    """Serves in a background thread; yields the port, stops everything on exit."""
    if context is not None:  # the handshake happens on first read, in the handler's thread
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.stopping.set()
        server.shutdown()
        server.close_open()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def _local_tls() -> Iterator[tuple[ssl.SSLContext, str]]:
    """A server context with a certificate for localhost and 127.0.0.1 from a fresh
    trustme CA; yields it and the path of the CA's PEM (removed on exit)."""
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    base = Path(tempfile.mkdtemp(prefix="launchready-app-"))
    try:
        ca.cert_pem.write_to_path(str(base / "ca.pem"))
        yield context, str(base / "ca.pem")
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- the membership app ----------------------------------------------------------------------


class _AppHandler(_Handler):
    def answer(self) -> None:
        state = self.server.app
        assert state is not None
        body = self.read_body()
        url = urlsplit(self.path)
        path = url.path
        with state.lock:
            state.requests.append((self.command, path))
            delay = state.delays.get(path, 0.0)
            broken = path in state.broken
        if delay > 0:
            self.server.stopping.wait(delay)
        if broken:  # a debug error page: echoes the headers (secrets too) and the body
            echo = f"Internal Server Error\n\n{self.command} {self.path}\n{self.headers}\n"
            self.send(500, echo.encode() + body)
            return
        self.route(state, path, parse_qs(url.query), body)

    def route(self, state: AppState, path: str, query: dict[str, list[str]], body: bytes) -> None:
        method = "GET" if self.command == "HEAD" else self.command
        session = self.session(state)
        token = self.bearer(state)
        if (method, path) == ("GET", "/health"):
            if time.monotonic() < state.not_ready_until:
                self.send(503, "starting")
            else:
                self.send(200, "ok")
        elif (method, path) == ("GET", "/version"):
            with state.lock:
                version = state.rollout.pop(0) if state.rollout else state.version
            self.send_json(200, {"version": version, "commit": version}, {"X-Release": version})
        elif (method, path) == ("GET", "/"):
            page = "<h1>Clubhouse</h1><p>A members' club.</p><a href='/login'>Sign in</a>"
            self.send_html(200, "Clubhouse", page, {"Cache-Control": "public, max-age=300"})
        elif (method, path) == ("GET", "/login"):
            form = (
                "<form method='post' action='/api/login'><input name='email'>"
                "<input name='password' type='password'><button>Sign in</button></form>"
            )
            self.send_html(200, "Sign in - Clubhouse", form)
        elif (method, path) == ("POST", "/api/login"):
            self.login(state, body)
        elif method == "GET" and path.startswith("/invite/") and "/" not in path[8:]:
            code = path[len("/invite/") :]
            target = f"/signup?invite={code}" if code == INVITE else "/invites/expired"
            self.send(302, headers={"Location": target})
        elif (method, path) == ("GET", "/signup"):
            code = html.escape(query.get("invite", [""])[0], quote=True)
            form = (
                f'<form method="post" action="/invites/accept"><input name="invite" value="{code}">'
            )
            self.send_html(200, "Join - Clubhouse", form + '<input name="name"></form>')
        elif (method, path) == ("POST", "/invites/accept"):
            if session is None:
                self.send_json(401, {"error": "unauthorized"})
            else:
                self.send(303, headers={"Location": "/feed"})
        elif (method, path) == ("GET", "/feed"):
            if session is None:
                self.send(302, headers={"Location": "/login?next=/feed"})
            else:
                page = "<h1>Welcome to the clubhouse</h1>"
                self.send_html(200, "Feed", page, {"Cache-Control": "private, no-store"})
        elif (method, path) in {("GET", "/api/me"), ("GET", "/api/feed")}:
            if token is None:
                self.send_json(401, {"error": "unauthorized"})
            elif path == "/api/me":
                self.send_json(200, {"email": token, "plan": "founding", "invites_left": 3})
            else:
                self.send_json(200, {"items": FEED_ITEMS})
        else:
            self.send_html(404, "Not found", "<h1>Not found</h1>")

    def login(self, state: AppState, body: bytes) -> None:
        fields: dict[str, Any] = {}
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            fields = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
        else:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            fields = parsed if isinstance(parsed, dict) else {}
        if fields.get("email") != MEMBER or fields.get("password") != self.server.password:
            self.send_json(401, {"error": "invalid credentials"})
            return
        token, session = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with state.lock:
            state.tokens[token] = MEMBER
            state.sessions.add(session)
        cookie = f"session={session}; Path=/; HttpOnly; SameSite=Lax"
        cookie += "; Secure" if self.server.tls else ""
        user = {"email": MEMBER, "plan": "founding"}
        self.send_json(200, {"token": token, "user": user}, {"Set-Cookie": cookie})

    def session(self, state: AppState) -> str | None:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie") or "")
        except CookieError:
            return None
        morsel = cookies.get("session")
        with state.lock:
            return morsel.value if morsel is not None and morsel.value in state.sessions else None

    def bearer(self, state: AppState) -> str | None:
        """The email the request's bearer token belongs to, if it is valid."""
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        with state.lock:
            return state.tokens.get(token.strip())


@contextmanager
def membership_app(
    *, tls: bool = False, password: str = "correct horse battery staple", version: str = "v1"
) -> Iterator[App]:
    """The membership app on a free loopback port (HTTPS from a fresh local CA with
    ``tls=True``); yields its :class:`App`, stops it on exit."""
    server = _Server(_AppHandler)
    state = AppState(version=version)
    server.app, server.password, server.tls = state, password, tls
    if not tls:
        with _serving(server, None) as port:
            yield App(f"http://127.0.0.1:{port}", None, state)
        return
    with _local_tls() as (context, ca_bundle), _serving(server, context) as port:
        yield App(f"https://localhost:{port}", ca_bundle, state)


# --- faults ----------------------------------------------------------------------------------


class _FaultHandler(_Handler):
    def handle(self) -> None:
        if self.server.kind == "hang":  # accept, then never say a word
            self.server.stopping.wait()
            return
        if self.server.kind == "trickle-tls":  # a ServerHello that never ends
            try:
                self.wfile.write(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 KB
                while not self.server.stopping.wait(0.2):
                    self.wfile.write(b"\x02")
            except OSError:
                pass  # the client hung up
            return
        super().handle()

    def answer(self) -> None:
        self.read_body()
        kind, stopping, path = self.server.kind, self.server.stopping, urlsplit(self.path).path
        if kind == "redirect-loop":  # the query goes along, as a sign-in loop keeps ?next=
            query = urlsplit(self.path).query
            target = {"/a": "/b", "/b": "/a"}.get(path, "/a") + (f"?{query}" if query else "")
            self.send(302, headers={"Location": target})
        elif kind == "odd-scheme":  # every request is counted: a followed hop shows
            self.server.seen.append(path)
            port = self.server.server_address[1]
            self.send(302, headers={"Location": f"ftp://127.0.0.1:{port}/b"})
        elif kind == "invalid-json":
            self.send(200, '{"version": "v1",', "application/json")
        elif kind == "untrusted-tls":
            self.send(200, "ok")
        elif kind == "slow":
            stopping.wait(0.4)
            self.send_json(200, {"ok": True})
        elif kind in {"trickle", "huge-body"}:
            self.close_connection = True
            size = 100_000 if kind == "trickle" else HUGE_BODY
            self.send_response(200)
            self.send_header(
                "Content-Type", "text/plain" if kind == "trickle" else "application/json"
            )
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command == "HEAD":
                return
            try:
                if kind == "trickle":  # a byte every 0.2 s: a read timeout never fires
                    while not stopping.wait(0.2):
                        self.wfile.write(b" ")
                else:
                    chunk = b" " * 65536
                    for _ in range(size // len(chunk)):
                        if stopping.is_set():
                            break
                        self.wfile.write(chunk)
            except OSError:
                pass  # the client hung up


@contextmanager
def fault_server(kind: str) -> Iterator[Fault]:
    """A server that misbehaves the way ``kind`` says (one of :data:`FAULT_KINDS`)."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
    if kind == "refused":  # a port that was free a moment ago: nothing listens there
        yield Fault(f"http://127.0.0.1:{_free_tcp_port()}", None)
        return
    server = _Server(_FaultHandler)
    server.kind = kind
    if kind != "untrusted-tls":
        with _serving(server, None) as port:
            yield Fault(f"http://127.0.0.1:{port}", None, server.seen)
        return
    # a CA no client was given: its PEM is deleted on exit and never exposed
    with _local_tls() as (context, _), _serving(server, context) as port:
        yield Fault(f"https://localhost:{port}", None)


# --- a server that answers in a known time ----------------------------------------------------


class _FixedHandler(_Handler):
    """Holds every request ``server.delay`` seconds, then answers 200 with a small body:
    in one write (TCP_NODELAY) unless ``server.split`` asks for headers and body in two
    writes with Nagle's algorithm on, the way many servers answer."""

    def setup(self) -> None:
        self.disable_nagle_algorithm = not self.server.split
        super().setup()

    def answer(self) -> None:
        self.read_body()
        time.sleep(self.server.delay)
        body = b'{"ok": true}'
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        if self.server.split:
            self.wfile.write(head)
            self.wfile.flush()
            self.wfile.write(body)
        else:
            self.wfile.write(head + body)


class _FixedServer(_Server):
    delay = 0.0
    split = False


@contextmanager
def fixed_latency_server(
    delay: float, *, tls: bool = False, split: bool = False
) -> Iterator[Fault]:
    """A server that answers every request ``delay`` seconds after reading it (over
    HTTPS from a fresh local CA with ``tls=True``): a latency every client should
    measure the same, for benchmarks. ``split`` sends headers and body in two writes
    with Nagle's algorithm on."""
    server = _FixedServer(_FixedHandler)
    server.delay, server.split = delay, split
    if not tls:
        with _serving(server, None) as port:
            yield Fault(f"http://127.0.0.1:{port}", None)
        return
    with _local_tls() as (context, ca_bundle), _serving(server, context) as port:
        yield Fault(f"https://localhost:{port}", ca_bundle)


@contextmanager
def unaccepting_port() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a socket that listens and never accepts, its queue
    already full: a new connection neither succeeds nor fails, as behind a firewall that
    drops SYNs."""
    listener = socket.socket()
    filler = socket.socket()
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        filler.connect(("127.0.0.1", port))  # takes the one place in the queue
        yield f"http://127.0.0.1:{port}"
    finally:
        filler.close()
        listener.close()
