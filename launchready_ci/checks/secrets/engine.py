"""The detection engine: one prefilter pass, then detect-secrets' and our plugins.

:func:`scan_text` reads a file's text (or the added lines of a diff), selects the
candidate lines with one combined regex of every detector's keywords and prefixes, and
runs the plugins and detect-secrets' filters on those lines only. A :class:`Detection`
holds a redacted preview and a SHA-256 digest of the value, never the value itself.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from launchready_ci.checks.secrets import generic
from launchready_ci.checks.secrets.context import FileKind, file_kind
from launchready_ci.checks.secrets.env_files import is_dotenv_name
from launchready_ci.checks.secrets.filters import is_placeholder
from launchready_ci.checks.secrets.kubernetes import SecretEntry, secret_data
from launchready_ci.checks.secrets.plugins import PLUGINS, Judgement, OurDetector
from launchready_ci.checks.secrets.prefilter import (
    KEYWORD_ANCHORS,
    THEIR_ANCHORS,
    candidate_lines,
)
from launchready_ci.checks.secrets.providers import DETECT_SECRETS_PROVIDERS, rotate_url
from launchready_ci.checks.secrets.rules.private_key import PrivateKey
from launchready_ci.checks.secrets.rules.provider_credential import ProviderCredential
from launchready_ci.checks.secrets.rules.secret_assignment import SecretAssignment
from launchready_ci.checks.secrets.rules.test_or_public_key import TestOrPublicKey
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule

__all__ = ["Detection", "scan_text", "settings", "skipped_name", "to_finding"]

#: Left out: entropy alone and IP addresses are too noisy; Twilio is ours (theirs also
#: reports Account SIDs, AC..., which are public identifiers); IBM Cloud, Cloudant and
#: SoftLayer match on two-letter context words (``cl``, ``sl``) that no literal prefilter
#: can anchor, for platforms a membership app's stack does not use.
_DISABLED = {
    "KeywordDetector",  # replaced by :mod:`.generic`, which judges name, value and file
    "BasicAuthDetector",  # likewise: URL passwords are judged by host and file
    "Base64HighEntropyString",
    "HexHighEntropyString",
    "IPPublicDetector",
    "TwilioKeyDetector",
    "CloudantDetector",
    "IbmCloudIamDetector",
    "IbmCosHmacDetector",
    "SoftlayerDetector",
}
_THEIR_FILTER = "detect_secrets.filters.heuristic.is_indirect_reference"
_NO_VERIFY = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"
#: The names detect-secrets' KeywordDetector looks for (its DENYLIST, with any affix):
#: a line without one of them cannot hold a keyword finding.
_KEYWORDS = "(?i:" + "|".join(re.escape(a) for a in KEYWORD_ANCHORS) + ")"
_LOCAL_HOSTS = ("@localhost", "@127.0.0.1", "@0.0.0.0", "@host.docker.internal", "@[::1]")


@dataclass(frozen=True)
class Detection:
    """One secret found in one line (value replaced by ``preview`` and ``digest``)."""

    rule: type[Rule]
    provider: str
    line: int
    preview: str
    digest: str  # sha256 hex of the value, only for fingerprints
    #: detect-secrets' ``hashed_secret`` (SHA-1) of the value and of what its plugins
    #: matched inside it (its Stripe pattern takes 24 characters), to match baselines.
    sha1s: tuple[str, ...]
    severity: Severity
    confidence: Confidence
    reason: str  # why it was judged a secret (never the value)
    rotate_url: str | None


def scan_text(
    path: str, text: str, *, line_numbers: Sequence[int] | None = None
) -> list[Detection]:
    """The secrets in ``text`` (a file, or a diff's added lines joined by ``\\n``)."""
    if skipped_name(path):
        return []
    decoded = secret_data(path, text)
    if decoded:
        return _scan_kubernetes(path, text, decoded, line_numbers)
    return _scan_plain(path, text, line_numbers)


def _scan_plain(path: str, text: str, line_numbers: Sequence[int] | None) -> list[Detection]:
    """The anchor pass over the whole text (:mod:`.prefilter`), the combined regex on the
    lines it found, then the plugins on the lines left."""
    found = candidate_lines(text, _anchors())
    if not found:
        return []
    lines = text.split("\n")
    search = _prefilter().search
    candidates = [i for i in found if search(lines[i])]
    if not candidates:
        return []
    with settings():
        return list(_scan_lines(path, lines, candidates, line_numbers))


@functools.cache
def _anchors() -> tuple[str, ...]:
    out = {k.lower() for plugin in PLUGINS for k in plugin.keywords}
    out.update(generic.ANCHORS)
    for cls in _their_plugin_classes():
        out.update(THEIR_ANCHORS[cls.__name__])
    return tuple(sorted(out))


def _scan_kubernetes(
    path: str, text: str, entries: list[SecretEntry], numbers: Sequence[int] | None
) -> list[Detection]:
    """A ``Secret`` manifest: its decoded ``data:`` values, then the rest of the file
    with the raw base64 lines left out."""
    lines = text.split("\n")
    found: list[Detection] = []
    for entry in entries:
        value = entry.value.strip()
        inner = value if "\n" in value else f"{entry.key}: {json.dumps(value)}"
        number = numbers[entry.index] if numbers is not None else entry.index + 1
        for d in _scan_plain(path, inner, None):
            reason = f"{d.reason} (base64-decoded from a Kubernetes Secret)"
            found.append(dataclasses.replace(d, line=number, reason=reason))
        if 0 <= entry.index < len(lines):
            lines[entry.index] = ""
    found.extend(_scan_plain(path, "\n".join(lines), numbers))
    return found


def to_finding(d: Detection, path: str, *, commit: str | None = None) -> Finding:
    """The finding for a detection; ``commit`` for a secret added in git history."""
    where = f" in commit {commit[:12]}" if commit else ""
    if d.rule is PrivateKey:
        message = f"Private key committed{where}"
    elif d.rule is SecretAssignment:
        message = f"Literal secret committed{where} ({d.preview}): {d.reason}"
    elif d.rule is TestOrPublicKey:
        message = f"{d.provider} key{where} ({d.preview}): {d.reason}"
    else:
        message = f"{d.provider} credential committed{where} ({d.preview}): {d.reason}"
        if d.rotate_url:
            message += f"; revoke it and rotate at {d.rotate_url}"
    props: dict[str, Any] = {
        "kind": d.reason,
        "preview": d.preview,
        "provider": d.provider,
        "reason": d.reason,
    }
    if d.rotate_url:
        props["rotate_url"] = d.rotate_url
    if commit:
        props["commit"] = commit
    return d.rule.finding(
        message,
        Location(path=path, start_line=d.line, end_line=d.line),
        content=d.digest,
        severity=d.severity,
        confidence=d.confidence,
        properties=props,
    )


# --- internals ---------------------------------------------------------------------------


def skipped_name(path: str) -> bool:
    """detect-secrets' file-name filters: lockfiles, non-text extensions, swagger."""
    from detect_secrets.filters.heuristic import is_lock_file, is_non_text_file, is_swagger_file

    return bool(is_lock_file(path) or is_non_text_file(path) or is_swagger_file(path))


@functools.cache
def _their_plugin_classes() -> tuple[type, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    return tuple(sorted((c for c in classes if c.__name__ not in _DISABLED), key=str))


@functools.cache
def _prefilter() -> re.Pattern[str]:
    """One regex that matches every line any plugin could report on."""
    from detect_secrets.plugins.base import RegexBasedDetector

    parts = [_KEYWORDS, "(?i:" + "|".join(re.escape(a) for a in generic.ANCHORS) + ")"]
    for cls in _their_plugin_classes():
        if issubclass(cls, RegexBasedDetector):
            denylist: tuple[re.Pattern[str], ...] = getattr(cls, "denylist", ())
            parts.extend(_part(rx) for rx in denylist)
    parts.extend(re.escape(k) for plugin in PLUGINS for k in plugin.keywords)
    try:
        return re.compile("|".join(parts))
    except re.error:  # a pattern that does not combine (a named group twice, say)
        return re.compile(
            "|".join(
                [
                    _KEYWORDS,
                    *(re.escape(k) for p in PLUGINS for k in p.keywords),
                    "PRIVATE KEY",
                    "://",
                    "AKIA",
                    "eyJ",
                ]
            )
        )


class settings:  # lower case: used like a function, ``with settings():``
    """detect-secrets' settings for a scan: our plugin list and filters, no network.

    Applying them costs milliseconds (detect-secrets clears its caches), so a caller that
    scans many files wraps the loop in one ``with settings():``; nested uses are free.
    """

    _depth = 0

    def __enter__(self) -> None:
        settings._depth += 1
        if settings._depth > 1:
            return
        from detect_secrets.settings import transient_settings

        plugins = [{"name": c.__name__} for c in _their_plugin_classes()]
        self._cm = transient_settings({"plugins_used": plugins})
        current = self._cm.__enter__()
        # The indirect-reference heuristic (``x = get(...)``) is for keyword matches only:
        # it would hide ``Stripe("sk_live_...")``. Ours, marker-aware, runs on those.
        current.disable_filters(_THEIR_FILTER)
        if _NO_VERIFY in current.filters:
            current.disable_filters(_NO_VERIFY)

    def __exit__(self, *exc: object) -> None:
        settings._depth -= 1
        if settings._depth == 0:
            self._cm.__exit__(None, None, None)


def _their_filename(path: str) -> str:
    """The name detect-secrets sees. Its keyword plugin knows a file's syntax from the
    extension and wants quotes around values in unknown types; a dotenv file
    (``.env.production``, ``prod.env``) is ``NAME=value`` without quotes, as in INI."""
    return f"{path}.ini" if is_dotenv_name(path) else path


@functools.cache
def _their_gate(name: str) -> re.Pattern[str] | None:
    """A regex a line must match for detect-secrets' plugin class ``name`` to find
    anything in it (``None``: no cheap gate, always run it)."""
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import KeywordDetector

    cls = next((c for c in _their_plugin_classes() if c.__name__ == name), None)
    if cls is None:
        return None
    if issubclass(cls, KeywordDetector):
        return re.compile(_KEYWORDS)
    if issubclass(cls, RegexBasedDetector):
        parts = [_part(rx) for rx in getattr(cls, "denylist", ())]
        try:
            return re.compile("|".join(parts)) if parts else None
        except re.error:
            return None
    return None


def _part(rx: re.Pattern[str]) -> str:
    return f"(?i:{rx.pattern})" if rx.flags & re.IGNORECASE else f"(?:{rx.pattern})"


@functools.cache
def _ours() -> tuple[OurDetector, ...]:
    return tuple(p() for p in PLUGINS)


#: Lines longer than this are read in windows around their anchors: a minified bundle or
#: a 2 MB line of ``password=`` costs what its anchors cost, not what its length costs.
MAX_LINE = 4096
_WINDOW = 512
_MAX_WINDOWS = 64


def _windows(line: str) -> list[str]:
    """``line`` itself, or for a very long line, at most :data:`_MAX_WINDOWS` slices of
    it around anchor hits (merged where they overlap)."""
    if len(line) <= MAX_LINE:
        return [line]
    automaton = _anchor_automaton()
    low = line.lower()
    spans: list[list[int]] = []
    for end, _length in automaton.iter(low):
        start = max(0, end - _WINDOW)
        stop = min(len(line), end + _WINDOW)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], stop)
        else:
            if len(spans) >= _MAX_WINDOWS:
                break
            spans.append([start, stop])
        if spans[-1][1] - spans[-1][0] > 4 * _WINDOW:  # a run of anchors: cut it here
            if len(spans) >= _MAX_WINDOWS:
                break
            spans.append([stop, stop])
    return [line[a:b] for a, b in spans if b > a]


@functools.cache
def _their_literals(name: str) -> frozenset[str] | None:
    """The lowercase literals one of which every match of detect-secrets' plugin ``name``
    holds (``None``: it has none, such as Discord's and Telegram's bot tokens)."""
    literals = THEIR_ANCHORS.get(name)
    return frozenset(literals) if literals else None


@functools.cache
def _word_automaton() -> Any:
    """Every anchor and plugin keyword, lowercase, each mapped to itself."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word in {*_anchors(), *(k.lower() for p in PLUGINS for k in p.keywords)}:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


@functools.cache
def _anchor_automaton() -> Any:
    from launchready_ci.checks.secrets.prefilter import _automaton

    return _automaton(tuple(sorted(set(_anchors()))))


def _run_ours(
    path: str,
    line: str,
    *,
    number: int,
    present: set[str],
    ours: list[tuple[OurDetector, frozenset[str]]],
    claimed: list[str],
    found: dict[str, Detection],
) -> None:
    """Our provider plugins on one window; what they judge goes to ``claimed``/``found``."""
    from detect_secrets.core.scan import _is_filtered_out

    for plugin, keywords in ours:
        if keywords.isdisjoint(present):
            continue
        for value in plugin.analyze_string(line):
            if not isinstance(value, str) or value in claimed:
                continue
            if is_placeholder(value):
                claimed.append(value)
                continue
            if _is_filtered_out(
                required_filter_parameters=["secret"],
                filename=path,
                secret=value,
                plugin=plugin,
                line=line,
            ) and not _is_structured(plugin):
                continue
            judged = plugin.judge(value, line)
            if judged is not None:
                claimed.append(value)
                found[value] = _ours_detection(plugin, judged, number, value)


def _scan_lines(
    path: str, lines: list[str], candidates: list[int], numbers: Sequence[int] | None
) -> Iterator[Detection]:
    from detect_secrets.core.scan import _is_filtered_out, _scan_line
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    theirs = [
        (p, _their_gate(p.__class__.__name__), _their_literals(p.__class__.__name__))
        for p in get_plugins()
    ]
    their_name = _their_filename(path)
    ours = [(p, frozenset(k.lower() for k in p.keywords)) for p in _ours()]
    where = file_kind(path)
    words = _word_automaton()
    for index in candidates:
        number = numbers[index] if numbers is not None else index + 1
        found: dict[str, Detection] = {}
        claimed: list[str] = []  # values our plugins judged, reported or not
        for line in _windows(lines[index].rstrip()):
            context = get_code_snippet(lines=lines, line_number=index + 1)
            low = line.lower()
            # detect-secrets' line filter is its allowlist comment: ask it only then.
            if "allowlist" in low and _is_filtered_out(
                required_filter_parameters=["line"], filename=path, line=line, context=context
            ):
                break
            # Which anchors the window holds, in one pass: a plugin runs only when one of
            # its literals is there (every match of it contains one).
            present = {w for _, w in words.iter(low)}
            _run_ours(
                path, line, number=number, present=present, ours=ours, claimed=claimed, found=found
            )
            for their, gate, literals in theirs:
                if literals is not None and literals.isdisjoint(present):
                    continue
                if gate is not None and not gate.search(line):
                    continue
                for secret in _scan_line(
                    plugin=their,
                    filename=their_name,
                    line=line,
                    line_number=number,
                    context=context,
                ):
                    value = secret.secret_value or ""
                    overlaps = [c for c in claimed if value in c or c in value]
                    for c in overlaps:
                        if c in found:
                            d = found[c]
                            found[c] = dataclasses.replace(d, sha1s=(*d.sha1s, _sha1(value)))
                    if overlaps or value in found:
                        continue
                    if is_placeholder(value):
                        continue
                    if secret.type == "Private Key" and not _real_private_key(lines, index):
                        continue
                    if secret.type == "JSON Web Token" and _unsigned_jwt(value):
                        continue
                    found[value] = _their_detection(secret.type, number, value, where)
            for g in generic.detect(line, path):
                if g.value in claimed or any(g.value in v or v in g.value for v in found):
                    continue  # a provider format on this value is more specific
                found[g.value] = _generic_detection(g, number)
        yield from (d for d in found.values() if d.digest not in _PUBLISHED)


#: SHA-256 of values published on purpose, never secrets: Microsoft's Azurite (Azure
#: Storage emulator) account key for ``devstoreaccount1``.
_PUBLISHED = frozenset({"0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"})


def _real_private_key(lines: list[str], index: int) -> bool:
    """A PEM header followed by a body of real key material (not ``...``, ``<key>``,
    ``xxxx`` or nothing)."""
    body: list[str] = []
    first = lines[index]
    tail = first.split("-----", 2)[-1]
    for text in [tail, *lines[index + 1 : index + 60]]:
        if "-----END" in text:
            body.append(text.split("-----END", 1)[0])
            break
        body.append(text)
    joined = "".join(body)
    material = re.sub(r"\\n|[^A-Za-z0-9+/=]", "", joined)
    if len(material) < 64:
        return False
    low = joined.lower()
    return not any(p in low for p in ("...", "…", "xxxx", "<", "your", "redacted", "placeholder"))


def _unsigned_jwt(token: str) -> bool:
    """``alg: none``: a JWT that proves nothing and opens nothing. (detect-secrets' match
    may stop before the signature, so an empty third part says nothing.)"""
    parts = token.split(".")
    try:
        head = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(head, dict) and str(head.get("alg", "")).lower() == "none"


def _generic_detection(g: generic.Found, line: int) -> Detection:
    v = g.verdict
    rule: type[Rule] = ProviderCredential if g.url else SecretAssignment
    return Detection(
        rule=rule,
        provider="URL" if g.url else "",
        line=line,
        preview=preview(g.value, v.kind),
        digest=_digest(g.value),
        sha1s=(_sha1(g.value),),
        severity=v.severity,
        confidence=v.confidence,
        reason=v.reason,
        rotate_url=None,
    )


def preview(value: str, kind: str, prefix: str = "") -> str:
    """What a reviewer may see of a secret: its kind and length, and its first and last
    characters only when the value is long enough that they reveal nothing useful
    (``password, 14 characters``; ``sk_live_…9f2c (Stripe secret key, 32 characters)``)."""
    n = len(value)
    about = f"{kind}, {n} characters" if kind else f"{n} characters"
    if prefix and value.startswith(prefix) and n - len(prefix) >= 16:
        return f"{prefix}…{value[-4:]} ({about})"
    if n >= 32:
        return f"{value[:2]}…{value[-4:]} ({about})"
    if n >= 20:
        return f"…{value[-3:]} ({about})"
    return about


def _is_structured(plugin: OurDetector) -> bool:
    """Formats whose own checks beat detect-secrets' generic id/UUID heuristics."""
    return plugin.provider == "Postmark"


def _sha1(value: str) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _ours_detection(plugin: OurDetector, j: Judgement, line: int, value: str) -> Detection:
    return Detection(
        rule=TestOrPublicKey if j.public else ProviderCredential,
        provider=plugin.provider.removesuffix(" webhook"),
        line=line,
        preview=preview(value, plugin.secret_type, _prefix(value)),
        digest=_digest(value),
        sha1s=(_sha1(value),),
        severity=j.severity,
        confidence=j.confidence,
        reason=j.reason,
        rotate_url=None if j.public else rotate_url(plugin.provider),
    )


def _their_detection(kind: str, line: int, value: str, where: FileKind) -> Detection:
    rule: type[Rule]
    provider = DETECT_SECRETS_PROVIDERS.get(kind, kind)
    severity: Severity | None = None
    if kind == "Private Key":
        rule, provider, reason = PrivateKey, "Private key", "PEM or OpenSSH private key"
        if where.relaxed:  # a test key in test settings, a key in a tutorial
            severity, reason = Severity.NOTICE, f"{reason} in a {where.value} file"
    elif kind == "JSON Web Token" and where.relaxed:
        rule, reason = ProviderCredential, f"JSON Web Token in a {where.value} file"
        severity = Severity.NOTICE
    else:
        rule, reason = ProviderCredential, f"matches detect-secrets' {kind} pattern"
    return Detection(
        rule=rule,
        provider=provider,
        line=line,
        preview="PEM or OpenSSH private key"
        if rule is PrivateKey
        else preview(value, provider or kind, _prefix(value)),
        digest=_digest(value),
        sha1s=(_sha1(value),),
        severity=severity or rule.severity,
        confidence=rule.confidence,
        reason=reason,
        rotate_url=rotate_url(provider),
    )


def _prefix(value: str) -> str:
    """A provider prefix such as ``sk_live_``, ``ghp_`` or ``xoxb-``: not secret."""
    cut = max(value.rfind("_", 0, 12), value.rfind("-", 0, 12))
    return value[: cut + 1] if 2 <= cut < len(value) // 2 else ""
