"""The context model for generic secrets: the name, the value, the syntax and the file.

A provider key has a format that proves what it is. A password or a token without a
prefix has only its surroundings: a keyword next to a literal is a guess, and most such
guesses on real code are error codes, UI labels, test defaults and placeholders. This
module judges one candidate, (name, value, syntax, path), and returns a :class:`Verdict`
with a confidence and the reason, or ``None`` when the value is not a secret. It never
stores or returns the value.

- The *name* must hold secret vocabulary (``password``, ``secret``, ``token``, ``api_key``
  ...) and must not merely describe a secret (``*_TEMPLATE``, ``*_FIELD``, ``*_URL``,
  ``*_PATH``, ``public_key``, ``key_id``, ``csrf_token``, ``token_type``,
  ``password_reset_*``, error and event codes).
- The *value* must look chosen by a machine or a person who meant it: long enough, not a
  placeholder or a stopword, not built at run time (``${…}``, ``#{…}``, ``{{ … }}``,
  f-strings), not a phrase or a dictionary word, and not the name spelled again
  (``PASSWORD_RESET = "password_reset"``).
- The *syntax* says how sure the pairing is: an assignment or a key/value pair, a call
  argument, a CLI flag, a literal fallback of an environment read, a URL's password.
- The *file* decides the severity: tests, fixtures, docs, examples, i18n catalogues and
  local-development files (compose services, dev containers, CI service containers) hold
  test values on purpose, so a generic secret there is at most a notice.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

from launchready_ci.checks.secrets.filters import is_placeholder
from launchready_ci.findings import Confidence, Severity

__all__ = [
    "FileKind",
    "Verdict",
    "file_kind",
    "judge",
    "name_kind",
    "shannon",
    "word_coverage",
]


class FileKind(enum.Enum):
    CODE = "code"  # application code and configuration: what ships
    TEST = "test"  # tests, specs, fixtures, mocks
    DOCS = "docs"  # documentation, examples, samples, notebooks of examples
    I18N = "i18n"  # translation catalogues: labels, never values
    DEV = "dev"  # local development and CI: compose files, dev containers, workflows
    TEMPLATE = "template"  # .env.example, *.sample, *.dist: placeholders on purpose

    @property
    def relaxed(self) -> bool:
        """Files that hold test or example values on purpose."""
        return self is not FileKind.CODE


_TEST_DIR = re.compile(
    r"(?i)(?:^|/)(?:tests?|__tests__|testing|testdata|test[_-]?data|spec|specs|fixtures?|mocks?"
    r"|integration|integration[_-]tests?"
    r"|__mocks__|e2e|cypress|playwright|stubs?|fakes?|testutils?|test[_-]?helpers?|qa)/"
)
_TEST_FILE = re.compile(
    r"(?i)(?:^|/)(?:test[._-][^/]*|[^/]*_test\.\w+|[^/]*\.(?:test|spec|e2e|cy)\.\w+|conftest\.py"
    r"|[^/]*tests?\.(?:java|kt|cs|scala|groovy|swift|m|php)|[^/]*_spec\.rb|[^/]*(?:mock|fake"
    r"|stub|fixture)s?[._-][^/]*)$"
)
_DOCS_DIR = re.compile(
    r"(?i)(?:^|/)(?:docs?|documentation|examples?|samples?|demos?|tutorials?|guides?|cookbooks?"
    r"|website|site-docs|storybook|stories)/"
)
_DOCS_EXT = re.compile(r"(?i)\.(?:md|mdx|markdown|rst|adoc|asciidoc|txt|ipynb|html?|textile|wiki)$")
#: API descriptions: their ``example:`` values show a reader what a response looks like
_API_SPEC = re.compile(r"(?i)(?:^|/)(?:openapi|swagger)[^/]*\.(?:ya?ml|json)$")
_I18N = re.compile(
    r"(?i)(?:^|/)(?:locales?|i18n|l10n|intl|lang|langs|languages|translations?|messages)/"
    r"|\.(?:po|pot|xlf|xliff|strings|resx|arb)$"
)
_TEMPLATE = re.compile(
    r"(?i)(?:[./_-](?:example|examples|sample|samples|template|templates|tmpl|tpl|dist"
    r"|defaults?|schema|placeholder)(?:\.[^/]*)?$)"
)
#: a config file named for what it is: lemmy's config/defaults.hjson, example.yml
_TEMPLATE_CONFIG = re.compile(
    r"(?i)^(?:examples?|samples?|templates?|defaults?)"
    r"\.(?:hjson|json5?|ya?ml|toml|ini|conf|cfg|properties|env)$"
)
_TEST_ENV = re.compile(r"(?i)(?:^|/)\.env\.(?:test|testing|ci|e2e|dev|development|local)$")
_DEV = re.compile(
    r"(?i)(?:^|/)(?:\.github/workflows/|\.gitlab-ci|\.circleci/|\.buildkite/|\.devcontainer/"
    r"|\.travis\.yml$|azure-pipelines|bitbucket-pipelines|jenkinsfile$|\.drone\.yml$"
    r"|(?:docker-)?compose[^/]*\.ya?ml$|vagrantfile$|tox\.ini$|noxfile\.py$|makefile$"
    r"|[^/]*\.dev\.ya?ml$|(?:dev|development|local-dev)/)"
)


@functools.lru_cache(maxsize=4096)
def file_kind(path: str) -> FileKind:
    """What a file is for, from its path alone."""
    p = path.replace("\\", "/")
    if _I18N.search(p):
        return FileKind.I18N
    if _TEST_DIR.search(p) or _TEST_FILE.search(p) or _TEST_ENV.search(p):
        return FileKind.TEST
    base = p.rsplit("/", 1)[-1]
    if _TEMPLATE.search(base) or _TEMPLATE_CONFIG.match(base):
        return FileKind.TEMPLATE
    if _DOCS_DIR.search(p) or _DOCS_EXT.search(p) or _API_SPEC.search(p):
        return FileKind.DOCS
    if _DEV.search(p) and "prod" not in p.rsplit("/", 1)[-1].lower():
        return FileKind.DEV
    return FileKind.CODE


# --- names -------------------------------------------------------------------------------


class NameKind(enum.Enum):
    PASSWORD = "password"  # noqa: S105 (kinds of secrets, not secrets)
    SECRET = "secret"  # noqa: S105
    TOKEN = "token"  # noqa: S105
    KEY = "key"  # api keys, access keys, signing keys
    CREDENTIAL = "credential"
    #: Salts and nonces: not credentials, but a fixed one in code defeats its purpose
    #: (every hash salted alike, a nonce used twice). At most a notice.
    SALT = "salt"


#: Secret vocabulary, matched on the name's lowercase words.
# fmt: off
_NAME_WORDS: dict[str, NameKind] = {
    "password": NameKind.PASSWORD,
    "passwd": NameKind.PASSWORD,
    "pwd": NameKind.PASSWORD,
    "pass": NameKind.PASSWORD,
    "passphrase": NameKind.PASSWORD,
    "passwords": NameKind.PASSWORD,
    "passcode": NameKind.PASSWORD,
    "pword": NameKind.PASSWORD,
    "pw": NameKind.PASSWORD,
    "requirepass": NameKind.PASSWORD,
    "masterauth": NameKind.PASSWORD,
    "contrasena": NameKind.PASSWORD,
    "contrasenya": NameKind.PASSWORD,
    "senha": NameKind.PASSWORD,
    "mot_de_passe": NameKind.PASSWORD,
    "kennwort": NameKind.PASSWORD,
    "secret": NameKind.SECRET,
    "secrets": NameKind.SECRET,
    "token": NameKind.TOKEN,
    "tokens": NameKind.TOKEN,
    "bearer": NameKind.TOKEN,
    "apikey": NameKind.KEY,
    "api_key": NameKind.KEY,
    "credential": NameKind.CREDENTIAL,
    "credentials": NameKind.CREDENTIAL,
    "creds": NameKind.CREDENTIAL,
    "cred": NameKind.CREDENTIAL,
    "auth": NameKind.CREDENTIAL,
    "authorization": NameKind.CREDENTIAL,
    "pepper": NameKind.SECRET,
    "salt": NameKind.SALT,
    "nonce": NameKind.SALT,
}
# fmt: on
#: ``*_key`` names that are secrets (``access_key``, ``private_key``...), by the word before.
# fmt: off
_KEY_QUALIFIERS = frozenset(
    {
        "api", "access", "secret", "private", "priv", "signing", "sign", "encryption",
        "encrypt", "crypt", "master", "auth", "account", "service", "client", "app",
        "application", "admin", "license", "session", "hmac", "aes", "des", "jwt", "cipher",
        "consumer", "server", "shared", "subscription", "webhook", "write", "read", "root",
        "storage", "db", "database", "live", "prod", "production", "rest", "sdk", "mgmt",
        "management", "x", "dev", "developer", "partner", "merchant", "cloud", "maps",
        "recaptcha", "captcha", "site", "push", "secure", "security", "ssh", "gpg", "pgp",
        "deploy", "integration", "key", "base", "rails", "cookie", "mac", "otp", "totp",
        "certificate", "cert", "tls", "ssl", "gateway", "payment", "stripe", "bot",
        "oauth", "oauth1", "oauth2", "remember", "encryptor", "decrypt", "decryption",
    }
)
# fmt: on
#: Words that make a name describe a secret rather than hold one.
# fmt: off
_NOT_SECRET_WORDS = frozenset(
    {
        "template", "templates", "field", "fields", "url", "uri", "urls", "path", "paths",
        "file", "files", "filename", "dir", "directory", "name", "names", "label", "labels",
        "title", "placeholder", "hint", "help", "message", "messages", "msg", "error",
        "errors", "err", "code", "codes", "event", "events", "type", "types", "kind", "id",
        "ids", "length", "len", "size", "min", "max", "count", "limit", "policy", "policies",
        "pattern", "regex", "regexp", "format", "mode", "header", "headers", "prefix",
        "suffix", "param", "params", "parameter", "attr", "attribute", "column", "col",
        "env", "var", "variable", "endpoint", "route", "link", "page", "view", "form",
        "input", "button", "action", "selector", "class", "style", "icon", "image", "text",
        "description", "desc", "doc", "docs", "tooltip", "reset", "forgot", "forgotten",
        "confirm", "confirmation", "confirmed", "changed", "change", "expired", "expires",
        "expiry", "expiration", "exp", "timeout", "ttl", "lifetime", "age", "duration",
        "created", "updated", "issued", "status", "state", "enabled", "disabled", "enable",
        "disable", "required", "valid", "invalid", "validation", "validator", "strength",
        "hash", "hashed", "hasher", "digest", "algorithm", "algo", "alg", "scheme",
        "strategy", "provider", "backend", "handler", "manager", "service", "store",
        "storage", "cache", "location", "ref", "reference", "arn", "kms", "vault", "ssm",
        "public", "pub", "cert", "certificate", "fingerprint", "thumbprint", "uuid", "guid",
        "index", "key_id", "keyid", "version", "tag", "flag", "option", "options", "config",
        "setting", "settings", "command", "cmd", "script", "helper", "util", "utils",
        "test", "mock", "fake", "dummy", "sample", "example", "default", "defaults", "csrf",
        "xsrf", "bucket", "queue", "topic", "channel", "region", "zone", "host", "port",
        "domain", "user", "username", "login", "email", "mail", "account_id", "sid",
        "audience", "issuer", "scope", "scopes", "grant", "response", "request", "query",
        "method", "function", "fn", "callback", "listener", "sent", "send", "show", "hide",
        "visible", "toggle", "modal", "dialog", "screen", "step", "sso", "oauth_provider",
        "counter", "attempts", "retries", "rotation", "rotate", "generator",
        "generate", "chars", "characters", "display", "locale", "lang",
    }
)
# fmt: on
#: Words that may follow the secret word and keep the name a secret (``SECRET_KEY``,
#: ``api_token_value``, ``DB_PASSWORD_PROD``).
# fmt: off
_AFTER_OK = frozenset(
    {
        "key", "keys", "value", "val", "str", "string", "b64", "base64", "hex", "raw",
        "plain", "plaintext", "bytes", "secret", "token", "password", "pass", "pwd", "prod",
        "production", "live", "staging", "v1", "v2", "v3", "base", "data", "literal",
        "override", "main", "primary", "secondary", "new", "current", "local", "remote",
        "admin", "root", "master", "access", "auth", "client", "server", "app", "api",
        "bot", "user", "db", "cookie", "session", "signing", "aes", "hmac", "jwt", "salt",
        "confirmation", "confirm", "again", "repeat", "retype", "clear", "cleartext", "old",
    }
) | frozenset(str(i) for i in range(10))
# fmt: on
_FAKE_WORDS = frozenset(
    {"mock", "mocked", "fake", "dummy", "example", "sample", "placeholder", "bogus"}
)
_NAME_SPLIT = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_words(name: str) -> list[str]:
    """``DB_PASSWORD`` -> [db, password]; ``clientSecretKey`` -> [client, secret, key]."""
    return [w.lower().rstrip("0123456789") or w for w in _NAME_SPLIT.findall(name)]


@functools.lru_cache(maxsize=8192)
def name_kind(name: str) -> NameKind | None:
    """The kind of secret a name holds, or ``None`` (no vocabulary, or a describer)."""
    words = name_words(name)
    if not words:
        return None
    joined = "_".join(words)
    kind: NameKind | None = None
    last = -1
    for i, w in enumerate(words):
        k = _NAME_WORDS.get(w)
        if k is None and w == "key" and i > 0 and words[i - 1] in _KEY_QUALIFIERS:
            k = NameKind.KEY
        if k is None and w == "key" and len(words) == 1:
            k = NameKind.KEY
        if k is None and w.endswith(("password", "passwd", "secret", "token", "apikey")):
            k = _NAME_WORDS.get(w[-8:]) or _NAME_WORDS.get(w[-6:]) or _NAME_WORDS.get(w[-5:])
            k = k or (NameKind.KEY if w.endswith("apikey") else None)
        if k is None and w in ("secretkey", "accesskey", "privatekey", "apisecret", "authkey"):
            k = NameKind.KEY
        if k is not None:
            kind, last = k, i
    if kind is None:
        if "api_key" in joined or (name.isupper() and len(words) > 1 and words[-1] == "key"):
            return NameKind.KEY  # TUMBLR_KEY, LOB_KEY: an environment variable's key
        return None
    # A describer after the secret word (PASSWORD_FIELD, token_type, secret_name) or a
    # describing phrase anywhere (password_reset_*, public_key, key_id).
    after = words[last + 1 :]
    if any(w not in _AFTER_OK and not w.isdigit() for w in after):  # DB_PASSWORD_10 holds one
        return None  # PASSWORD_FIELD, token_type, secret_name, Token.Toolbar.Arg
    if any(w in _FAKE_WORDS for w in words):
        return None  # MOCK_ACCESS_TOKEN, fakeApiKey, example_secret
    before = words[:last]
    if any(
        w
        in (
            "hashed",
            "hash",
            "encrypted",
            "enc",
            "digest",
            "checksum",
            "salted",
            "public",
            "pub",
            "csrf",
            "xsrf",
            "reset",
            "forgot",
            "confirm",
            "repeat",
            "retype",
            "verify",
            "min",
            "max",
            "show",
            "hide",
            "no",
            "without",
            "is",
            "has",
            "use",
            "enable",
            "require",
            "need",
            "invalid",
            "wrong",
            "incorrect",
            "missing",
            "empty",
            "bad",
            "weak",
        )
        for w in before
    ):
        return None
    if words[0] in (
        "on",
        "handle",
        "get",
        "set",
        "fetch",
        "load",
        "read",
        "create",
        "make",
        "generate",
        "gen",
        "validate",
        "check",
        "is",
        "has",
        "should",
        "can",
        "render",
        "parse",
        "update",
        "delete",
        "remove",
        "send",
        "request",
    ):
        return None
    return kind


# --- values ------------------------------------------------------------------------------


def shannon(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


#: Values that show where a secret goes, or that every tutorial uses: never a secret.
# fmt: off
_STOPWORDS = frozenset(
    {
        "changeme", "change_me", "changeit", "notreally", "notasecret", "not_a_secret",
        "nottherealone", "fake", "fakepassword", "fakesecret", "faketoken", "dummy",
        "placeholder", "redacted", "removed", "hidden", "masked", "secret", "password",
        "passw0rd", "p@ssw0rd", "p@ssword", "pa$$word", "pass", "passwd", "pwd", "token",
        "apikey", "api_key", "key", "test", "testing", "tester", "testpass", "testpassword",
        "testsecret", "testtoken", "example", "sample", "demo", "default", "foo", "bar", "baz",
        "foobar", "qux", "xxx", "xxxx", "yyy", "zzz", "abc", "abcd", "abcdef", "abc123",
        "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890",
        "qwerty", "qwerty123", "letmein", "admin", "admin123", "administrator", "root",
        "toor", "guest", "user", "username", "login", "postgres", "postgresql", "mysql",
        "mariadb", "mongo", "mongodb", "redis", "rabbitmq", "sa", "app", "dev",
        "development", "local", "localhost", "docker", "ci", "ci-test", "citest", "bad",
        "wrong", "invalid", "incorrect", "none", "null", "nil", "undefined", "empty",
        "blank", "unset", "unknown", "todo", "tbd", "fixme", "required", "optional",
        "string", "str", "text", "value", "your", "mine", "my", "secret123", "password123",
        "password1", "pass123", "pass1234", "hunter2", "welcome", "welcome1", "master",
        "supersecret", "super_secret", "topsecret", "mysecret", "mypassword", "mytoken",
        "s3cr3t", "s3cret", "secretkey", "secret_key", "insecure", "unsafe", "public",
        "private", "anonymous", "anon", "nobody", "default_password", "defaultpassword",
        "keyboardcat", "keyboard cat", "shhh", "shh", "sekret", "sekrit", "letmein123",
        "p@ss", "p4ss", "p4ssw0rd", "passw0rd!", "pa55word", "pa55w0rd", "secr3t",
        # "password" in other languages: translation labels, never values
        "senha", "wachtwoord", "kennwort", "passwort", "contraseña", "contrasena",
        "contrasenya", "parola", "haslo", "hasło", "lösenord", "losenord", "adgangskode",
        "salasana", "jelszó", "jelszo", "heslo", "şifre", "sifre", "пароль", "密码", "密碼",
        "パスワード", "비밀번호", "mot de passe", "palavra-passe", "wachtwoord123",
    }
)
# fmt: on
#: A ``$$`` inside a value is two dollar signs (``P@$$w0rd``), not a variable; at its start it
#: is a Makefile's escaped one (``$$HOME``).
_RUNTIME = re.compile(
    r"\$\{|#\{|\{\{|\}\}|\{%|%\(|%[sdr]\b|\$\(|<%|(?<!\$)\$[A-Za-z_]\w*|^\$\$[A-Za-z_]"
    r"|^\{\w*\}$|\{[0-9]\}"
    r"|^(?:process\.env|os\.environ|env\.|ENV\[|import\.meta\.env|System\.getenv|getenv)"
)
_PLACEHOLDER_SHAPES = re.compile(
    r"(?i)^[<\[{(].*[>\]})]$|^x{3,}|x{4,}|\*{2,}|\.{3}|…|^_+$|^-+$|^#+$"
    r"|(?:^|[_-])(?:your|my|insert|enter|replace|put|add|fill|paste|set)[_ -]?(?:your[_ -]?)?"
    r"(?:own[_ -]?)?(?:api[_ -]?)?(?:key|token|secret|password|pass|here|value)"
    r"|(?:^|[^a-z])(?:example|sample|placeholder|dummy|fake|redacted|changeme|notreal|notasecret)"
)
_WORD_RUN = re.compile(r"[A-Za-z]+")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HEX = re.compile(r"[0-9a-fA-F]+")
_B64 = re.compile(r"[A-Za-z0-9+/_-]+=*")
_UUID_SHAPE = re.compile(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_NUMERIC = re.compile(r"^[\d.,:_ -]+$")
#: a 64-bit (or smaller) integer written in hex; keys are longer (0x + 64 hex digits)
_HEX_NUMBER = re.compile(r"^0[xX][0-9a-fA-F]{1,16}$")
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:\(\))?$")
_PATHLIKE = re.compile(
    r"^(?:\.{0,2}/|~/|[A-Za-z]:\\)|\.(?:pem|key|crt|json|ya?ml|txt|p12|pfx|jks)$"
    r"|/[^/]*\.(?:jpe?g|png|gif|webp|svg|ico|pdf|csv|mp[34]|mov|wav|zip|gz|html?|css|js)$"
)
#: X-DNS-Prefetch-Control, Content-Security-Policy
_HEADER_NAME = re.compile(r"^[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)+$")
#: Palau, Melekeok: one capitalised word of letters (country and place names in a map
#: keyed PW, labels); a chosen password this weak mixes in a digit or a sign
_PROPER_NOUN = re.compile(r"^[A-Z][a-z]{2,11}$")
#: a host name (github.com, kauth.kakao.com): lower case labels and a top-level domain
_HOSTNAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}$")


@functools.lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from english_words import get_english_words_set

    # Three-letter entries of a full dictionary (cud, eet, vae...) cover random strings by
    # chance: only the common ones count (_known() asks the dictionary from four letters).
    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


#: Words of software that the dictionary lacks but that fill default and test values.
# fmt: off
_TECH_WORDS = frozenset(
    {
        "admin", "app", "apps", "auth", "api", "dev", "prod", "ops", "config", "env", "db",
        "sql", "mysql", "postgres", "postgresql", "redis", "mongo", "mongodb", "elastic",
        "kafka", "rabbit", "rabbitmq", "minio", "localhost", "local", "docker", "kube",
        "ceph", "jenkins", "github", "gitlab", "oauth", "jwt", "saml", "ldap", "smtp",
        "imap", "http", "https", "www", "json", "yaml", "xml", "html", "css", "url", "uri",
        "uuid", "sso", "otp", "ssh", "ssl", "tls", "gpg", "aws", "gcp", "azure", "stripe",
        "login", "logout", "signup", "signin", "username", "userpass", "passwd", "pwd",
        "changeme", "letmein", "qwerty", "webhook", "websocket", "backend", "frontend",
        "todo", "foo", "bar", "baz", "foobar", "acme", "myapp", "mydb", "testdb", "dbuser",
        "dbpass", "sekret", "secretkey", "apikey", "mypass", "ci", "e2e", "qa", "uat",
        "staging", "sandbox", "demo", "tmp", "temp", "lorem", "ipsum", "dolor", "sha",
        "md5", "etcd", "k8s", "nginx", "pgsql", "psql", "sqlite", "oracle", "vagrant",
        "ubuntu", "debian", "centos", "alpine", "usr", "passw", "secr", "tok",
    }
)
# fmt: on


# fmt: off
_COMMON_3 = frozenset({
    "the", "and", "for", "you", "not", "but", "all", "any", "can", "was", "one", "our",
    "out", "day", "get", "has", "him", "his", "how", "man", "new", "now", "old", "see",
    "two", "way", "who", "did", "its", "let", "put", "say", "she", "too", "use", "cat",
    "dog", "sun", "box", "key", "pin", "red", "big", "top", "hot", "run", "set", "fun",
    "bar", "foo", "baz", "abc", "xyz", "pwd", "pas", "sec", "end", "off", "yes", "ask",
    "add", "own", "why", "try", "buy", "sky", "sea", "air", "art", "bad", "bed",
    "bit", "car", "cup", "cut", "eat", "egg", "eye", "far", "fly", "god", "gun", "hat",
    "ice", "job", "law", "leg", "lie", "log", "lot", "low", "map", "mix", "net", "oil",
    "pay", "pen", "pet", "pot", "raw", "row", "sad", "sit", "six", "son", "tea", "ten",
    "tie", "toy", "war", "web", "win", "yet", "zip", "max", "min", "age", "ago", "arm",
})
_SHORT_WORDS = frozenset({
    "me", "in", "my", "to", "is", "it", "on", "of", "at", "an", "or", "be", "by", "we",
    "up", "no", "go", "do", "so", "us", "id", "ok", "hi", "if", "as",
})
# fmt: on


def word_coverage(value: str) -> float:
    """The share of ``value``'s letters that belong to dictionary or software words
    (``Test Secret`` 1.0, ``mysecretpassword`` 0.9, ``tcvnpo`` 0.0)."""
    letters = sum(1 for c in value if c.isalpha())
    if letters == 0:
        return 0.0
    covered = 0
    words = _dictionary()
    for run in _WORD_RUN.findall(value):
        for part in _CAMEL.findall(run) if not run.islower() and not run.isupper() else [run]:
            covered += _segment(part.lower(), words)
    return covered / letters


def _segment(token: str, words: frozenset[str]) -> int:
    """Letters of ``token`` covered by a best split into known words of 3+ letters."""
    n = len(token)
    if n > 40:
        return 0
    best = [0] * (n + 1)
    for i in range(1, n + 1):
        best[i] = best[i - 1]
        for j in range(max(0, i - 20), i - 1):
            w = token[j:i]
            if _known(w, words):
                best[i] = max(best[i], best[j] + (i - j))
    return best[n]


_SUFFIXES = ("ies", "es", "s", "ed", "d", "ing", "er", "ers", "ly", "ation", "ations", "ment")


def _known(w: str, words: frozenset[str]) -> bool:
    """A dictionary or software word, or one inflected (``modified``, ``buffers``)."""
    if w in _TECH_WORDS or w in _SHORT_WORDS or w in _COMMON_3 or (len(w) >= 4 and w in words):
        return True
    if len(w) < 5:
        return False
    for suffix in _SUFFIXES:
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            if len(stem) >= 3 and (stem in words or stem + "e" in words or stem + "y" in words):
                return True
    return False


def repeats_name(name: str, value: str) -> bool:
    """``PASSWORD_RESET_LINK_SENT = "password_reset_link_sent"``, ``password: "Password"``."""
    n = re.sub(r"[^a-z0-9]", "", name.lower())
    v = re.sub(r"[^a-z0-9]", "", value.lower())
    if not v or not n:
        return False
    if v == n or (len(v) >= 4 and (v in n or n in v)):
        return True
    # a short value built of the name's own word: refresh_token "eyJrefresh",
    # access_token "qts-access", COS_SECRETKEY "cos_hmac_secret_key"
    if len(v) < 20:
        for w in name_words(name):
            if len(w) >= 5 and w in v and w not in ("token", "password", "secret"):
                return True
        return any(len(w) >= 9 and w in v for w in name_words(name))
    return False


def value_problem(value: str, kind: NameKind) -> str | None:
    """Why ``value`` is not a secret, or ``None``."""
    v = value.strip()
    if v.startswith("base64:"):  # Laravel's APP_KEY=base64:…
        v = v[len("base64:") :]
    low = v.lower()
    if low in _STOPWORDS or low.strip("!.?0123456789_-") in _STOPWORDS:
        return "a stopword or well-known default"
    minimum = 6 if kind is NameKind.PASSWORD else 8
    if len(v) < minimum and not _short_but_chosen(v, kind):
        return "too short"
    distinct = len(set(low))
    # A short password has few letters to repeat: ffho and p00k are chosen, aaab is not.
    few = distinct <= 2 or distinct < len(v) - 2 if len(v) <= 5 else distinct <= 3
    if few or (len(v) >= 10 and distinct / len(v) < 0.3 and distinct < 8):
        return "too few distinct characters"
    if _RUNTIME.search(v) or _ENCRYPTED.match(v):
        return "built at run time or encrypted"
    if _PLACEHOLDER_SHAPES.search(v) or is_placeholder(v):
        return "a placeholder"
    if _NUMERIC.match(v) and len(v) < 12 and kind is not NameKind.PASSWORD:
        return "a number"
    if _HEX_NUMBER.match(v):
        return "a number"
    if _PATHLIKE.search(v):
        return "a path"
    if _PUBLIC_KEY.match(v):
        return "a public key"
    if _EMAIL.match(v):
        return "an email address"
    if _HOSTNAME.match(v):
        return "a host name"
    if _HEADER_NAME.match(v):
        return "an HTTP header name"
    if _PROPER_NOUN.match(v):
        return "a capitalised word (a name or a label)"
    if _ENV_NAME.match(v):
        return "the name of an environment variable"
    if _UUID_SHAPE.match(v) and kind not in (NameKind.TOKEN, NameKind.KEY, NameKind.SECRET):
        return "an identifier"
    if " " in v.strip() and _phrase(v, kind):
        return "a phrase or a label"
    if "://" in v:
        return "a URL"
    if sequential(v):
        return "a sequence (abcdef, 123456, qwerty)"
    letters = sum(c.isalpha() for c in v)
    # A long passphrase with digits (hunter2-but-longer-9x) is kept; an identifier made
    # of words (MonthDateYear_TIME_12H, invokeCallbackAndReturn) is not.
    coverage = word_coverage(v) if letters >= 4 else 0.0
    worded = coverage >= 0.9 or (coverage >= 0.75 and not _looks_random(v))
    passphrase = len(v) >= 16 and any(c.isdigit() for c in v) and not _IDENT.match(v)
    if worded and not passphrase:
        return "dictionary words"
    return None


_SHORT_CHARS = re.compile(r"[A-Za-z0-9!@#$%^&*_.+=~-]+")


def _short_but_chosen(v: str, kind: NameKind) -> bool:
    """A password of 4-5 characters or a secret of 6-7 that is no word: people do pick
    ``zling``, ``kinb`` or ``xfu216``; a word (``demo``, ``lamb``) or a stopword is a default."""
    if kind is NameKind.PASSWORD:
        shortest = 4
    elif kind is NameKind.SECRET:
        shortest = 6
    else:
        return False
    if len(v) < shortest or not _SHORT_CHARS.fullmatch(v) or v.endswith(("_", "-")):
        return False  # don't, \xff: a word or an escaped byte; fbocs_, whsec_: a prefix
    letters = "".join(c for c in v.lower() if c.isalpha())
    if len(letters) >= 3 and _known(letters, _dictionary()):
        return False  # lamb, demo1, Test!
    if word_coverage(v) >= 0.9:
        return False
    return bool(letters) or kind is NameKind.PASSWORD


def _phrase(v: str, kind: NameKind) -> bool:
    """Words and spaces: a label or a sentence, unless a password's words are no words
    at all (``cxxgq rinqt uzckc``: a passphrase of random syllables)."""
    coverage = word_coverage(v)
    if not v.isascii() or coverage >= 0.6:
        return True
    if kind is NameKind.PASSWORD and coverage < 0.35 and not v[:1].isupper():
        return False
    return len(v.split()) >= 3


_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
#: OpenSSH public keys, PEM and DER (SubjectPublicKeyInfo, base64) public keys.
_PUBLIC_KEY = re.compile(
    r"^(?:(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-\S+|sk-\S+@openssh\.com) AAAA"
    r"|-----BEGIN (?:RSA |EC )?PUBLIC KEY|MII[A-Za-z0-9+/]{1,3}ANBgkqhkiG9w0BAQEFAAOC)"
)
_ENCRYPTED = re.compile(r"^(?:ENC\(|\{cipher\}|vault:|AQICAH|arn:|projects/[^/]+/secrets/)")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_ROWS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv",
)


def sequential(value: str) -> bool:
    """Mostly runs of 4+ consecutive characters of the alphabet, digits or a keyboard row
    (``abcdefgh``, ``0123456789…``, ``12345abcde``, ``asdf1234``)."""
    low = value.lower()
    covered = 0
    i = 0
    n = len(low)
    while i < n:
        best = 1
        for row in _ROWS:
            for r in (row, row[::-1]):
                k = r.find(low[i])
                if k < 0:
                    continue
                j = 1
                while i + j < n and k + j < len(r) and low[i + j] == r[k + j]:
                    j += 1
                best = max(best, j)
        if best >= 4:
            covered += best
        i += best
    return covered >= 0.6 * n


def _looks_random(v: str) -> bool:
    """Long and high-entropy enough that the words in it are chance."""
    return len(v) >= 20 and shannon(v) >= 4.0


# --- the verdict -------------------------------------------------------------------------


class Syntax(enum.Enum):
    ASSIGNMENT = "assignment"
    COMPARISON = "comparison with a literal"
    KEY_VALUE = "key/value"
    CALL_ARGUMENT = "call argument"
    CLI_FLAG = "command-line flag"
    ENV_FALLBACK = "literal fallback of an environment read"
    URL_PASSWORD = "password in a URL"  # noqa: S105
    AUTH_HEADER = "authorization header"
    SQL_INSERT = "password column of an SQL INSERT"
    SQL_PASSWORD = "password clause of an SQL user statement"  # noqa: S105
    BYTES_LITERAL = "key bytes"


@dataclass(frozen=True)
class Verdict:
    severity: Severity
    confidence: Confidence
    reason: str
    kind: str  # "password", "token", ... for the preview


def judge(
    name: str, value: str, syntax: Syntax, path: str, *, kind: NameKind | None = None
) -> Verdict | None:
    """The verdict on one candidate, or ``None`` when it is not a secret."""
    kind = kind or name_kind(name)
    if kind is None:
        return None
    if value_problem(value, kind) is not None or repeats_name(name, value):
        return None
    if name.lower() == "pw" and value.isalpha():
        return None  # "PW": "Palau": an ISO country code or an abbreviation, and a word
    where = file_kind(path)
    if where is FileKind.I18N:
        return None  # a translation catalogue: labels, never values
    entropy = shannon(value)
    strong = len(value) >= 16 and entropy >= 3.5 and _classes(value) >= 2
    if _weak_key_name(name) and (not strong or _IDENT_WORDS.match(value)):
        return None  # {"key": "lgpl-3.0"}, BUFFER_KEY = "observability_buffer": a map's key
    if syntax in (
        Syntax.ENV_FALLBACK,
        Syntax.URL_PASSWORD,
        Syntax.CLI_FLAG,
        Syntax.SQL_INSERT,
        Syntax.SQL_PASSWORD,
    ):
        confidence = Confidence.HIGH if strong or kind is NameKind.PASSWORD else Confidence.MEDIUM
    elif strong:
        confidence = Confidence.HIGH
    elif _classes(value) >= 2 or entropy >= 3.0:
        confidence = Confidence.MEDIUM
    else:
        confidence = Confidence.LOW
    if len(value) < (6 if kind is NameKind.PASSWORD else 8):
        confidence = Confidence.LOW  # kinb, xfu216: chosen, but too short to be sure
    noun = kind.value
    reason = f"literal {noun} ({syntax.value})"
    if kind is NameKind.SALT:
        why = f"hard-coded salt or nonce ({syntax.value}): not a credential, but a fixed one"
        return Verdict(Severity.NOTICE, confidence, f"{why} defeats its purpose", noun)
    if where.relaxed:
        return Verdict(Severity.NOTICE, confidence, f"{reason} in a {where.value} file", noun)
    if confidence is Confidence.LOW:
        return Verdict(Severity.NOTICE, confidence, f"{reason}, low entropy", noun)
    return Verdict(Severity.WARNING, confidence, reason, noun)


_IDENT_WORDS = re.compile(r"^(?:[a-z][a-z0-9]*(?:[_.:/-][a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+)$")


def _weak_key_name(name: str) -> bool:
    """``key`` alone, or ``X_KEY`` where X says nothing of secrets: only a strong value
    makes these a secret."""
    words = name_words(name)
    if words[-1:] != ["key"]:
        return False
    return len(words) == 1 or words[-2] not in _KEY_QUALIFIERS


def _classes(value: str) -> int:
    return sum(any(map(f, value)) for f in (str.islower, str.isupper, str.isdigit)) + any(
        not c.isalnum() for c in value
    )
