"""Screening rows as the programme lists them: ``templates/jinja2/films/screening_rows.html`` and the notes beside
them (``screening_notes.html``), templates of Django's Jinja2 backend.

A day of a big edition lists a hundred or more screenings; the same markup through Django's own engine costs about
as much again as the rest of the page, Jinja2 a small part of it. The pages around them are Django templates.
"""

import functools

from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..images import CARD_SIZES, card_picture

ENGINE = "jinja2"


def render(name, context):
    """The Jinja2 template ``films/<name>`` rendered with ``context``, safe to put into a Django template: Jinja2
    has escaped every value in it."""
    return mark_safe(get_template(f"films/{name}", using=ENGINE).render(context))  # noqa: S308 - autoescaped


def picture(image, sizes, loading="lazy", class_="", fetchpriority=""):
    """The ``picture`` macro of ``templates/jinja2/films/picture.html``, called from Python (for the Django
    templates' ``{% picture %}`` and the cards' thumbnails): a ``<picture>`` of ``image``
    (``films.images.picture_data``), safe markup."""
    macro = engines[ENGINE].env.get_template("films/picture.html").module.picture
    return macro(image, sizes, loading, class_, fetchpriority)


def toggle_labels():
    """The labels of the "Add to my programme" button (``personal_toggle.html``), once for a list of them."""
    return {"add": gettext("Add to my programme"), "remove": gettext("Remove from my programme")}


# The pictures of the first rows or cards of a list load at once (they may be in view when the page opens); the
# rest when they come near the view.
EAGER_ROWS = 2


def screening_items(rows, edition_key, *, origin="", new_tab=False):
    """Each row's ``<li>``, as one safe string; each film with its card's thumbnail (``add_thumbnails``).

    For a list shown inside another site (the embeddable programme): ``origin`` (``https://festival.example``)
    is put before the site's own links to make them absolute, and ``new_tab`` opens every link in a new tab.
    """
    add_thumbnails(rows, origin)
    context = {"rows": rows, "edition_key": edition_key, "origin": origin, "new_tab": new_tab}
    return render("screening_rows.html", context)


def add_thumbnails(rows, origin=""):
    """Give each film of ``rows`` its card's ``thumbnail`` (``card_thumbnails``)."""
    thumbnail = card_thumbnails("screening__image", origin)
    for index, row in enumerate(rows):
        for film in row["films"]:
            film["thumbnail"] = thumbnail(film["card"], index)


def card_thumbnails(class_, origin=""):
    """A function from a film's card image's renditions (the text ``films.queries.card_image`` gives) and the
    card's place in its list to its thumbnail (``card_thumbnail``): the decorative picture beside the film's title
    (its alt is empty: the title says what it shows), or a placeholder of its size. The first ``EAGER_ROWS`` load
    at once, the others lazily."""
    media_url = settings.MEDIA_URL
    # While templates reload as they change (DEBUG), so do the thumbnails.
    make = card_thumbnail.__wrapped__ if settings.DEBUG else card_thumbnail

    def thumbnail(renditions_json, index):
        return make(renditions_json, "eager" if index < EAGER_ROWS else "lazy", class_, origin, media_url)

    return thumbnail


@functools.lru_cache(maxsize=8192)
def card_thumbnail(renditions_json, loading, class_, origin="", media_url=""):
    """A card's thumbnail, ``<picture class="CLASS_">`` (or a placeholder of its size), as the ``picture`` macro
    writes it for the text of a film's card image's renditions (``films.queries.card_image``), ``CARD_SIZES`` wide.

    Kept per process by what it depends on (``media_url`` is ``settings.MEDIA_URL``): a busy programme day lists a
    hundred or more, mostly the same from one rendering to the next, and calling the macro for each costs about a
    fifth of the page.
    """
    return picture(card_picture(renditions_json, origin), CARD_SIZES, loading, class_)


def screening_notes(row):
    """A row's recent change, access markers and guest lines: for the Django templates (grid, personal
    programme)."""
    return render("screening_row_notes.html", {"row": row})


def personal_toggle(screening_key, edition_key):
    """The "Add to my programme" button of one screening, for the Django templates."""
    return render("personal_toggle_button.html", {"screening_key": screening_key, "edition_key": edition_key})
