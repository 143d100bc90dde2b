"""The Python reader's fast path (readers.python_plain) gives the parsed reader's uses,
or leaves the file to it: every shape here is either read alike or sent to ast."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from launchready_ci.checks.env_inventory.readers import python, python_plain
from tests.helpers import EXAMPLE

CASES = Path(__file__).parent / "cases"

PLAIN = {
    "subscript": 'import os\nA = os.environ["A"]\n',
    "get and getenv": "import os\nB = os.environ.get('B', 'x')\nC = os.getenv(\"C\")\n",
    "pop and setdefault": 'import os\nos.environ.pop("D", None)\nos.environ.setdefault("E", "1")\n',
    "call over lines": 'import os\nF = os.environ.get(\n    "F",\n    "d",\n)\n',
    "non-ASCII before": 'import os\nÄ = "é"; G = os.environ["G"]\n',
    "no name read": "import os\nenv = {**os.environ}\nc = os.environ.copy()\nd = dict(os.environ)\n",
    "comments and strings": (
        'import os\n# H = os.environ["H"]\n"""I = os.environ["I"]"""\n'
        "x = 'os.getenv(\"J\")'  # os.environ['K']\nL = os.environ['L']\n"
    ),
    "not a name": 'import os\nM = os.environ["my-var"]\n',
    "comparison": 'import os\nif os.environ["N"] == "1":\n    pass\n',
}
TO_AST = {
    "write": 'import os\nos.environ["A"] = "1"\n',
    "augmented": 'import os\nos.environ["A"] += "1"\n',
    "del": 'import os\ndel os.environ["A"]\n',
    "tuple target": 'import os\n(os.environ["A"],\n b) = 1, 2\n',
    "membership": 'import os\nif "A" in os.environ:\n    pass\n',
    "membership in parentheses": 'import os\nok = "A" in (os.environ)\n',
    "alias import": 'from os import environ\nA = environ["A"]\n',
    "module alias": 'import os as o\nA = o.environ["A"]\n',
    "f-string name": 'import os\np = "X"\nA = os.environ[f"{p}_URL"]\n',
    "parameter name": "import os\ndef get(name):\n    return os.environ.get(name)\n",
    "f-string holding a read": "import os\nprint(f\"{os.environ['A']}\")\n",
    "django-environ": 'import environ\nenv = environ.Env()\nA = env("A")\n',
    "dj-database-url": "import dj_database_url\nDB = dj_database_url.config()\n",
    "pydantic": "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    a: int\n",
    "keyword key": 'import os\nA = os.environ.get(key="A")\n',
    "implicit concatenation": 'import os\nA = os.environ["A" "B"]\n',
    "bytes": 'import os\nA = os.environb[b"A"]\nB = os.getenv(b"B")\n',
    "attribute chain": 'import os\nA = self.os.environ["A"]\n',
    "carriage returns": 'import os\r\nA = os.environ["A"]\r\n',
    "escape in name": 'import os\nA = os.environ["A\\x42"]\n',
    "spaces before the bracket": 'import os\nA = os.environ ["A"]\n',
}


def _tuples(uses: list[python.Use] | None) -> list[tuple[str, int, int, str]] | None:
    return None if uses is None else [(u.name, u.line, u.column, u.kind) for u in uses]


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_plain_reads_are_read_alike_without_parsing(text: str) -> None:
    plain = python_plain.uses(text, "f.py", python._DISTINCT_MARKERS)
    assert plain is not None
    assert _tuples(plain) == _tuples(python.parsed_uses(text, "f.py"))


@pytest.mark.parametrize("text", TO_AST.values(), ids=TO_AST.keys())
def test_everything_else_goes_to_ast(text: str) -> None:
    assert python_plain.uses(text, "f.py", python._DISTINCT_MARKERS) is None


def _python_sources() -> list[tuple[str, str]]:
    """The Python files of the rule cases, the fixture apps and the example app."""
    out = []
    for case_file in sorted(CASES.glob("*.yml")):
        for case in yaml.safe_load(case_file.read_text(encoding="utf-8")) or []:
            for name, text in (case.get("files") or {}).items():
                if name.endswith(".py") and isinstance(text, str):
                    out.append((f"{case_file.name}:{name}", text))
    for folder in (Path(__file__).parent / "fixtures", EXAMPLE):
        for path in sorted(folder.rglob("*.py")):
            out.append((str(path), path.read_text(encoding="utf-8")))
    return out


def test_the_case_fixture_and_example_files_read_alike() -> None:
    plain_files = 0
    for name, text in _python_sources():
        plain = python_plain.uses(text, name, python._DISTINCT_MARKERS)
        if plain is not None:
            plain_files += 1
            assert _tuples(plain) == _tuples(python.parsed_uses(text, name)), name
    assert plain_files >= 5


def test_a_file_this_python_cannot_parse_is_still_read_when_its_reads_are_plain() -> None:
    text = 'import os\ntype Port = int\nPORT = os.environ["PORT"]\n'  # Python 3.12 syntax
    assert _tuples(list(python.read(text, "f.py"))) == [("PORT", 3, 19, "read")]
