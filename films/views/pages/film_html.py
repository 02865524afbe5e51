"""The film page's longest lists (screenings, credits, images, history), rendered from Jinja2 templates
(``templates/jinja2/films/film_screenings.html`` and ``film_sections.html``; see ``films.views.rows``)."""

from django.utils.translation import gettext

from ..rows import render

# The width a picture of the film page's gallery takes (films/static/films/css/site.css): its ``sizes``.
GALLERY_SIZES = "(min-width: 40rem) 16rem, calc(50vw - 1.25rem)"


def film_screening_items(rows):
    """The film page's screening ``<li>``s."""
    return render("film_screenings.html", {"rows": rows})


def film_sections_html(credits, companies, stills, selections, history, suggestions):
    """The film page's credits, companies, images (``stills``: the gallery, see ``film.film_pictures``), festival
    history and suggestions."""
    return render(
        "film_sections.html",
        {
            "credits": credits,
            "companies": companies,
            "stills": stills,
            "gallery_sizes": GALLERY_SIZES,
            "selections": selections,
            "history": history,
            "suggestions": suggestions,
            # Here, where message extraction sees it (it reads no Jinja2 call with arguments).
            "person_for_company": gettext("%(person)s for %(company)s"),
        },
    )
