"""Writing an import's editions: sections, venues and screens, screenings and awards."""

import datetime
from collections import defaultdict

from modeltranslation.utils import build_localized_fieldname

from ...models import Award, AwardResult, Edition, Screen, Screening, ScreeningFilm, Section, Selection, Venue
from .values import DEFAULT_CHANGEOVER_MINUTES, apply_values, award_kind, languages, translated_values


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
            **translated_values("name", item["name"]),
            "start_date": datetime.date.fromisoformat(item["start_date"]),
            "end_date": datetime.date.fromisoformat(item["end_date"]),
            "timezone": item["timezone"],
        }
        if "published" in item.data:
            values["published"] = item["published"]
        if "results_announced_at" in item.data:
            values["results_announced_at"] = self.parse_moment(item, "results_announced_at")
        created = existing is None
        edition = existing if existing is not None else Edition(published=False)
        changed = bool(apply_values(edition, values)) or created
        if not self.clean_and_save(edition, item, "edition", key, changed=changed, created=created):
            return
        sections = self.write_sections(edition, item)
        screens = self.write_venues(item)
        self.write_screenings(edition, item, sections, screens)
        self.write_awards(edition, item, sections)

    def write_sections(self, edition, item):
        sections = {section.key: section for section in edition.sections.all()} if edition.pk else {}
        old_selections = defaultdict(list)
        for row in Selection.objects.filter(section__edition=edition).order_by("section_id", "order", "id"):
            old_selections[row.section_id].append((row.film_id, row.premiere))
        for index, section_item in enumerate(item.children("sections")):
            key = section_item["key"]
            existing = sections.get(key)
            values = {
                "edition": edition,
                "key": key,
                **translated_values("name", section_item["name"]),
                **translated_values("description", section_item.get("description")),
                "competitive": section_item.get("competitive", False),
                "order": index,
            }
            if "published" in section_item.data:
                values["published"] = section_item["published"]
            if "results_announced_at" in section_item.data:
                values["results_announced_at"] = self.parse_moment(section_item, "results_announced_at")
            created = existing is None
            section = existing if existing is not None else Section(published=False)
            changed = bool(apply_values(section, values)) or created
            if not self.clean_and_save(section, section_item, changed=changed):
                continue
            sections[key] = section
            if "selections" in section_item.data:
                wanted = [
                    (self.film(selection["film"]).pk, selection.get("premiere", ""))
                    for selection in section_item["selections"]
                ]
                if wanted != old_selections.get(section.pk, []):
                    if not created:
                        section.selections.all().delete()
                    rows = [
                        Selection(section=section, film_id=film, premiere=premiere, order=order)
                        for order, (film, premiere) in enumerate(wanted)
                    ]
                    self.bulk_create(Selection, rows, section_item.children("selections"))
                    changed = True
            self.note("section", f"{edition.key}/{key}", created, changed)
        self.flush()
        return sections

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
            changed = bool(
                apply_values(venue, {"key": key, "name": venue_item["name"], "address": venue_item.get("address", "")})
            )
            if not self.clean_and_save(venue, venue_item, "venue", key, changed=changed, created=existing is None):
                continue
            self.venues_written = getattr(self, "venues_written", {})
            self.screens_written_for = getattr(self, "screens_written_for", {})
            self.venues_written[key] = venue
            self.screens_written_for[key] = []
            for order, screen_item in enumerate(venue_item.children("screens")):
                screen_key = screen_item["key"]
                existing = self.db_screens.get(screen_key)
                screen = existing if existing is not None else Screen()
                values = {
                    "venue": venue,
                    "key": screen_key,
                    "name": screen_item["name"],
                    "capacity": screen_item.get("capacity"),
                    "wheelchair_spaces": screen_item.get("wheelchair_spaces", 0),
                    "order": order,
                }
                if "changeover_minutes" in screen_item.data or existing is None:
                    values["changeover_minutes"] = screen_item.get("changeover_minutes", DEFAULT_CHANGEOVER_MINUTES)
                changed = bool(apply_values(screen, values))
                if self.clean_and_save(
                    screen, screen_item, "screen", screen_key, changed=changed, created=existing is None
                ):
                    screens[screen_key] = screen
                    self.screens_written_for[key].append(screen)
        return screens

    def write_screenings(self, edition, item, sections, screens):
        existing = {screening.key: screening for screening in edition.screenings.all()} if edition.pk else {}
        old_films = defaultdict(list)
        for screening_id, film_id in (
            ScreeningFilm.objects.filter(screening__edition=edition)
            .order_by("screening_id", "order", "id")
            .values_list("screening_id", "film_id")
        ):
            old_films[screening_id].append(film_id)
        screen_cache = {}
        new, checked = [], []
        for screening_item in item.children("screenings"):
            key = screening_item["key"]
            screening = existing.get(key)
            screen_key = screening_item.get("screen")
            screen = None
            if screen_key:
                screen = screens.get(screen_key) or self.screens_by_key(screen_key, screen_cache)
            section_key = screening_item.get("section")
            section = sections.get(section_key) if section_key else None
            values = {
                "edition": edition,
                "key": key,
                "screen": screen,
                "starts_at": self.screening_times[screening_item.path()][0],
                "ends_at": self.screening_times[screening_item.path()][1],
                "section": section,
                "audience": screening_item.get("audience", Screening.Audience.PUBLIC),
                "status": screening_item.get("status", Screening.Status.SCHEDULED),
                "subtitles": screening_item.get("subtitles") or [],
                "ticket_url": screening_item.get("ticket_url", ""),
                **translated_values("note", screening_item.get("note")),
                "available_from": self.parse_moment(screening_item, "available_from"),
                "available_until": self.parse_moment(screening_item, "available_until"),
                "online_countries": screening_item.get("countries") or [],
            }
            if "published" in screening_item.data:
                values["published"] = screening_item["published"]
            created = screening is None
            if created:
                screening = Screening(published=False)
            changed = bool(apply_values(screening, values)) or created
            # Same values; assigning the objects spares clean() a query for each.
            screening.edition, screening.screen, screening.section = edition, screen, section
            if created:
                # What Screening.save() sets, which a bulk insert does not call.
                screening.blocked_until = screening.compute_blocked_until()
            if not self.write_record(screening, screening_item, created, changed, new):
                continue
            checked.append((key, screening_item, screening, created, changed))
        self.insert(Screening, new)
        for key, screening_item, screening, created, changed in checked:
            wanted = [self.film(film_key).pk for film_key in screening_item["films"]]
            if created or wanted != old_films.get(screening.pk, []):
                if not created:
                    screening.screening_films.all().delete()
                rows = [
                    ScreeningFilm(screening=screening, film_id=film, order=order) for order, film in enumerate(wanted)
                ]
                self.bulk_create(
                    ScreeningFilm, rows, [screening_item.child("films", index) for index in range(len(wanted))]
                )
                changed = True
            self.note("screening", f"{edition.key}/{key}", created, changed)
        self.flush()

    def screens_by_key(self, key, cache):
        if key not in cache:
            cache[key] = self.db_screens.get(key) or Screen.objects.get(key=key)
        return cache[key]

    def write_awards(self, edition, item, sections):
        existing = {award.key: award for award in edition.awards.all()} if edition.pk else {}
        old_results = defaultdict(list)
        for row in AwardResult.objects.filter(award__edition=edition).order_by("award_id", "order", "id"):
            old_results[row.award_id].append(
                (
                    row.film_id,
                    row.person_id,
                    row.kind,
                    *(getattr(row, build_localized_fieldname("citation", code)) or None for code in languages()),
                )
            )
        for order, award_item in enumerate(item.children("awards")):
            key = award_item["key"]
            award = existing.get(key)
            created = award is None
            if created:
                award = Award()
            values = {
                "edition": edition,
                "section": sections.get(award_item["section"]),
                "key": key,
                **translated_values("name", award_item["name"]),
                "order": order,
                **award_kind(award_item.data),
            }
            changed = bool(apply_values(award, values)) or created
            if not self.clean_and_save(award, award_item, changed=changed):
                continue
            wanted = []
            for winner in award_item.get("winners") or []:
                wanted.append(
                    (
                        self.film(winner["film"]).pk,
                        self.person(winner["person"]).pk if "person" in winner else None,
                        winner.get("kind", "winner"),
                        *translated_values("citation", winner.get("citation")).values(),
                    )
                )
            if "winners" in award_item.data and wanted != old_results.get(award.pk, []):
                if not created:
                    award.results.all().delete()
                codes_list = languages()
                rows = [
                    AwardResult(
                        award=award,
                        film_id=film,
                        person_id=person,
                        kind=kind,
                        order=index,
                        **{
                            build_localized_fieldname("citation", code): text
                            for code, text in zip(codes_list, citations, strict=True)
                        },
                    )
                    for index, (film, person, kind, *citations) in enumerate(wanted)
                ]
                self.bulk_create(AwardResult, rows, award_item.children("winners"))
                changed = True
            self.note("award", f"{edition.key}/{key}", created, changed)
        self.flush()
