"""The inboxes, each through its real protocol or documented API:

- :class:`Sink`: an SMTP server launchready runs for staging (aiosmtpd); the app's SMTP
  host points at it. It accepts every message, relays none, and sees the envelope and
  the connecting address (so SPF can be evaluated for the real sender).
- :class:`Imap`: any mailbox over IMAPS (or STARTTLS), such as a test account at the
  provider members use, with an app password; searched by recipient and date.
- :class:`MailDev`: MailDev's REST API (``/api/email`` in 3.x, ``/email`` in 2.x), which
  also reports the envelope and the connecting address.
- :class:`Mailpit`: Mailpit's REST API (``/api/v1/messages``, ``/api/v1/message/{ID}/raw``).

Every adapter is synchronous and thread-safe (a lock per inbox); the inbox step calls
them from a thread. A failure to reach or log in to an inbox is an :class:`InboxError`
whose text never holds the credentials.
"""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from launchready_ci.checks.email.message import Message
from launchready_ci.checks.email.spec import InboxSpec

__all__ = ["Imap", "Inbox", "InboxError", "MailDev", "Mailpit", "Sink", "open_inbox"]

#: The largest message the sink accepts (a bigger one is refused with 552).
SINK_MAX = 25 * 1024 * 1024
#: Headers that describe the body as it came over the wire, not as it was decoded.
_ENCODED = {"content-encoding", "content-length", "transfer-encoding"}
#: How many of the newest messages the REST adapters list per poll.
PAGE = 200


class InboxError(Exception):
    """The inbox cannot be reached or refused the login; the text is safe to print."""


class Inbox(Protocol):
    spec: InboxSpec

    def open(self) -> None: ...
    def fetch(self, since: float, to: str | None) -> list[Message]: ...
    def delete(self, message: Message) -> None: ...
    def close(self) -> None: ...
    def describe(self) -> str: ...


def open_inbox(
    spec: InboxSpec, environ: Mapping[str, str], cafile: str | None, timeout: float = 15.0
) -> Inbox:
    """The adapter for ``spec`` with its templates rendered (not yet opened)."""

    def render(template: Any) -> str | None:
        return None if template is None else str(template.render(environ, {}))

    user, password, url = render(spec.user), render(spec.password), render(spec.url)
    if spec.type == "sink":
        return Sink(spec)
    if spec.type == "imap":
        return Imap(spec, user or "", password or "", cafile, timeout)
    if spec.type == "maildev":
        return MailDev(spec, url or "", user, password, cafile, timeout)
    return Mailpit(spec, url or "", user, password, cafile, timeout)


# --- the SMTP sink --------------------------------------------------------------------------


class Sink:
    def __init__(self, spec: InboxSpec) -> None:
        self.spec = spec
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.port = spec.port
        self._controller: Any = None

    def describe(self) -> str:
        return f"the SMTP sink on {self.spec.host}:{self.port}"

    def open(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                raw = envelope.original_content or envelope.content or b""
                peer = session.peer[0] if isinstance(session.peer, tuple) else None
                message = Message(
                    id=uuid.uuid4().hex,
                    raw=raw if isinstance(raw, bytes) else str(raw).encode(),
                    received=time.time(),
                    mail_from=envelope.mail_from or "",
                    rcpt_to=tuple(str(r).lower() for r in envelope.rcpt_tos),
                    peer=peer,
                    helo=session.host_name,
                    inbox=sink.spec.name,
                )
                with sink.lock:
                    sink.messages.append(message)
                return "250 2.0.0 OK: kept by launchready, relayed nowhere"

        controller = Controller(
            Handler(),
            hostname=self.spec.host,
            port=self.spec.port,
            ready_timeout=30.0,
            server_kwargs={"data_size_limit": SINK_MAX, "ident": "launchready sink"},
        )
        try:
            controller.start()
        except (OSError, TimeoutError, RuntimeError) as exc:
            raise InboxError(
                f"the SMTP sink could not listen on {self.spec.host}:{self.spec.port}: "
                f"{getattr(exc, 'strerror', None) or exc}"
            ) from None
        self._controller = controller
        server = getattr(controller, "server", None)
        sockets = getattr(server, "sockets", None) or ()
        if not self.port and sockets:
            self.port = int(sockets[0].getsockname()[1])

    def fetch(self, since: float, to: str | None) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.received >= since]

    def delete(self, message: Message) -> None:
        with self.lock:
            self.messages = [m for m in self.messages if m.id != message.id]

    def close(self) -> None:
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
            self._controller = None


# --- IMAP -------------------------------------------------------------------------------------


class Imap:
    def __init__(
        self, spec: InboxSpec, user: str, password: str, cafile: str | None, timeout: float
    ) -> None:
        self.spec = spec
        self.user = user
        self._password = password
        self.cafile = cafile
        self.timeout = timeout
        self.lock = threading.Lock()
        self.known: dict[str, Message] = {}
        self._conn: imaplib.IMAP4 | None = None

    def describe(self) -> str:
        return f"IMAP {self.spec.host}:{self.spec.port} ({self.spec.folder}) as {self.user}"

    def open(self) -> None:
        where = f"IMAP {self.spec.host}:{self.spec.port}"
        context = ssl.create_default_context(cafile=self.cafile)
        try:
            if self.spec.security == "tls":
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.spec.host, self.spec.port, ssl_context=context, timeout=self.timeout
                )
            else:
                conn = imaplib.IMAP4(self.spec.host, self.spec.port, timeout=self.timeout)
                if self.spec.security == "starttls":
                    conn.starttls(ssl_context=context)
        except ssl.SSLCertVerificationError as exc:
            raise InboxError(f"{where}: certificate not accepted ({exc.verify_message})") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise InboxError(f"{where}: {_os_text(exc)}") from None
        try:
            conn.login(self.user, self._password)
        except imaplib.IMAP4.error as exc:
            with contextlib.suppress(Exception):
                conn.shutdown()
            said = _imap_text(exc, self._password)
            raise InboxError(
                f"{where}: the login as {self.user} was refused ({said}); check the user and "
                "the app password in the environment variables the inbox names"
            ) from None
        except OSError as exc:
            raise InboxError(f"{where}: {_os_text(exc)}") from None
        typ, data = conn.select(_quote(self.spec.folder))
        if typ != "OK":
            said = _imap_text(data, self._password)
            conn.logout()
            raise InboxError(f"{where}: cannot open folder {self.spec.folder!r} ({said})")
        self._conn = conn

    def fetch(self, since: float, to: str | None) -> list[Message]:
        with self.lock:
            conn = self._conn
            if conn is None:
                return []
            try:
                conn.noop()  # new mail shows up after a command
                day = datetime.fromtimestamp(since - 86400).strftime("%d-%b-%Y")
                criteria = ["SINCE", day] + (["TO", _quote(to)] if to else [])
                typ, data = conn.uid("SEARCH", *criteria)
                if typ != "OK":
                    return []
                uids = (data[0] or b"").split() if data else []
                for uid in uids:
                    key = uid.decode()
                    if key not in self.known:
                        got = self._message(conn, key)
                        if got is not None:
                            self.known[key] = got
            except (OSError, imaplib.IMAP4.error) as exc:
                raise InboxError(f"IMAP {self.spec.host}: {_os_text(exc)}") from None
            return [m for m in self.known.values() if m.received >= since]

    def _message(self, conn: imaplib.IMAP4, uid: str) -> Message | None:
        # At most SINK_MAX bytes of it: a huge message is judged by its start, not read whole.
        typ, data = conn.uid("FETCH", uid, f"(INTERNALDATE BODY.PEEK[]<0.{SINK_MAX}>)")
        if typ != "OK":
            return None
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                stamp = imaplib.Internaldate2tuple(item[0])
                received = time.mktime(stamp) if stamp else time.time()
                return Message(uid, bytes(item[1]), received, inbox=self.spec.name)
        return None

    def delete(self, message: Message) -> None:
        with self.lock:
            conn = self._conn
            if conn is None:
                return
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.uid("STORE", message.id, "+FLAGS", "(\\Deleted)")
                conn.expunge()
            self.known.pop(message.id, None)

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.logout()
                self._conn = None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_text(value: Any, password: str) -> str:
    if isinstance(value, Exception):
        value = value.args[0] if value.args else type(value).__name__
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = " ".join(text.split())[:200]
    return text.replace(password, "***") if password else text


def _os_text(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: nothing listens on that port"
    if isinstance(exc, socket.gaierror):
        return "the name does not resolve"
    return str(getattr(exc, "strerror", None) or exc) or type(exc).__name__


# --- REST capture servers -------------------------------------------------------------------


class _Rest:
    kind = ""

    def __init__(  # noqa: PLR0917
        self,
        spec: InboxSpec,
        url: str,
        user: str | None,
        password: str | None,
        cafile: str | None,
        timeout: float,
    ) -> None:
        self.spec = spec
        self.url = url.rstrip("/")
        self.user = user
        self._password = password
        self.cafile = cafile
        self.timeout = timeout
        self.lock = threading.Lock()
        self.known: dict[str, Message] = {}
        self._client: Any = None

    def describe(self) -> str:
        return f"{self.kind} at {self.url}"

    def _get(self, path: str) -> Any:
        """GET ``path``, its body read up to SINK_MAX bytes (the rest is dropped)."""
        import httpx

        try:
            with self._client.stream("GET", self.url + path) as streamed:
                chunks, size = [], 0
                for chunk in streamed.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > SINK_MAX:
                        break
                response = httpx.Response(
                    streamed.status_code,
                    headers=[
                        (k, v) for k, v in streamed.headers.items() if k.lower() not in _ENCODED
                    ],
                    content=b"".join(chunks)[:SINK_MAX],
                )
        except httpx.HTTPError as exc:
            raise InboxError(f"{self.describe()}: {_http_text(exc)}") from None
        if response.status_code in (401, 403):
            raise InboxError(
                f"{self.describe()} refused the credentials ({response.status_code}); check the "
                "user and password in the environment variables the inbox names"
            )
        return response

    def open(self) -> None:
        import httpx

        auth = (self.user or "", self._password or "") if self.user or self._password else None
        self._client = httpx.Client(
            auth=auth,
            verify=ssl.create_default_context(cafile=self.cafile),
            timeout=self.timeout,
            trust_env=False,
        )
        self._probe()

    def _probe(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class MailDev(_Rest):
    kind = "MailDev"
    api = "/api"

    def _probe(self) -> None:
        response = self._get("/api/email?limit=1")
        if response.status_code == 404:  # MailDev 2.x serves the API at the root
            self.api = ""
            response = self._get("/email")
        if response.status_code != 200:
            raise InboxError(f"{self.describe()}: GET email answered {response.status_code}")

    def fetch(self, since: float, to: str | None) -> list[Message]:
        with self.lock:
            response = self._get(f"{self.api}/email")
            if response.status_code != 200:
                raise InboxError(f"{self.describe()}: GET email answered {response.status_code}")
            try:
                items = response.json()
            except ValueError:
                raise InboxError(f"{self.describe()}: the email list is not JSON") from None
            for item in items[-PAGE:] if isinstance(items, list) else ():
                key = str(item.get("id", ""))
                received = _iso(item.get("time") or item.get("date"))
                if not key or key in self.known or received is None or received < since - 5:
                    continue
                source = self._get(f"{self.api}/email/{key}/source")
                if source.status_code != 200:
                    continue
                envelope = item.get("envelope") or {}
                sender = envelope.get("from") or {}
                self.known[key] = Message(
                    id=key,
                    raw=source.content,
                    received=received,
                    mail_from=sender.get("address") if isinstance(sender, dict) else None,
                    rcpt_to=tuple(
                        str(r.get("address", "")).lower()
                        for r in envelope.get("to") or ()
                        if isinstance(r, dict)
                    ),
                    peer=_address(envelope.get("remoteAddress")),
                    helo=envelope.get("host"),
                    inbox=self.spec.name,
                )
            return [m for m in self.known.values() if m.received >= since]

    def delete(self, message: Message) -> None:
        import httpx

        with self.lock:
            with contextlib.suppress(httpx.HTTPError):
                self._client.delete(f"{self.url}{self.api}/email/{message.id}")
            self.known.pop(message.id, None)


class Mailpit(_Rest):
    kind = "Mailpit"

    def _probe(self) -> None:
        response = self._get("/api/v1/messages?limit=1")
        if response.status_code != 200:
            raise InboxError(
                f"{self.describe()}: GET /api/v1/messages answered {response.status_code}"
            )

    def fetch(self, since: float, to: str | None) -> list[Message]:
        with self.lock:
            path = f"/api/v1/messages?limit={PAGE}"
            if to:
                from urllib.parse import quote

                path = f"/api/v1/search?limit={PAGE}&query=" + quote(f'to:"{to}"')
            response = self._get(path)
            if response.status_code != 200:
                raise InboxError(
                    f"{self.describe()}: GET {path.split('?')[0]} answered {response.status_code}"
                )
            try:
                items = response.json().get("messages") or []
            except (ValueError, AttributeError):
                raise InboxError(f"{self.describe()}: the message list is not JSON") from None
            for item in items:
                key = str(item.get("ID", ""))
                received = _iso(item.get("Created"))
                if not key or key in self.known or received is None or received < since - 5:
                    continue
                source = self._get(f"/api/v1/message/{key}/raw")
                if source.status_code != 200:
                    continue
                self.known[key] = Message(key, source.content, received, inbox=self.spec.name)
            return [m for m in self.known.values() if m.received >= since]

    def delete(self, message: Message) -> None:
        import httpx

        with self.lock:
            with contextlib.suppress(httpx.HTTPError):
                self._client.request(
                    "DELETE", f"{self.url}/api/v1/messages", json={"IDs": [message.id]}
                )
            self.known.pop(message.id, None)


def _iso(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _address(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value.removeprefix("::ffff:")


def _http_text(exc: BaseException) -> str:
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, ConnectionRefusedError):
            return "connection refused: nothing listens on that port"
        if isinstance(current, ssl.SSLCertVerificationError):
            return f"certificate not accepted ({current.verify_message})"
        current = current.__cause__ or current.__context__
    return str(exc) or type(exc).__name__
