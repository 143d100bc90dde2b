"""Real servers for the tests and the demo: PostgreSQL, NSD and nginx (tests/conftest.py
makes them session fixtures; scripts/demo-*.py run them for `make demo`).

A real authoritative DNS server: NSD on a free loopback port,
serving zones that hold each planted problem beside its correct counterpart. Started once
per session, stopped after it. Skipped where NSD is not installed, except under CI=true.

- ``good.test``: everything as launchready.yml intends.
- ``clubhouse.test``: the planted problems (see the zone text below).
- ``provider.test``, ``mtasv.net``, ``google.com``, ``spfchain.test``: what their CNAMEs and
  SPF includes point at (so the server can answer for them).
- ``broken.test``: configured with a zone file that does not load, so NSD answers SERVFAIL.
- Anything else, such as the parent ``test``: REFUSED (NSD is not authoritative for it).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

SOA = (
    "@ 300 IN SOA ns1.good.test. hostmaster.good.test. 1 3600 600 86400 300\n@ NS ns1.good.test.\n"
)


def dkim_keypair(bits: int) -> tuple[bytes, str]:
    """A fresh RSA key: its private PEM, and its public half as a DKIM TXT value split
    into 255-byte strings."""
    private = subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}"],
        check=True,
        capture_output=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubout", "-outform", "DER"],
        input=private,
        check=True,
        capture_output=True,
    ).stdout
    value = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return private, " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def _zones() -> dict[str, str]:
    strong, weak = dkim_keypair(2048)[1], dkim_keypair(1024)[1]
    chain = "".join(  # ten includes, each one lookup: 11 with the top record's include
        f'n{i} TXT "v=spf1 ip4:192.0.2.{i} ~all"\n' for i in range(10)
    )
    return {
        "good.test": SOA
        + "ns1 A 127.0.0.1\n"
        + "@ A 203.0.113.10\n"
        + "www CNAME good.test.\n"
        + "app A 203.0.113.11\n"
        + "app AAAA 2001:db8::11\n"
        + "api CNAME api-host.provider.test.\n"
        + "@ MX 10 mx.good.test.\n"
        + "mx A 203.0.113.20\n"
        + '@ CAA 0 issue "letsencrypt.org"\n'
        + '@ TXT "v=spf1 include:spf.mtasv.net include:_spf.google.com -all"\n'
        + '@ TXT "google-site-verification=abc"\n'
        + f"pm._domainkey TXT {strong}\n"
        + '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test; adkim=s"\n'
        + "news MX 10 mx.good.test.\n"
        + 'news TXT "v=spf1 include:spf.mtasv.net ~all"\n',
        "clubhouse.test": SOA
        + "@ A 203.0.113.10\n"
        # www: no record at all (apex answers, www does not)
        + "app A 203.0.113.99\n"  # launchready.yml says 203.0.113.11
        + "soon A 203.0.113.12\n"
        + "web A 203.0.113.13\n"
        + "go A 203.0.113.14\n"
        + "links A 203.0.113.15\n"
        + "legacy A 203.0.113.16\n"
        + "shop A 203.0.113.17\n"
        + "old CNAME gone-app.provider.test.\n"  # the app was deleted: dangling
        # the platform's app not created yet, its edge already serving the name
        + "edge CNAME edge-app.provider.test.\n"
        + "api CNAME api-host.provider.test.\n"  # launchready.yml says cname.vercel.test
        # no MX, no CAA (and the parent `test` refuses: counts as no record)
        + '@ TXT "v=spf1 include:spfchain.test a:nothing1.clubhouse.test '
        + 'a:nothing2.clubhouse.test a:nothing3.clubhouse.test ?all"\n'
        + f"pm._domainkey TXT {weak}\n"
        + 's1._domainkey TXT "v=DKIM1; k=rsa; p="\n'
        + 's2._domainkey TXT "v=DKIM1; k=rsa"\n'
        + '_dmarc TXT "v=DMARC1; p=none"\n'
        + "news MX 10 mx.clubhouse.test.\n"
        + 'news TXT "v=spf1 include:spf.mtasv.net ~all"\n'
        + 'news TXT "v=spf1 include:_spf.google.com ~all"\n'
        + 'txn TXT "v=spf1 +all"\n'
        + 'bad TXT "v=spf1 ip4:203.0.113.300 -all"\n'
        + "txn MX 10 mx.clubhouse.test.\n"
        + '_dmarc.txn TXT "v=DMARC1; p=maybe"\n',
        # Over 255 bytes: two strings, joined without a space by receivers (RFC 7208 3.3).
        "spfchain.test": SOA
        + '@ TXT "v=spf1 '
        + " ".join(f"include:n{i}.spfchain.test" for i in range(5))
        + ' " "'
        + " ".join(f"include:n{i}.spfchain.test" for i in range(5, 10))
        + ' ~all"\n'
        + chain,
        # another team's zone: a CAA for another authority, no SPF, no DMARC
        "provider.test": SOA + "api-host A 198.51.100.7\n" + '@ CAA 0 issue "sectigo.com"\n',
        "mtasv.net": SOA + 'spf TXT "v=spf1 ip4:50.31.156.96/27 ~all"\n',
        "google.com": SOA + '_spf TXT "v=spf1 ip4:35.190.247.0/24 ~all"\n',
    }


def _free_port() -> int:
    """A loopback port free for both TCP and UDP: NSD binds both. A port only UDP had
    checked was sometimes a live TCP one ("can't bind tcp socket", seen in `make demo`)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port


def _answers(address: str, port: int) -> bool:
    import dns.message
    import dns.query

    try:
        query = dns.message.make_query("good.test.", "SOA")
        dns.query.udp(query, address, port=port, timeout=0.5)
    except Exception:  # not up yet
        return False
    return True


class ServerMissing(Exception):
    """The server's program is not installed."""


class ServerFailed(Exception):
    """It is installed but did not start."""


T = TypeVar("T")


def needed(start: Callable[[], AbstractContextManager[T]]) -> Iterator[T]:
    """A session fixture's body: skipped without the program, except under CI=true."""
    import pytest

    try:
        server = start()
        value = server.__enter__()
    except ServerMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    except ServerFailed as exc:
        pytest.fail(str(exc))
    try:
        yield value
    finally:
        server.__exit__(None, None, None)


def _program(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if found is None:
        raise ServerMissing(
            f"{name} is not installed (apt-get install {'nsd' if name == 'nsd' else 'nginx-light'})"
        )
    return found


@contextmanager
def nsd_server(
    extra_zones: dict[str, str] | None = None, address: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """NSD serving the zones above on a free loopback port; yields ``127.0.0.1:PORT``."""
    nsd = _program("nsd")
    base = Path(tempfile.mkdtemp(prefix="launchready-nsd-"))
    port = port or _free_port()
    zones = {**_zones(), **(extra_zones or {})}
    config = [
        "server:",
        f"  ip-address: {address}@{port}",
        f"  port: {port}",
        '  username: ""',
        '  chroot: ""',
        f"  zonesdir: {base}",
        f"  zonelistfile: {base}/zone.list",
        f"  xfrdfile: {base}/xfrd.state",
        f"  pidfile: {base}/nsd.pid",
        f"  logfile: {base}/nsd.log",
        '  database: ""',
        "  server-count: 1",
        "  verbosity: 1",
        "remote-control:",
        "  control-enable: no",
    ]
    for name, text in {**zones, "broken.test": "this is not a zone file\n"}.items():
        (base / f"{name}.zone").write_text(f"$ORIGIN {name}.\n$TTL 300\n{text}")
        config += ["zone:", f"  name: {name}", f"  zonefile: {name}.zone"]
    (base / "nsd.conf").write_text("\n".join(config) + "\n")
    proc = subprocess.Popen(
        [nsd, "-d", "-c", str(base / "nsd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not _answers(address, port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (base / "nsd.log").read_text() if (base / "nsd.log").exists() else ""
                raise ServerFailed(f"NSD did not start on port {port}:\n{log[-2000:]}")
            time.sleep(0.1)
        yield f"{address}:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)


# --- a real HTTPS server -------------------------------------------------------------------


@dataclass(frozen=True)
class Web:
    https_port: int
    http_port: int
    ca_bundle: str  # the test CA's root, for --ca-bundle
    legacy_port: int = 0  # legacy.clubhouse.test: TLS 1.1 only

    def connect_to(self) -> list[str]:
        """Every name to nginx; edge.clubhouse.test by a rule of its own, as a team routes
        a name whose DNS cut-over is not done yet."""
        return [
            f"edge.clubhouse.test:443:127.0.0.1:{self.https_port}",
            f"edge.clubhouse.test:80:127.0.0.1:{self.http_port}",
            f"legacy.clubhouse.test:443:127.0.0.1:{self.legacy_port}",
            f":443:127.0.0.1:{self.https_port}",
            f":80:127.0.0.1:{self.http_port}",
        ]


HSTS = 'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains; preload" always;'
CLEAN_HTTPS = f"""
    location / {{ {HSTS} return 200 'ok'; }}
"""


def _server(port: int, names: str, body: str, tls: tuple[str, str] | None = None) -> str:
    listen = f"listen 127.0.0.1:{port}" + (" ssl" if tls else "") + ";"
    certs = f"ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};" if tls else ""
    return f"  server {{\n    {listen}\n    server_name {names};\n    {certs}\n{body}\n  }}\n"


def _sites(web: tuple[int, int], certs: dict[str, tuple[str, str]]) -> str:
    """good.test's names as intended; clubhouse.test's with one planted problem each."""
    https, plain = web
    to_https = "    location / { return 301 https://$host$request_uri; }"
    good_names = "www.good.test app.good.test api.good.test"
    return "".join(
        [
            # good.test: apex -> www in one hop, HSTS everywhere, private feed, immutable
            # assets, deep-link files as JSON
            _server(plain, "good.test", "    return 301 https://www.good.test$request_uri;"),
            _server(plain, good_names, to_https),
            _server(https, "good.test", f"    {HSTS}\n    return 301 https://www.good.test$request_uri;",
                    certs["good"]),
            _server(https, good_names, f"""
    location = /feed {{ {HSTS} add_header Cache-Control "private, no-store" always; return 200 'feed'; }}
    location /static/ {{ {HSTS} add_header Cache-Control "public, max-age=31536000, immutable"; return 200 'js'; }}
    location /.well-known/ {{ {HSTS} default_type application/json; return 200 '{{}}'; }}
    location = /pricing {{ {HSTS} return 200 'pricing'; }}
    location = /login {{ {HSTS} limit_req zone=login burst=3 nodelay; try_files /none =401; }}
{CLEAN_HTTPS}""", certs["good"]),
            # clubhouse.test: no intermediate on the apex; app expires in 5 days, soon in 15;
            # api's certificate is for another name (TLS findings; HTTP clean where TLS holds)
            _server(plain, "clubhouse.test app.clubhouse.test soon.clubhouse.test links.clubhouse.test "
                    "shop.clubhouse.test edge.clubhouse.test", to_https),
            _server(https, "clubhouse.test", CLEAN_HTTPS, certs["apex"]),
            # app: the invite links of the launch email (welcome-2026 works, any other
            # ends on a 404) and a reset link that ends on a preview host
            _server(https, "app.clubhouse.test", f"""
    location = /invite/welcome-2026 {{ {HSTS} return 302 /signup?invite=welcome-2026; }}
    location /invite/ {{ {HSTS} return 302 /invites/expired; }}
    location = /invites/expired {{ {HSTS} return 404 'expired'; }}
    location = /reset {{ {HSTS} return 302 https://preview.clubhouse.test/reset$is_args$args; }}
    location = /store {{ {HSTS} return 302 https://shop.clubhouse.test/store$is_args$args; }}
{CLEAN_HTTPS}""", certs["app"]),
            _server(https, "preview.clubhouse.test", CLEAN_HTTPS, certs["web"]),
            # shop: no intermediate sent, and behind it every path -> http://shop/start
            # (the HTTP checks must still see it), no HSTS; an account page a shared
            # cache may keep; app's /store links here
            _server(https, "shop.clubhouse.test", """
    location = /start { return 200 'start'; }
    location = /account { add_header Cache-Control "public, max-age=600" always; return 200 'account'; }
    location / { return 302 http://shop.clubhouse.test/start; }""", certs["shop"]),
            # edge: a dangling CNAME in DNS, a working edge behind --connect-to; HSTS short
            _server(https, "edge.clubhouse.test", """
    add_header Strict-Transport-Security "max-age=600" always;
    location / { return 200 'edge'; }""", certs["edge"]),
            _server(https, "soon.clubhouse.test", CLEAN_HTTPS, certs["soon"]),
            _server(https, "api.clubhouse.test", CLEAN_HTTPS, certs["api"]),
            # web: plain HTTP answers 200, no HSTS, a public feed, short-lived assets
            _server(plain, "web.clubhouse.test", "    location / { return 200 'plain'; }"),
            _server(https, "web.clubhouse.test", """
    location = /feed { add_header Cache-Control "public, max-age=300" always; add_header cf-cache-status HIT always; return 200 'feed'; }
    location = /login { try_files /none =401; }
    location /static/ { add_header Cache-Control "max-age=60"; return 200 'js'; }
    location / { return 200 'web'; }""", certs["web"]),
            # go: every path -> http://go/start (drops the path, downgrades, 3 hops);
            # a 302 where a 301 is declared; a loop
            _server(plain, "go.clubhouse.test", "    location / { return 301 https://$host$request_uri; }"),
            _server(https, "go.clubhouse.test", f"""
    location = /start {{ {HSTS} return 200 'start'; }}
    location = /old-pricing {{ {HSTS} return 302 https://web.clubhouse.test/; }}
    location = /loop {{ {HSTS} return 301 https://go.clubhouse.test/loop2; }}
    location = /loop2 {{ {HSTS} return 301 https://go.clubhouse.test/loop; }}
    location / {{ {HSTS} return 302 http://go.clubhouse.test/start; }}""", certs["web"]),
            # links: HSTS for 5 minutes; the deep-link files redirected and served as HTML
            _server(https, "links.clubhouse.test", """
    add_header Strict-Transport-Security "max-age=300" always;
    add_header CF-Ray "8f0c1d2e3a4b5c6d-AMS" always;
    location = /.well-known/apple-app-site-association { return 301 /apple-app-site-association; }
    location = /.well-known/assetlinks.json { default_type text/html; return 200 '<html></html>'; }
    location / { return 200 'links'; }""", certs["web"]),
        ]
    )  # fmt: skip


def _clean_sites(
    web: tuple[int, int], hosts: tuple[str, ...], issue: Callable[..., tuple[str, str]]
) -> str:
    """Sites with nothing to report, for benchmarks: one certificate for all of them."""
    if not hosts:
        return ""
    https, plain = web
    cert = issue("extra", *hosts)
    names = " ".join(hosts)
    return _server(plain, names, "    location / { return 301 https://$host$request_uri; }") + (
        _server(https, names, CLEAN_HTTPS, cert)
    )


@contextmanager
def nginx_server(extra_hosts: tuple[str, ...] = ()) -> Iterator[Web]:
    """nginx with SNI virtual hosts on one HTTPS and one HTTP port, certificates from a
    local CA with an intermediate (see :func:`_sites` for what each name does)."""
    import trustme

    nginx = _program("nginx")
    base = Path(tempfile.mkdtemp(prefix="launchready-nginx-"))
    root = trustme.CA()
    intermediate = root.create_child_ca()
    now = dt.datetime.now(dt.UTC)

    def issue(name: str, *hosts: str, days: int = 365, full: bool = True) -> tuple[str, str]:
        cert = intermediate.issue_cert(*hosts, not_after=now + dt.timedelta(days=days))
        pems = [p.bytes() for p in cert.cert_chain_pems]
        (base / f"{name}.pem").write_bytes(b"".join(pems if full else pems[:1]))
        cert.private_key_pem.write_to_path(str(base / f"{name}.key"))
        return str(base / f"{name}.pem"), str(base / f"{name}.key")

    certs = {
        "good": issue("good", "good.test", "www.good.test", "app.good.test", "api.good.test"),
        "apex": issue("apex", "clubhouse.test", full=False),
        "app": issue("app", "app.clubhouse.test", days=5),
        "soon": issue("soon", "soon.clubhouse.test", days=15),
        "api": issue("api", "other.test"),
        "web": issue(
            "web",
            "web.clubhouse.test",
            "go.clubhouse.test",
            "links.clubhouse.test",
            "preview.clubhouse.test",
        ),
        "shop": issue("shop", "shop.clubhouse.test", full=False),
        "edge": issue("edge", "edge.clubhouse.test"),
        "legacy": issue("legacy", "legacy.clubhouse.test"),
    }
    https, plain, legacy = _free_tcp_port(), _free_tcp_port(), _free_tcp_port()
    root.cert_pem.write_to_path(str(base / "ca.pem"))
    temp = base / "tmp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = (
        f"{user}worker_processes 1;\ndaemon off;\npid {base}/nginx.pid;\n"
        f"error_log {base}/error.log;\nevents {{ worker_connections 64; }}\nhttp {{\n"
        f"  access_log off;\n  client_body_temp_path {temp};\n  proxy_temp_path {temp};\n"
        f"  fastcgi_temp_path {temp};\n  uwsgi_temp_path {temp};\n  scgi_temp_path {temp};\n"
        "  limit_req_zone $binary_remote_addr zone=login:1m rate=2r/s;\n  limit_req_status 429;\n"
        # A relative Location made absolute names the port nginx listens on; members'
        # sites answer on 443, so the redirect must not name another port.
        "  port_in_redirect off;\n"
        + _sites((https, plain), certs)
        + _clean_sites((https, plain), extra_hosts, issue)
        # legacy: a port of its own that offers TLS 1.1 only (protocols are per port)
        + _server(
            legacy,
            "legacy.clubhouse.test",
            '    ssl_protocols TLSv1.1; ssl_ciphers "DEFAULT:@SECLEVEL=0";' + CLEAN_HTTPS,
            certs["legacy"],
        )
        + "}\n"
    )
    (base / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(
        [nginx, "-p", str(base), "-c", str(base / "nginx.conf"), "-e", str(base / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (base / "error.log").read_text() if (base / "error.log").exists() else ""
                    msg = f"nginx did not start on port {https}:\n{log[-2000:]}"
                    raise ServerFailed(msg) from None
                time.sleep(0.1)
        yield Web(https, plain, str(base / "ca.pem"), legacy)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)


def _free_tcp_port() -> int:
    with socket.socket() as tcp:
        tcp.bind(("127.0.0.1", 0))
        return int(tcp.getsockname()[1])


# --- PostgreSQL ------------------------------------------------------------------------------

_PG_BINDIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _pg_tool(name: str) -> str | None:
    for bindir in _PG_BINDIRS:
        if (bindir / name).exists():
            return str(bindir / name)
    return shutil.which(name)


def as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh cluster in a temp dir, reached over a Unix socket (and 127.0.0.1 on the same
    port, as a job reaches its service container); yields the URL of its postgres
    database."""
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not initdb or not pg_ctl:
        raise ServerMissing("PostgreSQL is not installed (apt-get install postgresql)")
    # Not under a 700 temp dir of root's: the postgres user must reach it.
    base = Path(tempfile.mkdtemp(prefix="launchready-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data = base / "data"
    port = str(_free_tcp_port())
    options = f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        for command in (
            [initdb, "-D", str(data), "-A", "trust", "-U", "postgres"],
            [pg_ctl, "-D", str(data), "-l", str(base / "log"), "-o", options, "-w", "start"],
        ):
            done = subprocess.run(as_postgres(command), capture_output=True, check=False)
            if done.returncode != 0:
                raise ServerFailed(
                    f"{Path(command[0]).name} failed: {done.stderr.decode()[-2000:]}"
                )
        yield f"postgresql://postgres@/postgres?host={base}&port={port}"
    finally:
        subprocess.run(
            as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


# --- hostile HTTP servers ---------------------------------------------------------------------
#
# Servers that attack the client: decompression bombs, a body or headers that trickle or
# never end, redirects to another host or down to plain HTTP, answers that reflect the
# request's secrets in other forms, JSON nested past any recursion limit. Raw sockets, so
# a server can say what no well-behaved library would let it say. Each records the
# requests it received (headers included) for the test to inspect.

HOSTILE_KINDS = (
    "reflect",  # /reflect: 200 with `body`; /reflect-header: 302 with `body` in Location;
    #             /echo: 500 echoing the request raw, URL-encoded, base64, hex, upper-case
    "bomb",  # 200 with Content-Encoding `encodings`, `size` zero bytes once decoded
    "trickle",  # 200, Content-Length 100000, then a byte every `interval` s
    "endless-headers",  # a status line, then headers forever (every `interval` s, 0: flat out)
    "redirect",  # `status` (302) to `location`
    "json",  # 200 application/json with `body` (deep nesting, ...)
)


@dataclass(frozen=True)
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[0] if found else None


@dataclass
class Hostile:
    base_url: str
    ca_bundle: str | None
    requests: list[Seen]


def deflate_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream that decodes to at least ``size`` zero bytes (and how many),
    built without compressing them: one literal zero, then back-references of 258 bytes
    at distance 1 in a fixed-Huffman block, eight of which fill exactly 13 bytes."""
    bits: list[int] = []

    def put(value: int, count: int, *, huffman: bool = False) -> None:
        order = range(count - 1, -1, -1) if huffman else range(count)
        bits.extend((value >> i) & 1 for i in order)

    def match() -> None:  # length 258 (code 285, no extra bits), distance 1 (code 0)
        put(0b11000101, 8, huffman=True)
        put(0, 5, huffman=True)

    put(1, 1)  # BFINAL
    put(1, 2)  # BTYPE 01: fixed Huffman codes
    put(0b00110000, 8, huffman=True)  # the literal 0
    match()  # 3 + 8 + 13 bits: byte-aligned from here
    head = _pack(bits)
    bits.clear()
    for _ in range(8):
        match()
    unit = _pack(bits)
    bits.clear()
    repeats = max(0, -(-(size - 259) // (8 * 258)))
    put(0, 7, huffman=True)  # end of block
    return head + unit * repeats + _pack(bits), 1 + 258 * (1 + 8 * repeats)


def _pack(bits: list[int]) -> bytes:
    out = bytearray()
    for i in range(0, len(bits), 8):
        byte = 0
        for j, bit in enumerate(bits[i : i + 8]):
            byte |= bit << j
        out.append(byte)
    return bytes(out)


def gzip_zeros(size: int) -> bytes:
    """A gzip member of at least ``size`` zero bytes, with its right CRC and length."""
    import struct
    import zlib

    data, length = deflate_zeros(size)
    crc, block = 0, bytes(1 << 24)
    left = length
    while left:
        step = min(left, len(block))
        crc = zlib.crc32(block[:step], crc)
        left -= step
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + data + struct.pack("<II", crc, length & 0xFFFFFFFF)


def bomb(size: int, encodings: tuple[str, ...] = ("gzip",)) -> bytes:
    """A body that decodes (through ``encodings``, in Content-Encoding order) to ``size``
    zero bytes or more."""
    import gzip
    import zlib

    if not encodings:
        return bytes(size)
    first, *rest = encodings  # listed in the order they were applied
    if first == "gzip":
        body = gzip_zeros(size)
    elif first == "deflate":  # the zlib wrapper; Adler-32 of n zeros is (n << 16) + 1
        raw, length = deflate_zeros(size)
        body = b"\x78\x01" + raw + (((length % 65521) << 16) + 1).to_bytes(4, "big")
    else:
        raise ValueError(f"no bomb for {first!r}")
    for encoding in rest:
        body = gzip.compress(body, 9) if encoding == "gzip" else zlib.compress(body, 9)
    return body


@contextmanager
def hostile_server(
    kind: str,
    *,
    body: str | bytes = "",
    encodings: tuple[str, ...] = ("gzip",),
    size: int = 64 * 1024 * 1024,
    interval: float = 0.2,
    location: str = "/",
    status: int = 302,
    tls: bool = False,
) -> Iterator[Hostile]:
    """A server that misbehaves the way ``kind`` says (one of :data:`HOSTILE_KINDS`), on
    127.0.0.1 (HTTPS for ``localhost`` and ``127.0.0.1`` from a fresh local CA with
    ``tls``); yields its :class:`Hostile` and stops it, connections and all, on exit."""
    import ssl
    import threading

    if kind not in HOSTILE_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(HOSTILE_KINDS)}")
    payload = body.encode() if isinstance(body, str) else body
    compressed = bomb(size, encodings) if kind == "bomb" else b""
    requests: list[Seen] = []
    stopping = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    context: ssl.SSLContext | None = None
    base = Path(tempfile.mkdtemp(prefix="launchready-hostile-"))
    ca_bundle: str | None = None
    if tls:
        import trustme

        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        ca_bundle = str(base / "ca.pem")
        ca.cert_pem.write_to_path(ca_bundle)
    open_conns: list[socket.socket] = []

    def answer(conn: socket.socket, seen: Seen) -> None:
        def head(code: int, reason: str, *headers: str) -> bytes:
            lines = [f"HTTP/1.1 {code} {reason}", *headers, "Connection: close", "", ""]
            return "\r\n".join(lines).encode("utf-8", "surrogateescape")

        if kind == "reflect":
            if seen.path.startswith("/reflect-header"):
                value = payload.replace(b"\r", b"").replace(b"\n", b"")
                conn.sendall(
                    head(302, "Found", "Content-Length: 0")[:-2]
                    + b"Location: /nope"
                    + value
                    + b"\r\n\r\n"
                )
                return
            if seen.path.startswith("/echo"):
                text = _reflections(seen)
                conn.sendall(head(500, "Error", f"Content-Length: {len(text)}") + text)
                return
            conn.sendall(
                head(200, "OK", "Content-Type: text/plain", f"Content-Length: {len(payload)}")
                + payload
            )
        elif kind == "json":
            conn.sendall(
                head(200, "OK", "Content-Type: application/json", f"Content-Length: {len(payload)}")
                + payload
            )
        elif kind == "bomb":
            conn.sendall(
                head(
                    200,
                    "OK",
                    "Content-Type: application/json",
                    f"Content-Encoding: {', '.join(encodings)}",
                    f"Content-Length: {len(compressed)}",
                )
            )
            for i in range(0, len(compressed), 1 << 16):
                if stopping.is_set():
                    return
                conn.sendall(compressed[i : i + (1 << 16)])
        elif kind == "trickle":
            conn.sendall(head(200, "OK", "Content-Type: text/plain", "Content-Length: 100000"))
            while not stopping.wait(interval):
                conn.sendall(b" ")
        elif kind == "endless-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while not stopping.is_set():
                conn.sendall(f"X-Header-{n}: {'v' * 64}\r\n".encode())
                n += 1
                if interval:
                    stopping.wait(interval)
        elif kind == "redirect":
            conn.sendall(head(status, "Redirect", f"Location: {location}", "Content-Length: 0"))

    def serve(raw: socket.socket) -> None:
        conn = raw
        try:
            raw.settimeout(10)
            if context is not None:
                conn = context.wrap_socket(raw, server_side=True)
            seen = _read_request(conn)
            if seen is None:
                return
            requests.append(seen)
            answer(conn, seen)
        except (OSError, ssl.SSLError, ValueError):
            pass  # the client hung up, gave up on the certificate, or spoke nonsense
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def accept() -> None:
        while not stopping.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            open_conns.append(raw)
            threading.Thread(target=serve, args=(raw,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host = "localhost" if tls else "127.0.0.1"
    try:
        yield Hostile(f"{'https' if tls else 'http'}://{host}:{port}", ca_bundle, requests)
    finally:
        stopping.set()
        for raw in open_conns:
            try:
                raw.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        listener.close()
        thread.join(timeout=5)
        shutil.rmtree(base, ignore_errors=True)


def _read_request(conn: socket.socket) -> Seen | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            raise ValueError("request head too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = tuple(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])
    )
    length = int(next((v for k, v in headers if k.lower() == "content-length"), "0") or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Seen(method, path, headers, rest[:length])


def _reflections(seen: Seen) -> bytes:
    """The request's header values and body, in every form a debug page or a framework's
    error echo might show them."""
    from urllib.parse import quote, quote_plus, unquote_plus

    body = seen.body.decode("utf-8", "replace")
    # The form's values first: a report quotes the start of an answer.
    values = [unquote_plus(part.partition("=")[2]) for part in body.split("&") if "=" in part]
    values += [v for k, v in seen.headers if k.lower().startswith(("x-", "authorization"))]
    values.append(body)
    forms = []
    for value in values:
        raw = value.encode()
        forms += [
            value,
            quote(value, safe=""),
            quote_plus(value),
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode(),
            raw.hex(),
            raw.hex().upper(),
            value.upper(),
            value.lower(),
        ]
    return ("Internal Server Error\n\n" + "\n".join(forms) + "\n").encode()
