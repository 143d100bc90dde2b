"""Every reader, given any text, returns uses with valid names and positions, or nothing:
never an exception (property tests with hypothesis)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers import (
    compose,
    dockerfile,
    dotenv,
    golang,
    javascript,
    python,
    ruby,
    workflows,
)

Reader = Callable[[str, str], Iterator[Use]]

KINDS = {v for k, v in vars(UseKind).items() if k.isupper()}

_BITS = {
    "ruby": [
        'ENV["',
        "ENV['",
        "ENV.fetch(",
        '"]',
        "']",
        "A_1",
        "#",
        "#{",
        "}",
        '"',
        "'",
        "`",
        "\n=begin\n",
        "\n=end\n",
        "=",
        "||=",
        " ",
        "\n",
        "<%=",
        "%>",
        "<%#",
        "\\",
    ],
    "go": [
        'os.Getenv("',
        "os.LookupEnv(`",
        '")',
        "`)",
        "A_1",
        "//",
        "/*",
        "*/",
        '"',
        "'",
        "`",
        'env:"',
        "\\",
        "\n",
        " ",
        "(",
        ")",
        "+",
    ],
    "dockerfile": [
        "ENV ",
        "ARG ",
        "env ",
        "A_1",
        "=",
        '"',
        "'",
        "\\\n",
        "`\n",
        "# escape=`\n",
        "# c\n",
        "RUN <<EOF\n",
        "EOF\n",
        "<<-",
        "$A",
        "${A:-x}",
        "postgres://u:p@h/d",
        " ",
        "\n",
        "\t",
    ],
    "yaml": [
        "services:\n",
        "  web:\n",
        "    environment:\n",
        "      - A_1=",
        "      A_1: ",
        "    env_file: ",
        "    build:\n      args:\n",
        "<<: *a\n",
        "&a ",
        "*a",
        "${A}",
        "$$",
        "${{ secrets.A }}",
        "${{ vars.B }}",
        "env:\n",
        "jobs:\n",
        "  j:\n",
        "    steps:\n",
        "      - run: |\n",
        "          x ${{ secrets.C }}\n",
        "if: secrets.D\n",
        "[",
        "]",
        "{",
        "}",
        '"',
        "'",
        "#",
        "\n",
        "  ",
        "- ",
        ": ",
        "!!str ",
        "~",
    ],
    "python": [
        "from pydantic_settings import BaseSettings\n",
        "class S(BaseSettings):\n",
        "    a: int\n",
        "    model_config = {'env_prefix': 'P_'}\n",
        "    class Config:\n",
        "        env_prefix = 1\n",
        "    b: str = Field(alias='X')\n",
        "    c: Annotated[str, Field(validation_alias=AliasChoices('Y', 1))]\n",
        "import os\n",
        "os.environ['A']\n",
        "(",
        ")",
        "'",
        "\n",
        " ",
        "\t",
    ],
}

READERS: list[tuple[str, Reader, str, str]] = [
    ("python", python.read, "app.py", "python"),
    ("javascript", javascript.read, "a.ts", "go"),
    ("ruby", ruby.read, "a.rb", "ruby"),
    ("erb", ruby.read_erb, "a.erb", "ruby"),
    ("go", golang.read, "a.go", "go"),
    ("dockerfile", dockerfile.read, "Dockerfile", "dockerfile"),
    ("compose", compose.read, "compose.yml", "yaml"),
    ("workflow", workflows.read, ".github/workflows/w.yml", "yaml"),
    ("template", dotenv.read, ".env.example", "dockerfile"),
    ("env file", dotenv.read_env_file, "web.env", "dockerfile"),
]


def _check(reader: Reader, path: str, text: str, exact_columns: bool) -> None:
    lines = text.split("\n")
    for use in reader(text, path):
        assert NAME_PATTERN.fullmatch(use.name), use
        assert use.kind in KINDS
        assert use.path == path
        assert use.line >= 1 and use.column >= 1
        if exact_columns:  # ast counts other line breaks than git does; the rest count "\n"
            assert use.line <= len(lines)
            assert use.column <= len(lines[use.line - 1]) + 1


@pytest.mark.parametrize(("label", "reader", "path", "bits"), READERS, ids=[r[0] for r in READERS])
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_any_text_gives_valid_uses_or_none(
    label: str, reader: Reader, path: str, bits: str, data: st.DataObject
) -> None:
    text = data.draw(st.lists(st.sampled_from(_BITS[bits])).map("".join) | st.text())
    _check(reader, path, text, exact_columns=label != "python")
