"""The domain check's HTTP against a decompression bomb (tests/servers.py): it reads at
most 64 KiB of a body and never decodes a content coding, so a bomb costs nothing."""

from __future__ import annotations

import resource

from launchready_ci.checks.domain.http import fetch
from tests.servers import hostile_server


def test_a_bomb_is_neither_decoded_nor_read_whole() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with hostile_server("bomb", size=1 << 30, encodings=("gzip",) * 3) as server:
        got = fetch(f"{server.base_url}/", lambda host, port: (host, port), cafile=None)
    assert got.status == 200 and got.headers["content-encoding"] == "gzip, gzip, gzip"
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 50
