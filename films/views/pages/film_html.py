"""The film page's longest lists (screenings, credits, images, history), rendered in Python."""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..rows import KEY_MARK, access_html, access_labels, change_html, guests_html, text_html, toggle_template


def film_screening_items(rows):
    """The film page's screening ``<li>``s, rendered in Python like the programme's (see ``rows.py``)."""
    subtitles_label = escape(gettext("Subtitles:"))
    tickets_label = escape(gettext("Tickets"))
    ics_label = escape(gettext("Add to calendar"))
    labels = access_labels()
    toggles = {}
    parts = []
    for row in rows:
        key = escape(row["key"])
        if row["edition_key"] not in toggles:
            toggles[row["edition_key"]] = toggle_template(row["edition_key"])
        html = (
            f'<li class="screening screening--{escape(row["status"])}" data-screening="{key}">'
            f'<time datetime="{row["iso_start"]}">{escape(row["date"])}, {escape(row["start"])}–{escape(row["end"])}'
            "</time> · "
        )
        if row["venue"]:
            html += f'<a href="{escape(row["venue_url"])}">{escape(row["venue"])}</a>, '
        html += escape(row["screen"])
        if row["subtitles"]:
            html += f" · {subtitles_label} {escape(row['subtitles'])}"
        for notes in (access_html(row, labels, tag="span"), guests_html(row, tag="span")):
            if notes:
                html += f" · {notes}"
        if row["status_label"]:
            html += f' <strong class="status status--{escape(row["status"])}">{escape(row["status_label"])}</strong>'
        if row["change"]:
            html += " " + change_html(row, tag="span")
        if row["ticket_url"]:
            html += f' <a href="{escape(row["ticket_url"])}" rel="external">{tickets_label}</a>'
        if row["ics_url"]:
            html += f' <a href="{escape(row["ics_url"])}">{ics_label}</a>'
        html += " " + toggles[row["edition_key"]].replace(KEY_MARK, key) + "</li>"
        parts.append(html)
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def film_sections_html(credits, companies, stills, selections, history, suggestions):
    """The film page's credits, companies, images, festival history and suggestions, rendered in Python.

    These lists are the longest part of the page; built here they cost a fraction of the template
    loops. Every value is escaped (``text_html`` keeps a fallback text's ``<span lang>``).
    """
    # Outside the f-strings below, where message extraction would not see them.
    credits_label = escape(gettext("Credits"))
    companies_label = escape(gettext("Companies"))
    images_label = escape(gettext("Images"))
    history_label = escape(gettext("Festival history"))
    suggestions_label = escape(gettext("You may also like"))
    parts = []
    html = ""
    if credits:
        html = (
            '<section aria-labelledby="credits-heading"><h2 id="credits-heading">'
            f'{credits_label}</h2>\n<dl class="credits">'
        )
        for group in credits:
            html += f"<dt>{escape(str(group['role']))}</dt>"
            for person in group["people"]:
                name = escape(person["name"])
                if person["company"]:
                    # As ``{% blocktranslate %}`` does: the values escaped, the translation itself not.
                    name = gettext("%(person)s for %(company)s") % {
                        "person": name,
                        "company": escape(person["company"]),
                    }
                html += f'<dd><a href="{escape(person["url"])}">{name}</a></dd>'
        html += "</dl>\n</section>"
    parts.append(html)
    html = ""
    if companies:
        html = (
            '<section aria-labelledby="companies-heading"><h2 id="companies-heading">'
            f'{companies_label}</h2>\n<dl class="credits">'
        )
        for group in companies:
            names = ", ".join(escape(name) for name in group["names"])
            html += f"<dt>{escape(str(group['role']))}</dt><dd>{names}</dd>"
        html += "</dl>\n</section>"
    parts.append(html)
    html = ""
    if stills:
        html = (
            '<section aria-labelledby="images-heading"><h2 id="images-heading">'
            f'{images_label}</h2>\n<ul class="stills">'
        )
        for image in stills:
            alt = image["alt"]
            lang = f' lang="{escape(alt.lang)}"' if alt.fallback else ""
            html += (
                f'<li><a href="{escape(image["url"])}"><img src="{escape(image["thumbnail"])}" '
                f'alt="{escape(alt.text)}"{lang} loading="lazy"></a></li>'
            )
        html += "</ul>\n</section>"
    parts.append(html)
    html = ""
    if selections or history:
        html = (
            '<section aria-labelledby="history-heading"><h2 id="history-heading">'
            f'{history_label}</h2>\n<ul class="history">'
        )
        for item in selections:
            html += (
                f"<li>{text_html(item['edition'])}: "
                f'<a href="{escape(item["section_url"])}">{text_html(item["section"])}</a>'
            )
            if item["premiere"]:
                html += f' · <span class="premiere">{escape(str(item["premiere"]))}</span>'
            html += "</li>"
        html += "\n"
        for item in history:
            html += f"<li>{text_html(item['festival'])} {escape(str(item['year']))}"
            if item["section"]:
                html += f": {escape(item['section'])}"
            if item["premiere"]:
                html += f' · <span class="premiere">{escape(str(item["premiere"]))}</span>'
            html += "</li>"
        html += "</ul>\n</section>"
    parts.append(html)
    html = ""
    if suggestions:
        html = (
            '<section aria-labelledby="suggestions-heading"><h2 id="suggestions-heading">'
            f'{suggestions_label}</h2>\n<ul class="suggestions">'
        )
        for item in suggestions:
            html += f'<li><a href="{escape(item["url"])}">{text_html(item["title"])}</a>'
            if item["year"]:
                html += f" ({escape(str(item['year']))})"
            html += "</li>"
        html += "</ul>\n</section>"
    parts.append(html)
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
