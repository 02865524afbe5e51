"""Screening rows rendered to HTML in Python: the programme's hot loop.

A day of a big edition lists a hundred or more screenings; rendering each through
the template engine costs more than the rest of the page. The markup here matches
what ``templates/films/includes/screening_list.html`` documents. The "Add to my
programme" button comes from ``films/includes/personal_toggle.html``, rendered once
per page and filled in per row, so that template stays the one place it is defined.
"""

from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..access import guest_groups, guest_message, marker_labels, wheelchair_text

KEY_MARK = "zzzscreeningzzz"
# The attributes of a link that opens in a new tab, without giving the new page a handle on this one.
NEW_TAB = ' target="_blank" rel="noopener"'


def text_html(text):
    """A ``Text`` (content that knows its language) or a plain string, as HTML."""
    html = getattr(text, "__html__", None)
    return html() if html else escape(text)


def toggle_template(edition_key):
    """The personal-programme button with a placeholder for the screening's key."""
    return render_to_string(
        "films/includes/personal_toggle.html", {"screening_key": KEY_MARK, "edition_key": edition_key}
    ).strip()


def access_labels():
    """The markers' labels as HTML, once per page: ``{code: escaped label}``."""
    return {code: escape(label) for code, label in marker_labels().items()}


def access_html(row, labels, tag="p"):
    """A row's access markers as text (``<span class="access access--audio-description">Audio description</span>``),
    step-free access and wheelchair spaces from its screen included; ``""`` when it has none.

    ``labels`` is ``access_labels()``; ``tag`` the element around them (``span`` inside a line of text).
    """
    items = [f'<span class="access access--{escape(code)}">{labels[code]}</span>' for code in row["access"]]
    if row["wheelchair_spaces"]:
        items.append(
            f'<span class="access access--wheelchair">{escape(wheelchair_text(row["wheelchair_spaces"]))}</span>'
        )
    if not items:
        return ""
    return f'<{tag} class="screening__access">{" · ".join(items)}</{tag}>'


def guests_html(row, tag="p", *, origin="", new_tab=False):
    """A row's guests, one element per kind of attendance: "Q&amp;A with <a href=…>Alisa Kovalenko</a>";
    ``""`` when it has none. ``origin`` and ``new_tab`` as for ``screening_items``."""
    if not row["guests"]:
        return ""
    link = NEW_TAB if new_tab else ""
    parts = []
    for kind, group in guest_groups(row["guests"]):
        names = ", ".join(
            f'<a href="{escape(origin + guest["url"])}"{link}>{escape(guest["name"])}</a>' for guest in group
        )
        # The translation escaped too ("Q&A"), then the names, each escaped, put in.
        text = escape(guest_message(kind)) % {"names": names}
        parts.append(f'<{tag} class="screening__guests screening__guests--{escape(kind)}">{text}</{tag}>')
    # Paragraphs stand apart; spans in a line of text are set apart as its other parts are.
    return (" " if tag == "p" else " · ").join(parts)


def change_html(row, tag="p"):
    """A row's note on its move or cancellation in the last 48 hours (``queries.attach_changes``), or ``""``."""
    if not row.get("change"):
        return ""
    return (
        f'<{tag} class="screening__change screening__change--{escape(row["change_kind"])}">'
        f"<strong>{escape(row['change'])}</strong></{tag}>"
    )


def screening_notes(row):
    """A row's recent change, access markers and guest lines as one safe string: for the templates (grid,
    personal programme)."""
    return mark_safe(change_html(row) + access_html(row, access_labels()) + guests_html(row))  # noqa: S308 - built from escaped values


def screening_items(rows, edition_key, *, origin="", new_tab=False):
    """Each row's ``<li>``, as one safe string.

    For a list shown inside another site (the embeddable programme): ``origin`` (``https://festival.example``)
    is put before the site's own links to make them absolute, and ``new_tab`` opens every link in a new tab.
    """
    # The standard library's escape: the same five characters as Django's, without its lazy-string wrapper.
    subtitles_label = escape(gettext("Subtitles:"))
    tickets_label = escape(gettext("Tickets"))
    ics_label = escape(gettext("Add to calendar"))
    online_label = escape(gettext("Online"))
    labels = access_labels()
    toggle = toggle_template(edition_key)
    link = NEW_TAB if new_tab else ""
    ticket_rel = ' target="_blank" rel="external noopener"' if new_tab else ' rel="external"'
    parts = []
    for row in rows:
        key = escape(row["key"])
        films = "".join(
            f'<li><a href="{escape(origin + film["url"])}"{link}>{text_html(film["title"])}</a>'
            + (f' <span class="premiere">{escape(film["premiere"])}</span>' if film["premiere"] else "")
            + "</li>"
            for film in row["films"]
        )
        where = ""
        if row["section"]:
            where = f'<a href="{escape(origin + row["section_url"])}"{link}>{text_html(row["section"]["name"])}</a> · '
        if row["venue"]:
            where += f'<a href="{escape(origin + row["venue_url"])}"{link}>{escape(row["venue"])}</a>, '
            where += escape(row["screen"])
        else:
            where += online_label
        if row["audience_label"]:
            where += f" · {escape(row['audience_label'])}"
        extra = change_html(row)
        if row["subtitles"]:
            extra += f'<p class="screening__subtitles">{subtitles_label} {escape(row["subtitles"])}</p>'
        extra += access_html(row, labels) + guests_html(row, origin=origin, new_tab=new_tab)
        if row["status_label"]:
            extra += (
                f'<p class="status status--{escape(row["status"])}"><strong>{escape(row["status_label"])}</strong></p>'
            )
        actions = ""
        if row["ticket_url"]:
            actions += f'<a href="{escape(row["ticket_url"])}"{ticket_rel}>{tickets_label}</a> '
        if row["ics_url"]:
            actions += f'<a href="{escape(origin + row["ics_url"])}"{link}>{ics_label}</a>'
        actions += " " + toggle.replace(KEY_MARK, key)
        parts.append(
            f'<li class="screening screening--{escape(row["status"])}" data-screening="{key}">\n'
            f'<p class="screening__time"><time datetime="{row["iso_start"]}">{escape(row["start"])}</time>–'
            f'<time datetime="{row["iso_end"]}">{escape(row["end"])}</time></p>\n'
            f'<ul class="screening__films">{films}</ul>\n'
            f'<p class="screening__where">{where}</p>\n'
            f'{extra}<p class="screening__actions">{actions}</p>\n</li>'
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
