"""Screening rows as the programme lists them: ``templates/jinja2/films/screening_rows.html`` and the notes beside
them (``screening_notes.html``), templates of Django's Jinja2 backend.

A day of a big edition lists a hundred or more screenings; the same markup through Django's own engine costs about
as much again as the rest of the page, Jinja2 a small part of it. The pages around them are Django templates.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

ENGINE = "jinja2"


def render(name, context):
    """The Jinja2 template ``films/<name>`` rendered with ``context``, safe to put into a Django template: Jinja2
    has escaped every value in it."""
    return mark_safe(get_template(f"films/{name}", using=ENGINE).render(context))  # noqa: S308 - autoescaped


def toggle_labels():
    """The labels of the "Add to my programme" button (``personal_toggle.html``), once for a list of them."""
    return {"add": gettext("Add to my programme"), "remove": gettext("Remove from my programme")}


def screening_items(rows, edition_key, *, origin="", new_tab=False):
    """Each row's ``<li>``, as one safe string.

    For a list shown inside another site (the embeddable programme): ``origin`` (``https://festival.example``)
    is put before the site's own links to make them absolute, and ``new_tab`` opens every link in a new tab.
    """
    context = {"rows": rows, "edition_key": edition_key, "origin": origin, "new_tab": new_tab}
    return render("screening_rows.html", context)


def screening_notes(row):
    """A row's recent change, access markers and guest lines: for the Django templates (grid, personal
    programme)."""
    return render("screening_row_notes.html", {"row": row})


def personal_toggle(screening_key, edition_key):
    """The "Add to my programme" button of one screening, for the Django templates."""
    return render("personal_toggle_button.html", {"screening_key": screening_key, "edition_key": edition_key})
