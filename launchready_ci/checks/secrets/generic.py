"""Generic secrets: candidates (name, value, syntax) read from one line, judged in context.

:func:`candidates` finds the places where a line gives a literal to a secret-looking name:
assignments and key/value pairs in every common syntax (``x = "…"``, ``"x": "…"``,
``x: …`` in YAML, ``X=…`` in dotenv and INI, ``:x => '…'``, ``<x>…</x>``), single call
arguments (``setPassword("…")``), CLI flags (``--requirepass …``, ``mysql -p…``), literal
fallbacks of environment reads (``os.environ.get("X", "…")``, ``process.env.X || "…"``,
``ENV.fetch("X", "…")``), passwords in URLs (``postgres://u:pw@host``), ``Bearer`` and
``Basic`` credentials, SQL ``INSERT`` rows into a password column and ``bytes.fromhex``
key literals. :func:`detect` judges each with :func:`.context.judge`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from launchready_ci.checks.secrets.context import (
    FileKind,
    NameKind,
    Syntax,
    Verdict,
    file_kind,
    judge,
    name_kind,
    shannon,
    value_problem,
    word_coverage,
)
from launchready_ci.checks.secrets.prefilter import Trigger
from launchready_ci.findings import Confidence, Severity

__all__ = ["TRIGGERS", "Candidate", "Found", "candidates", "detect", "reads_unquoted"]

_WORD = (
    r"(?:pass|pwd|pw|secret|token|key|auth|cred|bearer|senha|contrase|kennwort|salt|nonce|pepper)"
)
#: What every line :func:`candidates` can take a candidate from holds (one of these, for
#: the prefilter): a secret word right before an assignment, a key/value separator, a
#: call or an XML tag's end; a URL with a password; a literal fallback of an environment
#: read; a CLI flag; an Authorization scheme; an SQL INSERT; key bytes.
_IDENT = r"[A-Za-z0-9_.$@-]*"
TRIGGERS: tuple[Trigger, ...] = (
    *(
        Trigger("generic", p, caseless=True)
        for p in (
            # name = "…", "name": '…', name => `…`, name: new String("…"), @"…"
            _WORD + _IDENT + r"\\?[\"'`]?\]?\s*(?:[:=]|!=|\?\?=|\|\|=|\+=)=?[=>]?\s*"
            r"(?:(?:new\s+)?\w+\(\s*)?(?:\[\s*|\[\]string\{\s*)?(?:[rbuf]{1,2}|@)?\\?[\"'`]",
            _WORD + _IDENT + r"\s*\(\s*[\"'`]",  # setPassword("…")
            # setCipherKey(Base64.decode("…"))
            _WORD
            + _IDENT
            + r"\s*\(\s*[\w.]{0,60}(?:decode|from|hex|getbytes|encode)\w*\(\s*[\"'`]",
            # password: str = "…", val apiKey: String = "…"
            _WORD + _IDENT + r"\s*:\s*[A-Za-z_][\w.\[\]<>, ]{0,60}\??\s*=\s*[\"'`]",
            r"[?&;\"']" + _IDENT + _WORD + _IDENT + r"=[^\s'\"`&;,)(\][{}<>$\\]",  # ?token=…
            _WORD + r"[A-Za-z0-9_:.-]*(?:\s[^<>\n]*)?>[^<>\s]",  # <password>…</password>
            r"//[^\n/@:]*:[^\n@/]+@",
            r"(?:env|config|fetch|get)\(\s*[\"'][^\"'\n]+[\"']\s*[,)]",
            r"(?:process\.env|import\.meta\.env|ENV|environ)(?:\.\w+|\[[^\]\n]+\])\s*"
            r"(?:\|\||\?\?|or\b)",
            r"(?:fromhex|unhexlify|buffer\.from|decodestring|\[\]byte)\(",
            r"--?(?:[a-z0-9]+[-_]){0,2}(?:pass|pwd|token|secret|api[-_]?key|auth[-_]?token|access[-_]?token"
            r"|client[-_]?secret|requirepass|masterauth)[\w-]*(?:=|\s)",
            r"(?:mysql|mariadb)[^\n|;&]*\s-p[^\s\"'`-]",
            r"(?:redis-cli|sshpass)[^\n|;&]*\s-[ap]\s",
            r"(?:-u|--user)\s+[\"']?[^\s:\"']+:",
            r"(?:bearer|token)\s+[A-Za-z0-9._~+/-]{16}",
            r"basic\s+[A-Za-z0-9+/]{8}",
            r"(?:b64encode|btoa|encodebase64|encodetostring|base64\.encode)\w*\(\s*b?[\"'][^\"':\s]+:",
            r"(?:credentials?|basicauth|digestauth|passwordauthentication)\s*\(\s*[\"']",
            r"\bauth\s*=\s*\(\s*[\"']",
            r"fill_in[^\n]{0,60}pass[^\n]{0,40}with:",
            r"insert\s+into\s",
            r"identified\s+(?:with\s+\w+\s+)?by\s+'|password\s+'",
        )
    ),
    # A user and an unquoted password in one map: {user: bob, password: djqnnwu}
    Trigger(
        "generic",
        r"[{,]\s*[\"']?(?:user|username|login)[\"']?\s*[:=]\s*[^,{}\n]{1,100},\s*[\"']?"
        r"(?:password|passwd|pass|pwd)[\"']?\s*[:=]\s*[^\s'\"`,{}\[\]()]",
        True,
    ),
    # Unquoted values (password: hunter2), read only where they are literals (config
    # files, ``docker run -e``, ``export``): :func:`reads_unquoted`.
    Trigger("generic-bare", _WORD + _IDENT + r"[\"']?\s*[:=]\s*[^\s'\"`#;,{}\[\]()]", True),
)

_Q = r"""(?P<q>\\?["'`])"""  # a quote, or an escaped one: JSON inside a string
#: A secret word somewhere in a name; the name is the identifier around it.
_KEYWORD = re.compile(
    r"(?i)pass|pwd|pw(?![a-z])|secret|token|key|auth|cred|bearer|senha|contrase|kennwort|salt"
    r"|nonce|pepper"
)
_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$@-")
#: What follows a name in an assignment or key/value pair: ``= "…"``, ``": '…'``, ``=> "…"``.
_AFTER_NAME = re.compile(
    r"""\\?["'`]?\]?\s*"""
    # a type annotation before the "=" (password: str = "…", val key: String = "…")
    r"""(?::\s*[A-Za-z_][\w.]{0,40}(?:\[[^\]=\n]{0,60}\]|<[^>=\n]{0,60}>)?\??\s*(?==(?![=>~])))?"""
    r"""(?P<op>:=|=>|\?\?=|\|\|=|\+=|===?|!==?|(?<![=!<>:])=(?![=>~])|:(?![:=/]))\s*"""
    r"""(?:new\s+String\(\s*|String\(\s*|str\(\s*|Some\(\s*|Secret\(\s*|SecretStr\(\s*)?"""
    # the first literal of a list: "tokens": ["…", "…"], Tokens: []string{"…"}
    r"""(?P<list>\[\s*|\[\]string\{\s*)?"""
    r"""(?P<pre>(?:\b[rRbBuUfF]{1,2}|@)?)"""
    + _Q
    # long enough for a private key's base64 on one line (PKCS#8 RSA 2048: ~1,600)
    + r"""(?P<val>(?:\\.|(?!(?P=q))[^\\]){1,4000}?)(?P=q)"""
)
#: What follows a name in a call with one literal argument: ``("…")``.
_AFTER_CALL = re.compile(
    # a literal, or a literal decoded on the way in: setCipherKey(Base64.decode("…"))
    r"""\s*\(\s*(?:(?:[A-Za-z_]\w*\.){0,3}(?:decode|b64decode|fromhex|unhexlify|from|"""
    r"""decodeBase64|parseHexBinary|getBytes|encode)\(\s*)?"""
    + _Q
    + r"""(?P<val>(?:(?!(?P=q))[^\\]){4,300}?)(?P=q)\s*\)"""
)
#: An unquoted literal right after ``=`` (``-e MYSQL_ROOT_PASSWORD=…``, ``?token=…``).
_AFTER_NAME_BARE = re.compile(r"""=(?P<val>[^\s'"`&;,)(\]\[{}<>$\\]{3,200})(?=$|[\s&;,)\]'"])""")
#: ``-passin pass:…``, ``-passout pass:…``: OpenSSL's pass phrase argument given inline.
_OPENSSL_PASS = re.compile(
    r"""(?:^|\s)-pass(?:in|out|word)?\s+["']?pass:(?P<val>[^\s"'`]{3,200})"""
)
#: A user and an unquoted password in one map or block (NATS, HOCON, Lua tables, YAML flow
#: maps): ``{user: bob, password: djqnnwu}``.
_USER_PASSWORD = re.compile(
    r"""[{,]\s*["']?(?:user|username|login)["']?\s*[:=]\s*[^,{}\n]{1,100},\s*["']?"""
    r"""(?P<name>password|passwd|pass|pwd)["']?\s*[:=]\s*"""
    r"""(?P<val>[^\s'"`,{}\[\]()][^\s'"`,{}\[\]()]{2,200})\s*[,}\]]"""
)
#: ``base64.b64encode(b'user:pass')``, ``btoa('user:pass')``: a Basic credential built by hand.
_B64_USERPASS = re.compile(
    r"""(?i)(?:b64encode|btoa|encodebase64|encodetostring|base64\.encode)\w*\(\s*b?"""
    r"""(?P<q>["'])[^"':\s]{1,100}:(?P<val>[^"'\s]{3,200})(?P=q)"""
)
#: A tuple assignment: ``login, password = 'bob@example.org', 'xooxeudiqi'``.
_TUPLE = re.compile(
    r"""^\s*(?P<lhs>[\w.]{1,60}(?:\s*,\s*[\w.]{1,60}){1,5})\s*=\s*"""
    r"""(?P<rhs>(?:["'][^"'\n]{0,300}["']\s*,\s*){1,5}["'][^"'\n]{0,300}["'])\s*(?:#.*)?$"""
)
_TUPLE_ITEM = re.compile(r"""(?P<q>["'])(?P<val>[^"'\n]{0,300})(?P=q)""")
#: A credential object or an HTTP auth built from a literal user and password:
#: ``new NetworkCredential("bob", "…")``, ``HTTPBasicAuth("bob", "…")``, requests'
#: ``auth=("bob", "…")``.
_CREDENTIAL_CALL = re.compile(
    r"""(?:\b\w*(?:Credentials?|BasicAuth|DigestAuth|PasswordAuthentication)|\bauth\s*=\s*)"""
    r"""\s*\(\s*(?P<q1>["'])[^"'\n]{1,100}(?P=q1)\s*,\s*(?P<q>["'])(?P<val>[^"'\n]{3,200})(?P=q)"""
    r"""\s*[,)]"""
)
#: Capybara and kin: ``fill_in :signup_password, with: "…"``.
_FILL_IN = re.compile(
    r"""\bfill_in\s*\(?\s*[:"']?(?P<name>[\w\[\]-]{0,60}pass\w*)["']?\s*,\s*with:\s*"""
    r"""(?P<q>["'])(?P<val>[^"'\n]{3,200})(?P=q)"""
)
_CURL = re.compile(r"""(?:^|\s)(?:-u|--user)\s+["']?[^\s:"']{1,100}:(?P<val>[^\s"']{3,200})""")
_SCHEME = re.compile(r"(?i)^(basic|bearer|token|digest)\s+(\S+)$")
_BARE = re.compile(
    r"""^\s*(?:(?:#|//|;)\s*)?(?:export\s+|-\s+|set\s+)?["']?(?P<name>[A-Za-z_][\w.\-]{0,100})["']?\s*"""
    r"""(?P<op>[:=])\s*(?P<val>[^\s'"`#;,{}\[\]()][^\s'"`;,]*)\s*(?:[#;].*)?$"""
)
_XML = re.compile(
    r"<(?P<name>[\w:.-]{1,80})(?:\s[^<>]*)?>(?P<val>[^<>\s][^<>]{0,300}?)</(?P=name)>"
)
_FLAG = re.compile(
    r"""(?:^|[\s"'\[,])--?(?P<name>(?:[a-z0-9]+[-_]){0,2}(?:password|passwd|pass|pwd|token|secret|api[-_]?key|auth[-_]?token"""
    r"""|access[-_]?token|client[-_]?secret|requirepass|masterauth|secret[-_]?key))"""
    r"""(?:=|\s+)(?P<q>["']?)(?P<val>(?!-)[^\s"'`]{3,200})(?P=q)""",
    re.IGNORECASE,
)
_MYSQL = re.compile(
    r"""\b(?:mysql\w*|mariadb\w*)\b[^|;&\n]*?\s-p(?P<val>[^\s"'`-][^\s"'`]{2,100})"""
)
_REDIS_CLI = re.compile(
    r"""\b(?:redis-cli|sshpass)\b[^|;&\n]*?\s-[ap]\s+(?P<q>["']?)(?P<val>[^\s"'`-][^\s"'`]{2,100})(?P=q)"""
)
_ENV_READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|getenv|environ\.get|env|ENV\.fetch|Env\.get|config)"""
    r"""\(\s*["'](?P<name>[\w.\-]{1,100})["']\s*,\s*(?:default\s*=\s*)?"""
    + _Q
    + r"""(?P<val>(?:(?!(?P=q)).){1,300}?)(?P=q)"""
)
_ENV_BLOCK = re.compile(
    r"""ENV\.fetch\(\s*["'](?P<name>[\w.\-]{1,100})["']\s*\)\s*\{\s*"""
    + _Q
    + r"""(?P<val>(?:(?!(?P=q)).){1,300}?)(?P=q)"""
)
_ENV_GET_OR = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|getenv|ENV\.fetch|System\.getenv)\(\s*["'](?P<name>[\w.\-]{1,100})["']\s*\)"""
    r"""\s*(?:\|\||\?\?|\bor\b|\?:)\s*""" + _Q + r"""(?P<val>(?:(?!(?P=q)).){1,300}?)(?P=q)"""
)
_ENV_OR = re.compile(
    r"""(?:process\.env|import\.meta\.env|ENV|os\.environ)(?:\.(?P<name>\w{1,100})|\[\s*["'](?P<name2>[\w.\-]{1,100})["']\s*\])"""
    r"""\s*(?:\|\||\?\?|\bor\b)\s*""" + _Q + r"""(?P<val>(?:(?!(?P=q)).){1,300}?)(?P=q)"""
)
_URL = re.compile(
    r"""//(?P<user>[^\s:/@'"`<>(){}\[\]]{0,100}):(?P<val>[^\s@/'"`<>]{1,200})@(?P<host>\[[^\]\s]{1,60}\]|[\w.\-%]{1,200})"""
)
_BEARER = re.compile(
    r"""(?i)\b(?P<name>bearer|token)\s+(?P<val>[A-Za-z0-9._~+/\-]{16,500}=*)(?![\w.~+/\-])"""
)
_BASIC = re.compile(r"""(?i)\bbasic\s+(?P<val>[A-Za-z0-9+/]{8,500}={0,2})(?![\w+/=])""")
_INSERT = re.compile(
    r"""(?i)\binsert\s+into\s+[\w."`\[\]]+\s*\((?P<cols>[^)]{1,500})\)\s*values\s*\((?P<vals>[^)]{1,1000})\)"""
)
#: A password clause of SQL's user statements: ``CREATE USER … IDENTIFIED BY '…'``,
#: ``CREATE ROLE … PASSWORD '…'``, ``ALTER USER … WITH PASSWORD '…'``.
_SQL_PASSWORD = re.compile(
    r"""(?i)\b(?:identified\s+(?:with\s+\w+\s+)?by|password)\s+'(?P<val>(?:[^'\n]|''){1,200})'"""
)
_SQL_VALUE = re.compile(r"""'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|(\w+)""")
_FROMHEX = re.compile(
    r"""(?:bytes\.fromhex|binascii\.unhexlify|bytearray\.fromhex|unhexlify|Buffer\.from"""
    r"""|hex\.DecodeString|\[\]byte)\(\s*""" + _Q + r"""(?P<val>[0-9A-Za-z+/=]{16,300})(?P=q)"""
)
_NAME_BEFORE = re.compile(r"""(?P<name>[\w.]{1,100})\s*:?=\s*$""")

#: File types whose unquoted right-hand sides are literals (config), not expressions (code).
_CONFIG_EXT = re.compile(
    r"(?i)(?:\.(?:ya?ml|ini|cfg|conf|config|properties|env|toml|sh|bash|zsh|txt|md|mdx|rst"
    r"|example|sample|template|dist|tpl|tf|tfvars|hcl|service|j2|cnf|prefs)|/[^./]+|"
    r"(?:^|/)\.env[^/]*|dockerfile)$"
)
_LOCAL_HOSTS = frozenset(
    {"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal"}  # noqa: S104
)
#: Hosts reserved for documentation and tests (RFC 2606, RFC 6761) and placeholders.
EXAMPLE_HOST = re.compile(
    r"(?i)(?:^|\.)(?:example|test|invalid|localdomain)$"
    r"|(?:^|\.)example\.(?:com|org|net)$|^(?:host|hostname|server|domain|myhost|yourhost"
    r"|your-host|db-host)$"
)
_HASHED = re.compile(
    r"^(?:\$2[abxy]?\$|\$argon2|\$pbkdf2|pbkdf2_|\$6\$|\$5\$|\$1\$|sha1\$|md5\$|\{SSHA\}|\{SHA\})"
)
_COMMENT_ONLY = re.compile(r"^\s*(?://|#|\*|/\*|<!--|--|;)")


def reads_unquoted(path: str, line: str) -> bool:
    """Whether an unquoted right-hand side on ``line`` is a literal: in a config file,
    after ``docker run -e`` or ``export``, in a comment (elsewhere it is an expression)."""
    return (
        _config_file(path)
        or " -e " in line
        or "export " in line
        or _dotenv_line(path, line)
        or bool(_COMMENT_ONLY.match(line))  # a comment has no expressions: text is literal
    )


#: ``NAME=value`` alone on its line, the name in environment-variable case.
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+=[^\s'\"`=]")
#: Source code, where ``NAME=value`` assigns an expression (another name), not a literal.
_CODE_EXT = re.compile(
    r"(?i)\.(?:py|pyi|js|jsx|mjs|cjs|ts|tsx|go|rb|java|kt|kts|scala|cs|php|rs|c|cc|cpp|cxx"
    r"|h|hpp|swift|m|mm|ex|exs|dart|lua|pl|r|groovy|clj|vue|svelte|ps1)$"
)


def _dotenv_line(path: str, line: str) -> bool:
    """A dotenv-shaped line (``API_SECRET=…``) in a file that is not source code: a
    fixture, a sample, a shell snippet, whatever its extension."""
    return bool(_DOTENV_LINE.match(line)) and not _CODE_EXT.search(path)


@functools.lru_cache(maxsize=1024)
def _config_file(path: str) -> bool:
    return bool(_CONFIG_EXT.search(path))


@dataclass(frozen=True)
class Candidate:
    name: str
    value: str
    syntax: Syntax
    start: int  # offset of the value in the line
    host: str = ""  # for a URL password: the URL's host, lowercase
    #: unquoted in source code: a literal only if the text is configuration (a config
    #: block in a string, a comment), so at most a notice
    unsure: bool = False


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    verdict: Verdict
    url: bool  # a password inside a URL


def candidates(line: str, path: str) -> Iterator[Candidate]:
    """Every (name, value, syntax) the line offers, before any judgement. Each pattern
    runs only when the line holds its literal part, so most lines cost a few ``in`` tests."""
    if len(line) > 20000:
        return
    low = line.lower()
    at = line.find("://")
    while at >= 0:
        m = _URL.match(line, at + 1)
        at = line.find("://", at + 3)
        if m is None:
            continue
        yield Candidate(
            m.group("user") or "password",
            m.group("val"),
            Syntax.URL_PASSWORD,
            m.start("val"),
            host=m.group("host").lower().strip("[]"),
        )
    if "env" in low or "config(" in low:
        for rx in (_ENV_READ, _ENV_BLOCK, _ENV_GET_OR):
            for m in rx.finditer(line):
                yield Candidate(
                    m.group("name"), _unescape(m.group("val")), Syntax.ENV_FALLBACK, m.start("val")
                )
        for m in _ENV_OR.finditer(line):
            name = m.group("name") or m.group("name2")
            yield Candidate(name, _unescape(m.group("val")), Syntax.ENV_FALLBACK, m.start("val"))
    if any(k in low for k in ("fromhex", "unhexlify", "buffer.from", "decodestring", "[]byte(")):
        for m in _FROMHEX.finditer(line):
            before = _NAME_BEFORE.search(line, max(0, m.start() - 120), m.start())
            if before is not None:
                yield Candidate(
                    before.group("name"), m.group("val"), Syntax.BYTES_LITERAL, m.start("val")
                )
    config = _config_file(path) or _dotenv_line(path, line) or bool(_COMMENT_ONLY.match(line))
    yield from _named(line, unquoted_ok=reads_unquoted(path, line))
    if config:
        m = _BARE.match(line)
        if m:
            yield Candidate(m.group("name"), m.group("val"), Syntax.KEY_VALUE, m.start("val"))
    if "</" in line:
        for m in _XML.finditer(line):
            yield Candidate(
                m.group("name"), m.group("val").strip(), Syntax.KEY_VALUE, m.start("val")
            )
    yield from _pairs(line, low, config)
    if "-" in line:
        if "pass:" in low:
            for m in _OPENSSL_PASS.finditer(line):
                yield Candidate("password", m.group("val"), Syntax.CLI_FLAG, m.start("val"))
        for m in _FLAG.finditer(line):
            yield Candidate(m.group("name"), m.group("val"), Syntax.CLI_FLAG, m.start("val"))
        for gate, rx in (
            (("mysql", "mariadb"), _MYSQL),
            (("redis-cli", "sshpass"), _REDIS_CLI),
            (("-u ", "--user "), _CURL),
        ):
            if any(k in low for k in gate):
                for m in rx.finditer(line):
                    yield Candidate("password", m.group("val"), Syntax.CLI_FLAG, m.start("val"))
    if "bearer" in low or "token " in low:
        for m in _BEARER.finditer(line):
            yield Candidate("bearer_token", m.group("val"), Syntax.AUTH_HEADER, m.start("val"))
    if "basic " in low:
        for m in _BASIC.finditer(line):
            decoded = _basic(m.group("val"))
            if decoded is not None:
                yield Candidate("password", decoded, Syntax.AUTH_HEADER, m.start("val"))
            elif len(m.group("val")) >= 16:  # not user:password once decoded, still a token
                yield Candidate("basic_token", m.group("val"), Syntax.AUTH_HEADER, m.start("val"))
    if "insert" in low:
        for m in _INSERT.finditer(line):
            yield from _insert(m, path)
    if "identified" in low or "password '" in low:
        for m in _SQL_PASSWORD.finditer(line):
            value = m.group("val").replace("''", "'")
            yield Candidate("password", value, Syntax.SQL_PASSWORD, m.start("val"))


def _pairs(line: str, low: str, config: bool) -> Iterator[Candidate]:
    """Names and values given together: a tuple assignment, a user and an unquoted password
    in one map, a Basic credential built by hand."""
    if "," in line and "=" in line:
        m = _TUPLE.match(line)
        if m is not None:
            names = [n.strip() for n in m.group("lhs").split(",")]
            items = list(_TUPLE_ITEM.finditer(line, m.start("rhs")))
            if len(names) == len(items):
                for name, item in zip(names, items, strict=True):
                    if name_kind(name) is not None:
                        yield Candidate(
                            name, item.group("val"), Syntax.ASSIGNMENT, item.start("val")
                        )
    if "user" in low or "login" in low:
        for m in _USER_PASSWORD.finditer(line):
            yield Candidate(
                m.group("name"), m.group("val"), Syntax.KEY_VALUE, m.start("val"), unsure=not config
            )
    if "cred" in low or "auth" in low:
        for m in _CREDENTIAL_CALL.finditer(line):
            yield Candidate("password", m.group("val"), Syntax.CALL_ARGUMENT, m.start("val"))
    if "fill_in" in low:
        for m in _FILL_IN.finditer(line):
            yield Candidate(m.group("name"), m.group("val"), Syntax.CALL_ARGUMENT, m.start("val"))
    if "b64encode" in low or "btoa" in low or "base64" in low:
        for m in _B64_USERPASS.finditer(line):
            yield Candidate("password", m.group("val"), Syntax.AUTH_HEADER, m.start("val"))


def _named(line: str, unquoted_ok: bool = False) -> Iterator[Candidate]:
    """Assignments, key/value pairs and one-argument calls whose name holds a secret word:
    the secret words are found first (at C speed), then only the text after each name is
    matched, so a long line costs what its secret words cost."""
    ends: set[int] = set()
    size = len(line)
    for m in _KEYWORD.finditer(line):
        start, end = m.start(), m.end()
        if end in ends:
            continue
        while start > 0 and line[start - 1] in _IDENT_CHARS and m.start() - start < 100:
            start -= 1
        while end < size and line[end] in _IDENT_CHARS and end - m.end() < 60:
            end += 1
        if end in ends:
            continue
        ends.add(end)
        name = line[start:end].strip(".-")
        before = line[start - 1] if start > 0 else ""
        if before == "`" or (before == ":" and line[max(0, start - 2) : start] == "x:"):
            continue  # a Go struct tag (`key:"name,omitempty"`), a XAML x:Key
        a = _AFTER_NAME.match(line, end)
        if a is not None:
            value = _unescape(a.group("val"))
            scheme = _SCHEME.match(value)
            if scheme is not None:  # "Authorization": "Basic dXNlcjpwdw==", "Bearer …"
                if scheme.group(1).lower() == "basic":
                    value = _basic(scheme.group(2)) or scheme.group(2)
                else:
                    value = scheme.group(2)
            pre = (a.group("pre") or "").lower()
            if "f" in pre or (a.group("q") == "`" and "${" in value):
                continue
            if value.startswith("{") and value.endswith("}"):
                value = _inner_json(value) or value  # "Apitoken": "{\"sig\": \"…\"}"
            op = a.group("op")
            syntax = (
                Syntax.KEY_VALUE
                if op in (":", "=>")
                else Syntax.COMPARISON
                if op in ("==", "===", "!=", "!==")
                else Syntax.ASSIGNMENT
            )
            yield Candidate(name, value, syntax, a.start("val"))
            continue
        if unquoted_ok or (start > 0 and line[start - 1] in "?&;\"'"):
            b = _AFTER_NAME_BARE.match(line, end)
            if b is not None:
                yield Candidate(name, b.group("val"), Syntax.KEY_VALUE, b.start("val"))
                continue
        c = _AFTER_CALL.match(line, end)
        if c is not None:
            called = re.sub(r"^(?:.*\.)?(?:[Ss]et|[Ww]ith|[Uu]se)(?=[A-Z_])", "", name)
            yield Candidate(called, _unescape(c.group("val")), Syntax.CALL_ARGUMENT, c.start("val"))


def _inner_json(value: str) -> str | None:
    """The most random string of a JSON object given as a secret's value (a token that
    is a small JSON document), or ``None``."""
    import json

    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    values = [v for v in data.values() if isinstance(v, str) and len(v) >= 8]
    return max(values, key=lambda v: shannon(v) * len(v), default=None)


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\'", "'") if "\\" in value else value


def _basic(token: str) -> str | None:
    """The password of a ``Basic`` credential (base64 of ``user:password``)."""
    try:
        text = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if ":" not in text or not text.isprintable():
        return None
    return text.split(":", 1)[1] or None


def _insert(m: re.Match[str], path: str) -> Iterator[Candidate]:
    cols = [c.strip(' `"[]').lower() for c in m.group("cols").split(",")]
    vals = list(_SQL_VALUE.finditer(m.group("vals")))
    if len(cols) != len(vals):
        return
    for col, v in zip(cols, vals, strict=True):
        if v.group(1) is None:
            continue
        kind = name_kind(col)
        if kind is None:
            continue
        yield Candidate(
            col, v.group(1).replace("''", "'"), Syntax.SQL_INSERT, m.start("vals") + v.start(1)
        )


def detect(line: str, path: str) -> list[Found]:
    """The generic secrets on one line, one per value, judged in context."""
    out: dict[str, Found] = {}
    kind_of_file = file_kind(path)
    comment = bool(_COMMENT_ONLY.match(line))
    for c in candidates(line, path):
        if c.value in out:
            continue
        found = _judge(c, path, kind_of_file, comment)
        if found is not None:
            out[c.value] = found
    # A value found inside another (a URL's password and the URL's assignment) is one.
    values = sorted(out, key=len, reverse=True)
    kept: list[Found] = []
    for v in values:
        if any(v in k.value for k in kept):
            continue
        kept.append(out[v])
    return sorted(kept, key=lambda f: f.start)


def _judge(c: Candidate, path: str, where: FileKind, comment: bool) -> Found | None:
    value = c.value.strip()
    if not value or _HASHED.match(value):
        return None
    if c.syntax is Syntax.URL_PASSWORD:
        return _judge_url(c, path, where)
    if c.syntax is Syntax.AUTH_HEADER and c.name in ("bearer_token", "basic_token"):
        if (
            shannon(value) < 3.0
            or word_coverage(value) > 0.5
            or value_problem(value, NameKind.TOKEN)
        ):
            return None
        if not any(ch.isdigit() for ch in value):
            return None
        verdict = judge("bearer_token", value, c.syntax, path, kind=NameKind.TOKEN)
    elif c.syntax is Syntax.CLI_FLAG:
        verdict = judge(c.name, value, c.syntax, path, kind=name_kind(c.name) or NameKind.PASSWORD)
    else:
        verdict = judge(c.name, value, c.syntax, path)
    if verdict is None:
        return None
    if comment and verdict.severity is not Severity.NOTICE:
        verdict = Verdict(
            Severity.NOTICE, verdict.confidence, verdict.reason + " in a comment", verdict.kind
        )
    elif c.unsure and verdict.severity is not Severity.NOTICE:
        verdict = Verdict(
            Severity.NOTICE,
            Confidence.LOW,
            verdict.reason + ", unquoted in code (a literal if the text is configuration)",
            verdict.kind,
        )
    return Found(value, c.start, verdict, url=False)


def _judge_url(c: Candidate, path: str, where: FileKind) -> Found | None:
    """A URL's password: none on ``localhost``, ``*.example``, or a compose or CI service
    name with a development default; a notice outside production code."""
    from urllib.parse import unquote

    password = unquote(c.value)
    problem = value_problem(password, NameKind.PASSWORD)
    if problem is not None and problem != "too short":
        return None
    if len(password) < 4 or password.lower() == c.name.lower():
        return None
    host = c.host
    local = host in _LOCAL_HOSTS or host.startswith("127.")
    example = bool(EXAMPLE_HOST.search(host))
    service = "." not in host and not local
    if example:
        return None
    worded = problem is not None or word_coverage(password) >= 0.5
    weak = worded or len(password) < 8 or shannon(password) < 2.5
    if (local or service) and worded:
        return None  # postgres://app:app@db/app, redis://:dev@localhost
    strong = len(password) >= 12 and shannon(password) >= 3.3
    confidence = Confidence.HIGH if strong else Confidence.MEDIUM
    reason = "password in a URL"
    if local or service:
        verdict = Verdict(
            Severity.NOTICE, confidence, f"{reason} to a local or service host", "password"
        )
    elif where.relaxed:
        verdict = Verdict(
            Severity.NOTICE, confidence, f"{reason} in a {where.value} file", "password"
        )
    elif weak:
        verdict = Verdict(
            Severity.WARNING, Confidence.LOW, f"{reason}, weak or word-like", "password"
        )
    else:
        verdict = Verdict(
            Severity.ERROR if strong else Severity.WARNING,
            confidence,
            f"{reason} to a remote host",
            "password",
        )
    return Found(c.value, c.start, verdict, url=True)
