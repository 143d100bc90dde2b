"""A real authoritative DNS server for the domain tests: NSD on a free loopback port,
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SOA = (
    "@ 300 IN SOA ns1.good.test. hostmaster.good.test. 1 3600 600 86400 300\n@ NS ns1.good.test.\n"
)


def _dkim_key(bits: int) -> str:
    """A fresh RSA public key as a DKIM TXT value, split into 255-byte strings."""
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
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def _zones() -> dict[str, str]:
    strong, weak = _dkim_key(2048), _dkim_key(1024)
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
        + "old CNAME gone-app.provider.test.\n"  # the app was deleted: dangling
        + "api CNAME api-host.provider.test.\n"  # launchready.yml says cname.vercel.test
        # no MX, no CAA (and the parent `test` refuses: counts as no record)
        + '@ TXT "v=spf1 include:spfchain.test a:nothing1.clubhouse.test '
        + 'a:nothing2.clubhouse.test a:nothing3.clubhouse.test ?all"\n'
        + f"pm._domainkey TXT {weak}\n"
        + 's1._domainkey TXT "v=DKIM1; k=rsa; p="\n'
        + '_dmarc TXT "v=DMARC1; p=none"\n'
        + "news MX 10 mx.clubhouse.test.\n"
        + 'news TXT "v=spf1 include:spf.mtasv.net ~all"\n'
        + 'news TXT "v=spf1 include:_spf.google.com ~all"\n'
        + 'txn TXT "v=spf1 +all"\n'
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
        "provider.test": SOA + "api-host A 198.51.100.7\n",
        "mtasv.net": SOA + 'spf TXT "v=spf1 ip4:50.31.156.96/27 ~all"\n',
        "google.com": SOA + '_spf TXT "v=spf1 ip4:35.190.247.0/24 ~all"\n',
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return int(udp.getsockname()[1])


def _answers(port: int) -> bool:
    import dns.message
    import dns.query

    try:
        query = dns.message.make_query("good.test.", "SOA")
        dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
    except Exception:  # not up yet
        return False
    return True


@pytest.fixture(scope="session")
def nameserver() -> Iterator[str]:
    """``127.0.0.1:PORT`` of the running NSD."""
    nsd = shutil.which("nsd") or ("/usr/sbin/nsd" if Path("/usr/sbin/nsd").exists() else None)
    if nsd is None:
        if os.environ.get("CI") == "true":
            pytest.fail("NSD is not installed (apt-get install nsd)")
        pytest.skip("NSD is not installed")
    base = Path(tempfile.mkdtemp(prefix="launchready-nsd-"))
    port = _free_port()
    zones = _zones()
    config = [
        "server:",
        f"  ip-address: 127.0.0.1@{port}",
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
        while not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (base / "nsd.log").read_text() if (base / "nsd.log").exists() else ""
                pytest.fail(f"NSD did not start on port {port}:\n{log[-2000:]}")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
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
    port: int
    ca_bundle: str  # the test CA's root, for --ca-bundle

    def connect_to(self) -> str:
        return f"::127.0.0.1:{self.port}"


def _nginx_site(names: str, cert: str, key: str, port: int) -> str:
    return (
        f"  server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name {names};\n"
        f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n"
        "    location / { return 200 'ok'; }\n  }\n"
    )


@pytest.fixture(scope="session")
def web() -> Iterator[Web]:
    """nginx with SNI virtual hosts and certificates from a local CA with an intermediate:
    good.test's names with the full chain; clubhouse.test without its intermediate;
    app.clubhouse.test expiring in 5 days, soon.clubhouse.test in 15;
    api.clubhouse.test with a certificate for another name."""
    import trustme

    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
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

    port = _free_tcp_port()
    sites = [
        ("good.test www.good.test app.good.test api.good.test",
         issue("good", "good.test", "www.good.test", "app.good.test", "api.good.test")),
        ("clubhouse.test", issue("apex", "clubhouse.test", full=False)),
        ("app.clubhouse.test", issue("app", "app.clubhouse.test", days=5)),
        ("soon.clubhouse.test", issue("soon", "soon.clubhouse.test", days=15)),
        ("api.clubhouse.test", issue("api", "other.test")),
    ]  # fmt: skip
    root.cert_pem.write_to_path(str(base / "ca.pem"))
    temp = base / "tmp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = (
        f"{user}worker_processes 1;\ndaemon off;\npid {base}/nginx.pid;\n"
        f"error_log {base}/error.log;\nevents {{ worker_connections 64; }}\nhttp {{\n"
        f"  access_log off;\n  client_body_temp_path {temp};\n  proxy_temp_path {temp};\n"
        f"  fastcgi_temp_path {temp};\n  uwsgi_temp_path {temp};\n  scgi_temp_path {temp};\n"
        + "".join(_nginx_site(names, cert, key, port) for names, (cert, key) in sites)
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
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (base / "error.log").read_text() if (base / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start on port {port}:\n{log[-2000:]}")
                time.sleep(0.1)
        yield Web(port, str(base / "ca.pem"))
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
