"""A stand-in for PyPI's upload API and GitHub's OIDC token endpoint, for the release
workflow's test: trusted publishing end to end, on loopback, over HTTPS with a local CA
(uv asks ``https://<upload host>/_/oidc/audience`` whatever the upload URL's scheme).

GitHub's side (what ``ACTIONS_ID_TOKEN_REQUEST_URL`` and ``..._TOKEN`` point at):

- ``GET /github/oidc?api-version=2.0&audience=A`` with ``Authorization: Bearer <request
  token>``: ``{"count": 1, "value": <JWT>}``, the claims GitHub gives a job (``iss``,
  ``aud``, ``sub``, ``repository``, ``ref``, ``job_workflow_ref``, ``environment``...) for
  :attr:`FakePyPI.job`, signed HS256 with a key of this server's. A wrong request token:
  401.

PyPI's side (https://docs.pypi.org/trusted-publishers/using-a-publisher/ and the legacy
upload API, https://docs.pypi.org/api/upload/):

- ``GET /_/oidc/audience``: ``{"audience": "pypi"}``.
- ``POST /_/oidc/mint-token`` ``{"token": <JWT>}``: checks the signature, ``iss``,
  ``aud``, the times and the trusted publisher (:attr:`FakePyPI.publisher`: repository,
  workflow file, environment), then ``{"success": true, "token": "pypi-...", "expires":
  ...}``; otherwise 422 ``{"message": "Token request failed", "errors": [{"code":
  "invalid-publisher" | "invalid-token", "description": ...}]}``.
- ``POST /legacy/``, ``multipart/form-data`` with ``Authorization: Basic __token__:<minted
  token>``: ``:action=file_upload``, ``protocol_version=1``, ``name``, ``version``,
  ``filetype`` (``sdist`` or ``bdist_wheel``), ``pyversion``, ``metadata_version``,
  ``sha256_digest`` and the file as ``content``. The digest must match, the file name
  must be the project's distribution of that version, the project must be the trusted
  publisher's; a file uploaded before: 400 ``File already exists``. Any other token: 403.
- ``POST /_/oidc/burn-token``: the minted token stops working.

Every request is recorded (:attr:`FakePyPI.requests`), uploads in :attr:`FakePyPI.files`.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import json
import re
import secrets
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

ISSUER = "https://token.actions.githubusercontent.com"
AUDIENCE = "pypi"

Reply = tuple[int, Any]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lowercased
    fields: dict[str, str]  # form fields of an upload (not the file), JSON keys otherwise


@dataclass
class Upload:
    filename: str
    fields: dict[str, str]
    content: bytes


@dataclass
class Job:
    """The job GitHub would describe in its OIDC token."""

    repository: str = "acme/launchready-ci"
    ref: str = "refs/tags/v1.0.0"
    workflow: str = ".github/workflows/release.yml"
    environment: str | None = "pypi"
    sha: str = "0" * 40


@dataclass
class Publisher:
    """PyPI's trusted publisher for the project."""

    project: str = "launchready-ci"
    repository: str = "acme/launchready-ci"
    workflow: str = "release.yml"
    environment: str | None = "pypi"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class FakePyPI:
    url: str
    request_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    job: Job = field(default_factory=Job)
    publisher: Publisher = field(default_factory=Publisher)
    requests: list[Recorded] = field(default_factory=list)
    files: list[Upload] = field(default_factory=list)
    minted: set[str] = field(default_factory=set)
    burned: set[str] = field(default_factory=set)
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def oidc_request_url(self) -> str:
        """ACTIONS_ID_TOKEN_REQUEST_URL: GitHub's has a query string; the client adds
        ``&audience=``."""
        return f"{self.url}/github/oidc?api-version=2.0"

    @property
    def upload_url(self) -> str:
        return f"{self.url}/legacy/"

    def sent(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # -- GitHub's OIDC token ----------------------------------------------------------

    def _jwt(self, audience: str) -> str:
        job, now = self.job, int(time.time())
        owner = job.repository.split("/", 1)[0]
        subject = f"repo:{job.repository}:" + (
            f"environment:{job.environment}" if job.environment else f"ref:{job.ref}"
        )
        claims: dict[str, Any] = {
            "iss": ISSUER, "aud": audience, "sub": subject, "iat": now, "nbf": now - 5,
            "exp": now + 300, "jti": secrets.token_hex(8), "repository": job.repository,
            "repository_owner": owner, "ref": job.ref, "ref_type": "tag", "sha": job.sha,
            "workflow_ref": f"{job.repository}/{job.workflow}@{job.ref}",
            "job_workflow_ref": f"{job.repository}/{job.workflow}@{job.ref}",
            "event_name": "push", "runner_environment": "github-hosted",
        }  # fmt: skip
        if job.environment:
            claims["environment"] = job.environment
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(claims).encode())
        signature = hmac.new(self._key, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{_b64(signature)}"

    def _claims(self, token: str) -> dict[str, Any]:
        try:
            head, body, signature = token.split(".")
            want = hmac.new(self._key, f"{head}.{body}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(want, _unb64(signature)):
                raise ValueError("bad signature")
            return cast(dict[str, Any], json.loads(_unb64(body)))
        except (ValueError, TypeError) as exc:
            raise _Refused("invalid-token", f"malformed or unsigned token: {exc}") from None

    # -- the server's side ------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        with self._lock:
            fields: dict[str, str] = {}
            upload: tuple[str, bytes] | None = None
            if headers.get("content-type", "").startswith("multipart/form-data"):
                fields, upload = _form(headers["content-type"], raw)
            elif raw.strip():
                try:
                    fields = {str(k): str(v) for k, v in json.loads(raw).items()}
                except (ValueError, AttributeError):
                    return 400, {"message": "the body is not a JSON object"}
            self.requests.append(Recorded(method, path, query, headers, fields))
            try:
                return self._route(method, path, query, headers, fields, upload)
            except _Refused as exc:
                errors = [{"code": exc.code, "description": str(exc)}]
                return 422, {"message": "Token request failed", "errors": errors}

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        fields: dict[str, str],
        upload: tuple[str, bytes] | None,
    ) -> Reply:
        if (method, path) == ("GET", "/github/oidc"):
            if headers.get("authorization") != f"Bearer {self.request_token}":
                return 401, {"message": "Bad credentials"}
            return 200, {"count": 1, "value": self._jwt(query.get("audience", ISSUER))}
        if (method, path) == ("GET", "/_/oidc/audience"):
            return 200, {"audience": AUDIENCE}
        if (method, path) == ("POST", "/_/oidc/mint-token"):
            return self._mint(fields.get("token", ""))
        if (method, path) == ("POST", "/_/oidc/burn-token"):
            self.burned.add(fields.get("token", ""))
            return 200, {"success": True}
        if (method, path) == ("POST", "/legacy/"):
            return self._upload(headers, fields, upload)
        return 404, {"message": "Not Found"}

    def _mint(self, token: str) -> Reply:
        claims = self._claims(token)
        now, pub = time.time(), self.publisher
        if claims.get("iss") != ISSUER or claims.get("aud") != AUDIENCE:
            raise _Refused("invalid-token", f"wrong issuer or audience: {claims.get('aud')}")
        if not claims.get("nbf", 0) <= now <= claims.get("exp", 0):
            raise _Refused("invalid-token", "the token has expired")
        workflow = str(claims.get("job_workflow_ref", "")).split("@", 1)[0]
        expected = f"{pub.repository}/.github/workflows/{pub.workflow}"
        problems = []
        if claims.get("repository") != pub.repository:
            problems.append(f"repository {claims.get('repository')}")
        if workflow != expected:
            problems.append(f"workflow {workflow}")
        if pub.environment and claims.get("environment") != pub.environment:
            problems.append(f"environment {claims.get('environment')}")
        if problems:
            raise _Refused(
                "invalid-publisher",
                "valid token, but no corresponding publisher (" + ", ".join(problems) + ")",
            )
        minted = "pypi-" + secrets.token_urlsafe(32)
        self.minted.add(minted)
        return 200, {"success": True, "token": minted, "expires": int(now) + 900}

    def _upload(
        self, headers: dict[str, str], fields: dict[str, str], upload: tuple[str, bytes] | None
    ) -> Reply:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        user, _, token = base64.b64decode(value or "").decode(errors="replace").partition(":")
        if scheme != "Basic" or user != "__token__" or token not in self.minted - self.burned:
            return 403, {"message": "Invalid or non-existent authentication information."}
        if fields.get(":action") != "file_upload" or fields.get("protocol_version") != "1":
            return 400, {"message": "Invalid value for :action or protocol_version."}
        if upload is None:
            return 400, {"message": "Upload payload does not have a file."}
        filename, content = upload
        name, version = fields.get("name", ""), fields.get("version", "")
        if _normalize(name) != _normalize(self.publisher.project):
            return 403, {"message": f"The user isn't allowed to upload to project '{name}'."}
        if hashlib.sha256(content).hexdigest() != fields.get("sha256_digest"):
            return 400, {"message": "The digest supplied does not match a digest calculated."}
        stem = re.escape(name.replace("-", "_")) + "-" + re.escape(version)
        kinds = {"sdist": rf"{stem}\.tar\.gz", "bdist_wheel": rf"{stem}-[^-]+-[^-]+-[^-]+\.whl"}
        pattern = kinds.get(fields.get("filetype", ""))
        if pattern is None or not re.fullmatch(pattern, filename):
            return 400, {"message": f"Invalid distribution file {filename!r}."}
        if any(f.filename == filename for f in self.files):
            return 400, {"message": "File already exists."}
        self.files.append(Upload(filename, fields, content))
        return 200, {"message": "OK"}


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _form(content_type: str, raw: bytes) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict[str, str] = {}
    upload = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None and name == "content":
            upload = (filename, payload)
        elif isinstance(name, str):
            fields[name] = payload.decode(errors="replace")
    return fields, upload


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakePyPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body = cast(_Server, self.server).fake.handle(self.command, self.path, headers, raw)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def pypi_api(ca_dir: Path) -> Iterator[FakePyPI]:
    """The stand-in on a free loopback port, HTTPS with a certificate from a new local CA
    whose PEM is written to ``ca_dir / "pypi-ca.pem"`` (give it to uv as SSL_CERT_FILE)."""
    import trustme

    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(ca_dir / "pypi-ca.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    fake = FakePyPI(f"https://127.0.0.1:{server.server_address[1]}")
    server.fake = fake
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
