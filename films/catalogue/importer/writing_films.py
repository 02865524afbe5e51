"""Writing an import's films and their child lists (titles, credits, tags, history)."""

from collections import defaultdict

from ...models import CompanyCredit, Credit, FestivalHistoryAward, FestivalHistoryEntry, Film, FilmImage, FilmTitle
from .values import apply_values, translated_values


class FilmWriteMixin:
    """Writing films; a child list is replaced only when it differs from the stored one."""

    def write_films(self):
        written = {}
        history_festivals = self.history_festivals()
        existing_films = [film for key, film in self.db_films.items() if key in self.films]
        children = self.existing_film_children(existing_films)
        new, checked = [], []
        for key, item in self.films.items():
            existing = self.db_films.get(key)
            picture = item.get("picture") or {}
            values = {
                "key": key,
                **translated_values("title", item["title"]),
                "original_title": item.get("original_title", ""),
                "original_title_latin": item.get("original_title_latin", ""),
                "year": item.get("year"),
                "runtime_minutes": item.get("runtime_minutes"),
                "countries": item.get("countries") or [],
                "spoken_languages": item.get("spoken_languages") or [],
                "form": item.get("form", ""),
                **translated_values("tagline", item.get("tagline")),
                **translated_values("synopsis", item.get("synopsis")),
                "minimum_age": item.get("minimum_age"),
                "aspect_ratio": picture.get("aspect_ratio", ""),
                "picture_format": picture.get("format", ""),
                "colour": picture.get("colour", ""),
            }
            if "published" in item.data:
                values["published"] = item["published"]
            created = existing is None
            instance = existing if existing is not None else Film(published=False)
            changed = bool(apply_values(instance, values)) or created
            if not self.write_record(instance, item, created, changed, new):
                continue
            written[key] = instance
            checked.append((key, item, instance, created, changed))
        self.insert(Film, new)
        for key, item, instance, created, changed in checked:
            old = children.get(instance.pk, {})
            child_changed = False
            for name, build, replace in (
                ("other_titles", self.want_titles, self.replace_titles),
                ("credits", self.want_credits, self.replace_credits),
                ("company_credits", self.want_company_credits, self.replace_company_credits),
                ("tags", self.want_tags, self.replace_tags),
                ("festival_history", lambda item: self.want_history(item, history_festivals), self.replace_history),
                ("images", lambda item, key=key: self.want_images(key, item), self.replace_images),
            ):
                if name not in item.data:
                    continue
                wanted = build(item)
                if wanted is None:
                    continue
                if created or wanted != old.get(name, ()):
                    replace(instance, item, wanted, created)
                    child_changed = True
            self.note("film", key, created, changed or child_changed)
        self.flush()
        return written

    def existing_film_children(self, films):
        """The child lists of films being updated, in the same shape as ``want_*`` builds them (a few queries)."""
        result = defaultdict(lambda: defaultdict(list))
        if not films:
            return result
        ids = [film.pk for film in films]
        for row in FilmTitle.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["other_titles"].append((row.title, row.language))
        for row in Credit.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["credits"].append((row.role, row.person_id, row.company_id))
        for row in CompanyCredit.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["company_credits"].append((row.role, row.company_id))
        for film_id, tag_id in Film.tags.through.objects.filter(film_id__in=ids).values_list("film_id", "tag_id"):
            result[film_id]["tags"].append(tag_id)
        awards = defaultdict(list)
        for row in FestivalHistoryAward.objects.filter(entry__film_id__in=ids).order_by("entry_id", "order", "id"):
            awards[row.entry_id].append((row.name, row.recipient_id))
        for row in FestivalHistoryEntry.objects.filter(film_id__in=ids).order_by("film_id", "order", "year", "id"):
            result[row.film_id]["festival_history"].append(
                (row.festival_id, row.year, row.section, row.premiere, tuple(awards[row.pk]))
            )
        for row in FilmImage.objects.filter(film_id__in=ids).order_by("film_id", "order", "id"):
            result[row.film_id]["images"].append(self.image_identity(row))
        for values in result.values():
            for name in list(values):
                values[name] = sorted(values[name]) if name == "tags" else tuple(values[name])
        return result

    def want_titles(self, item):
        return tuple((title["title"], title["language"]) for title in item["other_titles"])

    def replace_titles(self, film, item, wanted, created):
        if not created:
            film.other_titles.all().delete()
        rows = [
            FilmTitle(film=film, title=title, language=language, order=index)
            for index, (title, language) in enumerate(wanted)
        ]
        self.bulk_create(FilmTitle, rows, item.children("other_titles"))

    def want_credits(self, item):
        wanted = []
        for credit in item["credits"]:
            company = self.company(credit["company"]).pk if "company" in credit else None
            wanted.append((credit["role"], self.person(credit["person"]).pk, company))
        return tuple(wanted)

    def replace_credits(self, film, item, wanted, created):
        if not created:
            film.credits.all().delete()
        rows = [
            Credit(film=film, role=role, person_id=person, company_id=company, order=index)
            for index, (role, person, company) in enumerate(wanted)
        ]
        self.bulk_create(Credit, rows, item.children("credits"))

    def want_company_credits(self, item):
        return tuple((credit["role"], self.company(credit["company"]).pk) for credit in item["company_credits"])

    def replace_company_credits(self, film, item, wanted, created):
        if not created:
            film.company_credits.all().delete()
        rows = [
            CompanyCredit(film=film, role=role, company_id=company, order=index)
            for index, (role, company) in enumerate(wanted)
        ]
        self.bulk_create(CompanyCredit, rows, item.children("company_credits"))

    def want_tags(self, item):
        return sorted(self.tags_written[tag["key"]].pk for tag in item["tags"])

    def replace_tags(self, film, item, wanted, created):
        through = Film.tags.through
        if not created:
            through.objects.filter(film_id=film.pk).delete()
        rows = [through(film=film, tag_id=tag) for tag in wanted]
        self.bulk_create(through, rows, item.children("tags"))

    def want_history(self, item, festivals):
        wanted = []
        for entry in item["festival_history"]:
            festival = festivals.get(entry["festival"])
            awards = tuple(
                (award["name"], self.person(award["recipient"]).pk if "recipient" in award else None)
                for award in entry.get("awards") or []
            )
            wanted.append(
                (
                    festival.pk if festival else None,
                    entry["year"],
                    entry.get("section", ""),
                    entry.get("premiere", ""),
                    awards,
                )
            )
        return tuple(wanted)

    def replace_history(self, film, item, wanted, created):
        if not created:
            film.festival_history.all().delete()
        awards = []
        award_items = []
        for index, ((festival, year, section, premiere, entry_awards), entry_item) in enumerate(
            zip(wanted, item.children("festival_history"), strict=True)
        ):
            entry = FestivalHistoryEntry(
                film=film, festival_id=festival, year=year, section=section, premiere=premiere, order=index
            )
            self.bulk_create(FestivalHistoryEntry, [entry], [entry_item])
            for order, ((name, recipient), award_item) in enumerate(
                zip(entry_awards, entry_item.children("awards"), strict=True)
            ):
                awards.append(FestivalHistoryAward(entry=entry, name=name, recipient_id=recipient, order=order))
                award_items.append(award_item)
        self.bulk_create(FestivalHistoryAward, awards, award_items)
