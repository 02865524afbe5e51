"""Writing an import's editions: sections, venues and screens, screenings and awards.

As for films: a field the file leaves out is kept, translated text merges language by language, a child list
(selections, a screening's films and guests, an award's winners) the file gives replaces the stored one when it
differs. A screening's ``access`` (the codes of its markers) is one field: given, it sets all four markers; left
out, they are kept.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from modeltranslation.utils import build_localized_fieldname

from ...access import SCREENING_MARKERS, screening_marker_codes
from ...models import (
    Award,
    AwardResult,
    Edition,
    Screen,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Section,
    Selection,
    Venue,
)
from .values import (
    DEFAULT_CHANGEOVER_MINUTES,
    apply_values,
    award_kind,
    given,
    given_translations,
    languages,
    merged_translations,
)

# (format name, model field) of a screening's plain fields; each is set only when the file gives it.
SCREENING_FIELDS = (
    ("audience", "audience"),
    ("status", "status"),
    ("subtitles", "subtitles"),
    ("ticket_url", "ticket_url"),
    ("countries", "online_countries"),
    ("minimum_age", "minimum_age"),
    ("published", "published"),
)
MARKER_FIELD_NAMES = {field for _code, field in SCREENING_MARKERS}


class EditionWriteMixin:
    """Writing editions with their sections, venues, screenings and awards."""

    # ------------------------------------------------------------------ editions

    def write_edition(self, key, item):
        festival = self.festivals_written.get(item["festival"]["key"])
        if festival is None:
            return
        existing = self.db_editions.get(key)
        values = {
            "festival": festival,
            "key": key,
            "year": item["year"],
            **given_translations("name", item["name"]),
            "start_date": datetime.date.fromisoformat(item["start_date"]),
            "end_date": datetime.date.fromisoformat(item["end_date"]),
            "timezone": item["timezone"],
            **given(item.data, (("published", "published"),)),
        }
        if "results_announced_at" in item.data:
            values["results_announced_at"] = self.parse_moment(item, "results_announced_at")
        created = existing is None
        edition = existing if existing is not None else Edition(published=False)
        changes = apply_values(edition, values)
        changed = self.record_changes("edition", key, edition, changes, created, tz=ZoneInfo(item["timezone"]))
        if not self.clean_and_save(edition, item, "edition", key, changed=changed or created, created=created):
            return
        sections = self.write_sections(edition, item)
        screens = self.write_venues(item)
        self.write_screenings(edition, item, sections, screens)
        self.write_awards(edition, item, sections)

    def write_sections(self, edition, item):
        sections = {
            key: section for (edition_key, key), section in self.db_sections.items() if edition_key == edition.key
        }
        old_selections = defaultdict(list)
        film_keys = self.keys_by_pk.setdefault("film", {})
        for section_id, film_id, premiere, film_key in (
            Selection.objects.filter(section__edition=edition)
            .order_by("section_id", "order", "id")
            .values_list("section_id", "film_id", "premiere", "film__key")
            if edition.pk
            else []
        ):
            old_selections[section_id].append((film_id, premiere))
            film_keys[film_id] = film_key
        tz = ZoneInfo(edition.timezone)
        for index, section_item in enumerate(item.children("sections")):
            key = section_item["key"]
            label = f"{edition.key}/{key}"
            existing = sections.get(key)
            created = existing is None
            values = {
                "edition": edition,
                "key": key,
                **given_translations("name", section_item["name"]),
                **given_translations("description", section_item.get("description")),
                **given(section_item.data, (("competitive", "competitive"), ("published", "published"))),
                "order": index,
            }
            if "results_announced_at" in section_item.data:
                values["results_announced_at"] = self.parse_moment(section_item, "results_announced_at")
            section = existing if existing is not None else Section(published=False, competitive=False)
            changes = apply_values(section, values)
            changed = self.record_changes("section", label, section, changes, created, tz=tz) or created
            if not self.clean_and_save(section, section_item, changed=changed):
                continue
            sections[key] = section
            if "selections" in section_item.data:
                wanted = [
                    (self.film(selection["film"]).pk, selection.get("premiere", ""))
                    for selection in section_item["selections"]
                ]
                old = old_selections.get(section.pk, [])
                if wanted != old:
                    self.record_list_change(
                        "section",
                        label,
                        "selections",
                        [self.describe_selection(row) for row in old],
                        [self.describe_selection(row) for row in wanted],
                        created,
                    )
                    if not created:
                        self.delete_rows(section.selections.all())
                    rows = [
                        Selection(section=section, film_id=film, premiere=premiere, order=order)
                        for order, (film, premiere) in enumerate(wanted)
                    ]
                    self.bulk_create(Selection, rows, section_item.children("selections"))
                    changed = True
            self.note("section", label, created, changed)
        self.flush()
        return sections

    def describe_selection(self, row):
        film, premiere = row
        film_key = self.key_for("film", film)
        return f"{film_key} ({premiere} premiere)" if premiere else film_key

    def write_venues(self, item):
        screens = {}
        for venue_item in item.children("venues"):
            key = venue_item["key"]
            if key in getattr(self, "venues_written", {}):
                venue = self.venues_written[key]
                screens.update({screen.key: screen for screen in self.screens_written_for[key]})
                continue
            existing = self.db_venues.get(key)
            venue = existing if existing is not None else Venue()
            values = {"key": key, "name": venue_item["name"], **given(venue_item.data, (("address", "address"),))}
            changed = self.record_changes("venue", key, venue, apply_values(venue, values), existing is None)
            if not self.clean_and_save(venue, venue_item, "venue", key, changed=changed, created=existing is None):
                continue
            self.venues_written = getattr(self, "venues_written", {})
            self.screens_written_for = getattr(self, "screens_written_for", {})
            self.venues_written[key] = venue
            self.screens_written_for[key] = []
            for order, screen_item in enumerate(venue_item.children("screens")):
                screen_key = screen_item["key"]
                existing = self.db_screens.get(screen_key)
                screen = existing if existing is not None else Screen(changeover_minutes=DEFAULT_CHANGEOVER_MINUTES)
                values = {
                    "venue": venue,
                    "key": screen_key,
                    "name": screen_item["name"],
                    **given(
                        screen_item.data,
                        (
                            ("capacity", "capacity"),
                            ("wheelchair_spaces", "wheelchair_spaces"),
                            ("step_free", "step_free"),
                            ("changeover_minutes", "changeover_minutes"),
                        ),
                    ),
                    "order": order,
                }
                changed = self.record_changes(
                    "screen", screen_key, screen, apply_values(screen, values), existing is None
                )
                if self.clean_and_save(
                    screen, screen_item, "screen", screen_key, changed=changed, created=existing is None
                ):
                    screens[screen_key] = screen
                    self.screens_written_for[key].append(screen)
        return screens

    def write_screenings(self, edition, item, sections, screens):
        existing = {
            key: screening for (edition_key, key), screening in self.db_screenings.items() if edition_key == edition.key
        }
        old_films = defaultdict(list)
        film_keys = self.keys_by_pk.setdefault("film", {})
        for screening_id, film_id, film_key in (
            ScreeningFilm.objects.filter(screening__edition=edition)
            .order_by("screening_id", "order", "id")
            .values_list("screening_id", "film_id", "film__key")
            if edition.pk
            else []
        ):
            old_films[screening_id].append(film_id)
            film_keys[film_id] = film_key
        old_guests = self.stored_guests(edition)
        tz = ZoneInfo(edition.timezone)
        screen_cache = {}
        new, checked = [], []
        for screening_item in item.children("screenings"):
            key = screening_item["key"]
            screening = existing.get(key)
            created = screening is None
            if created:
                screening = Screening(published=False)
            values = {
                "edition": edition,
                "key": key,
                "starts_at": self.screening_times[screening_item.path()][0],
                "ends_at": self.screening_times[screening_item.path()][1],
                **given(screening_item.data, SCREENING_FIELDS),
                **given_translations("note", screening_item.get("note")),
            }
            if "screen" in screening_item.data:
                screen_key = screening_item["screen"]
                values["screen"] = screens.get(screen_key) or self.screens_by_key(screen_key, screen_cache)
                if values["screen"] is None:
                    continue  # Its venue or screen was refused, with the error at the venue's path.
            if "section" in screening_item.data:
                values["section"] = sections.get(screening_item["section"])
            for name in ("available_from", "available_until"):
                if name in screening_item.data:
                    values[name] = self.parse_moment(screening_item, name)
            old_access = screening_marker_codes(screening)
            if "access" in screening_item.data:
                values.update({field: code in screening_item["access"] for code, field in SCREENING_MARKERS})
            changes = apply_values(screening, values)
            # The four markers are one field of the format, ``access``: one change, a list of codes.
            changes = [change for change in changes if change[0] not in MARKER_FIELD_NAMES]
            changed = self.record_changes("screening", f"{edition.key}/{key}", screening, changes, created, tz=tz)
            new_access = screening_marker_codes(screening)
            if new_access != old_access:
                self.record_list_change("screening", f"{edition.key}/{key}", "access", old_access, new_access, created)
                changed = True
            changed = changed or created
            # The same edition; assigning the object spares clean() a query (screen and section are loaded).
            screening.edition = edition
            if created:
                # What Screening.save() sets, which a bulk insert does not call.
                screening.blocked_until = screening.compute_blocked_until()
            if not self.write_record(screening, screening_item, created, changed, new):
                continue
            checked.append((key, screening_item, screening, created, changed))
        self.insert(Screening, new)
        for key, screening_item, screening, created, changed in checked:
            wanted = [self.film(film_key).pk for film_key in screening_item["films"]]
            old = old_films.get(screening.pk, [])
            if created or wanted != old:
                self.record_list_change(
                    "screening",
                    f"{edition.key}/{key}",
                    "films",
                    [self.key_for("film", film) for film in old],
                    [self.key_for("film", film) for film in wanted],
                    created,
                )
                if not created:
                    self.delete_rows(screening.screening_films.all())
                rows = [
                    ScreeningFilm(screening=screening, film_id=film, order=order) for order, film in enumerate(wanted)
                ]
                self.bulk_create(
                    ScreeningFilm, rows, [screening_item.child("films", index) for index in range(len(wanted))]
                )
                changed = True
            if "guests" in screening_item.data:
                changed = self.write_guests(edition, key, screening_item, screening, old_guests, created) or changed
            self.note("screening", f"{edition.key}/{key}", created, changed)
        self.flush()

    def stored_guests(self, edition):
        """``{screening id: [(person id, intro, qa), ...]}`` of the edition's stored screenings, in order."""
        old = defaultdict(list)
        if not edition.pk:
            return old
        person_keys = self.keys_by_pk.setdefault("person", {})
        for screening_id, person_id, intro, qa, person_key in (
            ScreeningGuest.objects.filter(screening__edition=edition)
            .order_by("screening_id", "order", "id")
            .values_list("screening_id", "person_id", "intro", "qa", "person__key")
        ):
            old[screening_id].append((person_id, intro, qa))
            person_keys[person_id] = person_key
        return old

    def write_guests(self, edition, key, screening_item, screening, old_guests, created):
        """Replace a screening's guests with the file's list when it differs; return whether it did."""
        wanted = [
            (self.person(guest["person"]).pk, guest.get("intro", False), guest.get("qa", False))
            for guest in screening_item["guests"]
        ]
        old = old_guests.get(screening.pk, [])  # A screening just created has none stored.
        if wanted == old:
            return False
        self.record_list_change(
            "screening",
            f"{edition.key}/{key}",
            "guests",
            [self.describe_guest(row) for row in old],
            [self.describe_guest(row) for row in wanted],
            created,
        )
        if not created:
            self.delete_rows(screening.guests.all())
        rows = [
            ScreeningGuest(screening=screening, person_id=person, intro=intro, qa=qa, order=order)
            for order, (person, intro, qa) in enumerate(wanted)
        ]
        self.bulk_create(ScreeningGuest, rows, screening_item.children("guests"))
        return True

    def describe_guest(self, row):
        person, intro, qa = row
        roles = [name for name, given in (("intro", intro), ("Q&A", qa)) if given]
        return f"{self.key_for('person', person)} ({', '.join(roles)})"

    def screens_by_key(self, key, cache):
        if key not in cache:
            # Stored, or written just now for another edition of the file; None when refused.
            # Not mutated: the stored screens only spare the query, which finds them too.
            cache[key] = self.db_screens.get(key) or Screen.objects.filter(key=key).first()  # pragma: no mutate
        return cache[key]

    def write_awards(self, edition, item, sections):
        existing = (
            {award.key: award for award in self.objects(Award).filter(edition=edition).select_related("section")}
            if edition.pk
            else {}
        )
        codes = languages()
        old_results = defaultdict(list)
        keys = {label: self.keys_by_pk.setdefault(label, {}) for label in ("film", "person")}
        citation_fields = [build_localized_fieldname("citation", code) for code in codes]
        for award_id, film_id, person_id, kind, film_key, person_key, *citations in (
            AwardResult.objects.filter(award__edition=edition)
            .order_by("award_id", "order", "id")
            .values_list("award_id", "film_id", "person_id", "kind", "film__key", "person__key", *citation_fields)
            if edition.pk
            else []
        ):
            old_results[award_id].append((film_id, person_id, kind, *(text or None for text in citations)))
            keys["film"][film_id] = film_key
            keys["person"][person_id] = person_key
        for order, award_item in enumerate(item.children("awards")):
            key = award_item["key"]
            label = f"{edition.key}/{key}"
            award = existing.get(key)
            created = award is None
            if created:
                award = Award()
            values = {
                "edition": edition,
                "section": sections.get(award_item["section"]),
                "key": key,
                **given_translations("name", award_item["name"]),
                "order": order,
            }
            # Film or person award, ex aequo or not: as the file says, else as its winners show; a stored award
            # whose file gives neither keeps what it has.
            inferred = award_kind(award_item.data)
            for name in ("recipient", "ex_aequo"):
                if name in award_item.data or "winners" in award_item.data or created:
                    values[name] = inferred[name]
            changes = apply_values(award, values)
            changed = self.record_changes("award", label, award, changes, created) or created
            if not self.clean_and_save(award, award_item, changed=changed):
                continue
            if "winners" in award_item.data:
                # A winner already stored (same film and person) keeps its citation in the languages the file
                # leaves out.
                old = old_results.get(award.pk, [])
                stored = {(film, person): citations for film, person, _kind, *citations in old}
                wanted = []
                for winner in award_item["winners"]:
                    film = self.film(winner["film"]).pk
                    person = self.person(winner["person"]).pk if "person" in winner else None
                    citations = merged_translations(winner.get("citation"), stored.get((film, person)))
                    wanted.append((film, person, winner.get("kind", "winner"), *citations))
                if wanted != old:
                    self.replace_results(award, award_item, label, old, wanted, created)
                    self.report.results_written.append(label)
                    changed = True
            self.note("award", label, created, changed)
        self.flush()

    def replace_results(self, award, award_item, label, old, wanted, created):
        self.record_list_change(
            "award",
            label,
            "winners",
            [self.describe_result(row) for row in old],
            [self.describe_result(row) for row in wanted],
            created,
        )
        if not created:
            self.delete_rows(award.results.all())
        codes = languages()
        rows = [
            AwardResult(
                award=award,
                film_id=film,
                person_id=person,
                kind=kind,
                order=index,
                **{
                    build_localized_fieldname("citation", code): text
                    for code, text in zip(codes, citations, strict=True)  # pragma: no mutate - one per language
                },
            )
            for index, (film, person, kind, *citations) in enumerate(wanted)
        ]
        self.bulk_create(AwardResult, rows, award_item.children("winners"))

    def describe_result(self, row):
        film, person, kind, *citations = row
        text = f"{self.key_for('film', film)}: {kind}"
        if person:
            text = f"{self.key_for('film', film)} / {self.key_for('person', person)}: {kind}"
        for code, citation in zip(languages(), citations, strict=True):  # pragma: no mutate - one per language
            if citation:
                text += f" [{code}] {citation}"
        return text
