"""`launchready env docs`: the inventory as an escaped Markdown table."""

from __future__ import annotations

from launchready_ci.checks.env_inventory.docs import COLUMNS, MARKER, render
from launchready_ci.checks.env_inventory.inventory import load_inventory

INVENTORY = """\
version: 1
variables:
  STRIPE_SECRET_KEY:
    purpose: "Charge cards | refunds <script>alert(1)</script> *now*"
    owner: "@payments"
    secret: true
    required_in: [production, staging]
    stored_in: GitHub environment secrets
    format: string
  FEATURE_FLAG:
    purpose: "Two\\nlines"
  APP_BASE_URL:
    secret: false
    format: {regex: 'https://(a|b)\\.example/.*'}
    default: "https://a.example/default-value"
"""


def test_the_table_has_one_row_per_entry_in_file_order() -> None:
    text = render(load_inventory(INVENTORY, "env-inventory.yml"))
    assert text.startswith(MARKER + "\n## Environment variables\n")
    assert "3 variables in `env-inventory.yml`, 1 secret." in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| " + " | ".join(COLUMNS) + " |"
    assert [r.split(" | ")[0] for r in rows[1:]] == [
        "| `STRIPE_SECRET_KEY`",
        "| `FEATURE_FLAG`",
        "| `APP_BASE_URL`",
    ]
    assert rows[1].endswith(
        "| @payments | yes | production, staging | GitHub environment secrets | string |"
    )
    assert rows[2].endswith("| — | not stated | — | — | — |")
    assert (
        rows[3]
        == "| `APP_BASE_URL` | — | — | no | — | — | regex https://(a\\|b)\\\\.example/.\\* |"
    )


def test_cells_are_escaped() -> None:
    text = render(load_inventory(INVENTORY, "env-inventory.yml"))
    row = next(line for line in text.splitlines() if "STRIPE_SECRET_KEY" in line)
    assert "<script>" not in text and "&lt;script&gt;" in row
    assert "Charge cards \\| refunds" in row and "\\*now\\*" in row
    assert row.count(" | ") == len(COLUMNS) - 1  # the escaped pipe is "\|", not a column
    assert "Two<br>lines" in text


def test_defaults_never_reach_the_table() -> None:
    assert "default-value" not in render(load_inventory(INVENTORY, "env-inventory.yml"))


def test_an_empty_inventory_says_so() -> None:
    text = render(load_inventory("version: 1\nvariables: {}\n", "env-inventory.yml"))
    assert "0 variables" in text and "lists no variables yet" in text and "| " not in text
