"""The domain check's HTTP against a decompression bomb (tests/servers.py): it goes
through the smoke client's bounded decoding and keeps at most MAX_BODY bytes of a body,
so a bomb costs the cap, not what it would expand to."""

from __future__ import annotations

import resource

from launchready_ci.checks.domain.http import Fetcher
from tests.servers import hostile_server


def test_a_bomb_is_neither_decoded_nor_read_whole() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with hostile_server("bomb", size=1 << 30, encodings=("gzip",) * 3) as server:
        got = Fetcher(lambda host, port: (host, port)).fetch(f"{server.base_url}/")
    assert got.status == 200 and got.headers["content-encoding"] == "gzip, gzip, gzip"
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 50
