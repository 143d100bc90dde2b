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

from launchready_ci.checks.secrets import generic, jwk
from launchready_ci.checks.secrets.context import FileKind, file_kind, word_coverage
from launchready_ci.checks.secrets.env_files import is_dotenv_name
from launchready_ci.checks.secrets.filters import is_placeholder
from launchready_ci.checks.secrets.kubernetes import SecretEntry, secret_data
from launchready_ci.checks.secrets.plugins import PLUGINS, Judgement, OurDetector
from launchready_ci.checks.secrets.prefilter import THEIR_TRIGGERS, Hit, Prefilter, Trigger
from launchready_ci.checks.secrets.providers import DETECT_SECRETS_PROVIDERS, rotate_url
from launchready_ci.checks.secrets.rules.private_key import PrivateKey
from launchready_ci.checks.secrets.rules.provider_credential import ProviderCredential
from launchready_ci.checks.secrets.rules.secret_assignment import SecretAssignment
from launchready_ci.checks.secrets.rules.test_or_public_key import TestOrPublicKey
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule

__all__ = [
    "Detection",
    "prepare",
    "scan_named",
    "scan_text",
    "settings",
    "skipped_name",
    "to_finding",
]

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
    return scan_named(path, text, line_numbers=line_numbers)


def scan_named(
    path: str, text: str, *, line_numbers: Sequence[int] | None = None
) -> list[Detection]:
    """:func:`scan_text` for a path already known not to be :func:`skipped_name`."""
    decoded = secret_data(path, text)
    if decoded:
        return _scan_kubernetes(path, text, decoded, line_numbers)
    return _scan_plain(path, text, line_numbers)


def _scan_plain(path: str, text: str, line_numbers: Sequence[int] | None) -> list[Detection]:
    """One prefilter pass over the whole text (:mod:`.prefilter`), then on each line that
    holds a trigger, the detectors whose trigger it holds."""
    hits = prefilter().scan(text)
    if not hits:
        return []
    lines = text.split("\n")
    if any(not h.tags.isdisjoint(_THEIR_TAGS) for h in hits):
        with settings():  # detect-secrets' plugins run on some line
            return list(_scan_lines(path, lines, hits, line_numbers))
    return list(_scan_lines(path, lines, hits, line_numbers))


@functools.cache
def prefilter() -> Prefilter:
    """Every detector's trigger in one compiled database (built once per process; a scan
    with worker processes builds it before they start)."""
    triggers: list[Trigger] = []
    for plugin in PLUGINS:
        triggers.extend(plugin.triggers())
    triggers.extend(generic.TRIGGERS)
    triggers.extend(jwk.TRIGGERS)
    for cls in _their_plugin_classes():
        triggers.extend(THEIR_TRIGGERS[cls.__name__])
    return Prefilter(triggers)


def prepare() -> None:
    """Build what every scan needs (the prefilter, the word list) now: a parent process
    does it once before its workers start, instead of each worker again."""
    prefilter()
    word_coverage("warm")


#: Tags of detect-secrets' plugins (their settings are applied only for lines with one).
_THEIR_TAGS = frozenset(THEIR_TRIGGERS)


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


#: Lockfiles detect-secrets' list lacks (pnpm's 14,000-line YAML among them): resolved
#: versions and integrity hashes, written by the package manager.
_MORE_LOCKFILES = frozenset(
    {
        "pnpm-lock.yaml",
        "bun.lock",
        "deno.lock",
        "npm-shrinkwrap.json",
        "uv.lock",
        "pdm.lock",
        "go.sum",
        "mix.lock",
        "pubspec.lock",
        "flake.lock",
        "gradle.lockfile",
        "conan.lock",
    }
)


def skipped_name(path: str) -> bool:
    """detect-secrets' file-name filters (lockfiles, non-text extensions, swagger) and
    the lockfiles it does not know."""
    from detect_secrets.filters.heuristic import is_lock_file, is_non_text_file, is_swagger_file

    if path.rpartition("/")[2] in _MORE_LOCKFILES:
        return True
    return bool(is_lock_file(path) or is_non_text_file(path) or is_swagger_file(path))


@functools.cache
def _their_plugin_classes() -> tuple[type, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    return tuple(sorted((c for c in classes if c.__name__ not in _DISABLED), key=str))


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
def _ours() -> tuple[tuple[str, OurDetector], ...]:
    """(tag, plugin) in :data:`PLUGINS` order: on a line, the first to judge a value claims it."""
    return tuple((p.__name__, p()) for p in PLUGINS)


def _run_ours(
    path: str,
    line: str,
    *,
    number: int,
    tags: frozenset[str],
    claimed: list[str],
    found: dict[str, Detection],
    where: FileKind,
) -> None:
    """Our provider plugins whose trigger the line holds, on one window; what they judge
    goes to ``claimed``/``found``. A value only the line calls a credential (no format of
    its own) is a notice in a test, fixture or docs file."""
    for tag, plugin in _ours():
        if tag not in tags:
            continue
        for value in plugin.analyze_string(line):
            if not isinstance(value, str) or value in claimed:
                continue
            if is_placeholder(value):
                claimed.append(value)
                continue
            if not _is_structured(plugin) and _their_value_filters(path, value, plugin, line):
                continue
            judged = plugin.judge(value, line)
            if judged is not None:
                if where.relaxed and not judged.format and judged.severity is not Severity.NOTICE:
                    judged = dataclasses.replace(
                        judged,
                        severity=Severity.NOTICE,
                        reason=f"{judged.reason} (in a {where.value} file)",
                    )
                claimed.append(value)
                found[value] = _ours_detection(plugin, judged, number, value)


def _their_value_filters(path: str, value: str, plugin: OurDetector, line: str) -> bool:
    """detect-secrets' filters on a value (sequential strings, UUIDs, ids, templates)."""
    from detect_secrets.core.scan import _is_filtered_out

    with settings():
        return bool(
            _is_filtered_out(
                required_filter_parameters=["secret"],
                filename=path,
                secret=value,
                plugin=plugin,
                line=line,
            )
        )


def _scan_lines(
    path: str, lines: list[str], hits: list[Hit], numbers: Sequence[int] | None
) -> Iterator[Detection]:
    where = file_kind(path)
    for hit in hits:
        index = hit.index
        tags = hit.tags
        number = numbers[index] if numbers is not None else index + 1
        found: dict[str, Detection] = {}
        claimed: list[str] = []  # values our plugins judged, reported or not
        theirs = not tags.isdisjoint(_THEIR_TAGS)
        if "jwk" in tags:
            for at, value in jwk.private_members(lines, index):
                line_no = numbers[at] if numbers is not None else at + 1
                yield _jwk_detection(value, line_no, where)
        for line in hit.windows(lines[index].rstrip()):
            # detect-secrets' line filter is its allowlist comment: ask it only then.
            if "allowlist" in line.lower() and _allowlisted(path, lines, index, line):
                break
            _run_ours(
                path, line, number=number, tags=tags, claimed=claimed, found=found, where=where
            )
            if theirs:
                _run_theirs(
                    path,
                    lines,
                    index,
                    line,
                    number=number,
                    tags=tags,
                    claimed=claimed,
                    found=found,
                    where=where,
                )
            if "generic" in tags or ("generic-bare" in tags and generic.reads_unquoted(path, line)):
                for g in generic.detect(line, path):
                    if g.value in claimed or any(g.value in v or v in g.value for v in found):
                        continue  # a provider format on this value is more specific
                    found[g.value] = _generic_detection(g, number)
        yield from (d for d in found.values() if d.digest not in _PUBLISHED)


def _allowlisted(path: str, lines: list[str], index: int, line: str) -> bool:
    from detect_secrets.core.scan import _is_filtered_out
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet(lines=lines, line_number=index + 1)
    with settings():
        return bool(
            _is_filtered_out(
                required_filter_parameters=["line"], filename=path, line=line, context=context
            )
        )


@functools.cache
def _their_plugins() -> tuple[tuple[str, Any], ...]:
    """(class name, instance) of each detect-secrets plugin the engine runs."""
    from detect_secrets.settings import get_plugins

    with settings():
        return tuple((p.__class__.__name__, p) for p in get_plugins())


def _run_theirs(
    path: str,
    lines: list[str],
    index: int,
    line: str,
    *,
    number: int,
    tags: frozenset[str],
    claimed: list[str],
    found: dict[str, Detection],
    where: FileKind,
) -> None:
    """detect-secrets' plugins whose trigger the line holds, on one window."""
    from detect_secrets.core.scan import _scan_line
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet(lines=lines, line_number=index + 1)
    their_name = _their_filename(path)
    for name, their in _their_plugins():
        if name not in tags:
            continue
        for secret in _scan_line(
            plugin=their, filename=their_name, line=line, line_number=number, context=context
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
            body = None
            if secret.type == "Private Key":
                body = _private_key_body(lines, index)
                if body is None:
                    continue
            if secret.type == "JSON Web Token" and _unsigned_jwt(value):
                continue
            if secret.type == "AWS Access Key" and _embedded(line, value):
                continue  # 20 characters cut from a longer word (AKIA1234567890EXAMPLE)
            found[value] = _their_detection(secret.type, number, value, where, body=body)


#: SHA-256 of values published on purpose, never secrets: Microsoft's Azurite (Azure
#: Storage emulator) account key for ``devstoreaccount1``.
_PUBLISHED = frozenset({"0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"})


#: What wraps a PEM body line in code: indentation, quotes, ``\n``, concatenation.
_PEM_DECOR = re.compile(r"""\\n|\\r|[\s"'`+,;()]""")
_PEM_LINE = re.compile(r"[A-Za-z0-9+/=]{8,}")
_PEM_HEADER = re.compile(r"^(?:Proc-Type|DEK-Info|Version|Comment|Charset|Hash):")


def _private_key_body(lines: list[str], index: int) -> str | None:
    """The key material after a PEM header, or ``None`` when it is no real key (``...``,
    ``<key>``, ``xxxx`` or nothing). Two keys in one file share their header: the body
    tells them apart."""
    body: list[str] = []
    first = lines[index]
    tail = first.split("-----", 2)[-1]
    for n, text in enumerate([tail, *lines[index + 1 : index + 60]]):
        if "-----END" in text:
            body.append(text.split("-----END", 1)[0])
            break
        core = _PEM_DECOR.sub("", text)
        if n and core and not _PEM_HEADER.match(core) and not _PEM_LINE.fullmatch(core):
            break  # code after a header string (a comparison), not a key's body
        body.append(text)
    joined = "".join(body)
    material = re.sub(r"\\n|[^A-Za-z0-9+/=]", "", joined)
    if len(material) < 64:
        return None
    low = joined.lower()
    if any(p in low for p in ("...", "…", "xxxx", "<", "your", "redacted", "placeholder")):
        return None
    return material


def _embedded(line: str, value: str) -> bool:
    """Every place ``value`` appears in ``line`` runs on into more letters or digits: a
    piece of a longer token, not a whole key."""
    at = line.find(value)
    while at >= 0:
        before = line[at - 1 : at] if at else ""
        after = line[at + len(value) : at + len(value) + 1]
        if not (before.isalnum() or after.isalnum()):
            return False
        at = line.find(value, at + 1)
    return True


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


def _jwk_detection(value: str, line: int, where: FileKind) -> Detection:
    reason = "JSON Web Key with its private member"
    severity = PrivateKey.severity
    if where.relaxed:  # a test key in a test suite, a key in a tutorial
        severity, reason = Severity.NOTICE, f"{reason} in a {where.value} file"
    return Detection(
        rule=PrivateKey,
        provider="JSON Web Key",
        line=line,
        preview=f"JSON Web Key private member, {len(value)} characters",
        digest=_digest(value),
        sha1s=(_sha1(value),),
        severity=severity,
        confidence=Confidence.HIGH,
        reason=reason,
        rotate_url=None,
    )


def _their_detection(
    kind: str, line: int, value: str, where: FileKind, *, body: str | None = None
) -> Detection:
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
        digest=_digest(body or value),  # a key by its material: headers repeat
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
