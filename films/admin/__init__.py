"""The programmers' admin: every model of the festival's programme, one module per subject."""

from . import festival, film, people, screening  # noqa: F401 - importing registers the admin classes.
