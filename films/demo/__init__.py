"""The demo festival: a deterministic, realistic made-up edition for trying the site (``make_demo_festival``)."""

from .generator import EDITION_KEY, SIZES, DemoError, build

__all__ = ["EDITION_KEY", "SIZES", "DemoError", "build"]
