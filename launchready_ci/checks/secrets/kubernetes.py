"""The base64 values of Kubernetes ``Secret`` manifests, decoded for the engine.

``data:`` values of a ``kind: Secret`` document are base64: the raw text hides a Stripe
key from every pattern, and a keyword match on it cannot tell ``changeme`` from a real
password. :func:`secret_data` decodes them (with their line), so that the engine scans
the decoded value and skips the raw line. ``stringData:`` is plain text and scanned as is.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

__all__ = ["SecretEntry", "secret_data"]

_KIND = re.compile(r"^kind:\s*[\"']?Secret[\"']?\s*$", re.MULTILINE)
_MAX_DOCS = 200


@dataclass(frozen=True)
class SecretEntry:
    index: int  # 0-based line of the key in the text
    key: str
    value: str  # decoded text (never reported, only scanned)


def secret_data(path: str, text: str) -> list[SecretEntry]:
    """The decoded ``data:`` entries of the ``Secret`` documents in a YAML file."""
    if not path.endswith((".yml", ".yaml")) or not _KIND.search(text):
        return []
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: list[SecretEntry] = []
    try:
        for n, doc in enumerate(yaml.compose_all(text, Loader=loader)):
            if n >= _MAX_DOCS:
                break
            out.extend(_entries(doc))
    except yaml.YAMLError:
        return out  # a template with {{ }} or a broken file: what parsed so far
    return out


def _entries(doc: object) -> list[SecretEntry]:
    import yaml

    if not isinstance(doc, yaml.MappingNode):
        return []
    fields = {k.value: v for k, v in doc.value if isinstance(k, yaml.ScalarNode)}
    kind = fields.get("kind")
    data = fields.get("data")
    if not isinstance(kind, yaml.ScalarNode) or kind.value != "Secret":
        return []
    if not isinstance(data, yaml.MappingNode):
        return []
    out = []
    for key, value in data.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            continue
        decoded = _decode(value.value)
        if decoded is not None:
            out.append(SecretEntry(key.start_mark.line, str(key.value), decoded))
    return out


def _decode(raw: str) -> str | None:
    try:
        data = base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
