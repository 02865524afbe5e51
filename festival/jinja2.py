"""The Jinja2 environment of the templates under ``templates/jinja2/``: the public pages' longest lists.

Autoescaping is on (Django's backend turns it on); a value with ``__html__`` (a ``films.public.Text`` in a
fallback language) is put in as its own markup. ``_()`` and ``ngettext()`` are Django's, so the active language
applies and ``manage.py makemessages`` finds the strings (it reads ``{{ _("…") }}`` as in a Django template).
"""

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def environment(**options):
    # Always escaping, whatever ``options`` say (Django's backend passes autoescape=True too).
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    from films import access
    from films.views import rows

    env.globals.update(
        static=static,
        url=reverse,
        marker_labels=access.marker_labels,
        wheelchair_text=access.wheelchair_text,
        guest_groups=access.guest_groups,
        guest_message=access.guest_message,
        toggle_labels=rows.toggle_labels,
    )
    return env
