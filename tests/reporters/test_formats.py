"""Every output format has a reporter module with a callable ``render``."""

from __future__ import annotations

import importlib
import inspect

import pytest

from launchready_ci.findings import Report
from launchready_ci.reporters import FORMATS


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_a_render_function(name: str) -> None:
    module = importlib.import_module(FORMATS[name])
    render = getattr(module, "render", None)
    assert callable(render), f"{FORMATS[name]} has no callable render()"
    first = next(iter(inspect.signature(render).parameters.values()))
    assert first.name == "report"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_the_fixture_to_text(name: str, report: Report) -> None:
    out = importlib.import_module(FORMATS[name]).render(report)
    assert isinstance(out, str) and out.endswith("\n")


def test_formats_lists_every_reporter_module() -> None:
    from pathlib import Path

    package = Path(importlib.import_module("launchready_ci.reporters").__file__ or "").parent
    modules = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(FORMATS)


def test_cli_style_import_gets_the_module_not_the_future_feature() -> None:
    # ``from __future__ import annotations`` in the package would shadow the submodule.
    from launchready_ci.reporters import annotations

    assert inspect.ismodule(annotations)
