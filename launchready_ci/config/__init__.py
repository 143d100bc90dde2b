"""launchready.yml: lookup, YAML with positions, JSON Schema validation, frozen model."""

from __future__ import annotations

from launchready_ci.config.loader import CONFIG_CANDIDATES, find_config, load, schema
from launchready_ci.config.model import Config, Ignore, Position

__all__ = ["CONFIG_CANDIDATES", "Config", "Ignore", "Position", "find_config", "load", "schema"]
