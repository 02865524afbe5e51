"""The demo festival: a deterministic, realistic made-up festival for trying the site (``make_demo_festival``):
a current edition placed around today by default, and optionally an archive of earlier editions."""

from .generator import SIZES, DemoError, build, demo_editions
from .plan import TODAY_IS_DAY, default_first_day, edition_key

__all__ = ["SIZES", "TODAY_IS_DAY", "DemoError", "build", "default_first_day", "demo_editions", "edition_key"]
