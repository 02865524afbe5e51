"""The programmers' admin: every model of the festival's programme, one module per subject."""

from .. import history  # noqa: F401 - registers the models' history before the admin classes are built.
from . import festival, film, people, screening  # noqa: F401 - importing registers the admin classes.
