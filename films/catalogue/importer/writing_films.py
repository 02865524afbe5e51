"""Writing an import's films and their child lists (titles, credits, tags, history)."""

from collections import defaultdict

from ...models import CompanyCredit, Credit, FestivalHistoryAward, FestivalHistoryEntry, Film, FilmImage, FilmTitle
from .values import apply_values, given, given_translations

# (format name, model field) of a film's plain fields; each is set only when the file gives it.
FILM_FIELDS = (
    ("original_title", "original_title"),
    ("original_title_latin", "original_title_latin"),
    ("year", "year"),
    ("runtime_minutes", "runtime_minutes"),
    ("countries", "countries"),
    ("spoken_languages", "spoken_languages"),
    ("form", "form"),
    ("minimum_age", "minimum_age"),
)
PICTURE_FIELDS = (("aspect_ratio", "aspect_ratio"), ("format", "picture_format"), ("colour", "colour"))


class FilmWriteMixin:
    """Writing films: a field the file leaves out is kept, translated text merges language by language; a child
    list the file gives replaces the stored one when it differs, one the file leaves out is kept."""

    def write_films(self):
        written = {}
        history_festivals = self.history_festivals()
        self.keys_by_pk.setdefault("festival", {}).update((f.pk, f.key) for f in history_festivals.values())
        existing_films = [film for key, film in self.db_films.items() if key in self.films]
        children = self.existing_film_children(existing_films)
        new, checked = [], []
        for key, item in self.films.items():
            existing = self.db_films.get(key)
            values = {
                "key": key,
                **given_translations("title", item["title"]),
                **given(item.data, FILM_FIELDS),
                **given_translations("tagline", item.get("tagline")),
                **given_translations("synopsis", item.get("synopsis")),
                **given(item.get("picture") or {}, PICTURE_FIELDS),
                **given(item.data, (("published", "published"),)),
            }
            created = existing is None
            instance = existing if existing is not None else Film(published=False)
            changes = apply_values(instance, values)
            changed = self.record_changes("film", key, instance, changes, created) or created
            if not self.write_record(instance, item, created, changed, new):
                # Refused (the error is at its path): it still stands for itself in the rows that name it, which
                # are checked but, as nothing more is written, not saved.
                written[key] = instance
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
                (
                    "images",
                    lambda item, key=key, old=old: self.want_images(key, item, old.get("images", ())),
                    self.replace_images,
                ),
            ):
                if name not in item.data:
                    continue
                wanted = build(item)
                if wanted is None:
                    continue
                if created or wanted != old.get(name, ()):
                    if not created:
                        describe = getattr(self, f"describe_{name}")
                        self.record_list_change(
                            "film",
                            key,
                            name,
                            [describe(row) for row in old.get(name, ())],
                            [describe(row) for row in wanted],
                        )
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
        # The keys of the records these rows name come along (joined), for the preview's readable lists.
        keys = {label: self.keys_by_pk.setdefault(label, {}) for label in ("person", "company", "tag", "festival")}
        for film_id, title, language in (
            FilmTitle.objects.filter(film_id__in=ids)
            .order_by("film_id", "order", "id")
            .values_list("film_id", "title", "language")
        ):
            result[film_id]["other_titles"].append((title, language))
        for film_id, role, person_id, company_id, person_key, company_key in (
            Credit.objects.filter(film_id__in=ids)
            .order_by("film_id", "order", "id")
            .values_list("film_id", "role", "person_id", "company_id", "person__key", "company__key")
        ):
            result[film_id]["credits"].append((role, person_id, company_id))
            keys["person"][person_id] = person_key
            keys["company"][company_id] = company_key
        for film_id, role, company_id, company_key in (
            CompanyCredit.objects.filter(film_id__in=ids)
            .order_by("film_id", "order", "id")
            .values_list("film_id", "role", "company_id", "company__key")
        ):
            result[film_id]["company_credits"].append((role, company_id))
            keys["company"][company_id] = company_key
        for film_id, tag_id, tag_key in Film.tags.through.objects.filter(film_id__in=ids).values_list(
            "film_id", "tag_id", "tag__key"
        ):
            result[film_id]["tags"].append(tag_id)
            keys["tag"][tag_id] = tag_key
        awards = defaultdict(list)
        for entry_id, name, recipient_id, recipient_key in (
            FestivalHistoryAward.objects.filter(entry__film_id__in=ids)
            .order_by("entry_id", "order", "id")
            .values_list("entry_id", "name", "recipient_id", "recipient__key")
        ):
            awards[entry_id].append((name, recipient_id))
            keys["person"][recipient_id] = recipient_key
        for row in (
            FestivalHistoryEntry.objects.filter(film_id__in=ids)
            .select_related("festival")
            .order_by("film_id", "order", "year", "id")
        ):
            result[row.film_id]["festival_history"].append(
                (row.festival_id, row.year, row.section, row.premiere, tuple(awards[row.pk]))
            )
            keys["festival"][row.festival_id] = row.festival.key
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
            self.delete_rows(film.other_titles.all())
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
            self.delete_rows(film.credits.all())
        rows = [
            Credit(film=film, role=role, person_id=person, company_id=company, order=index)
            for index, (role, person, company) in enumerate(wanted)
        ]
        self.bulk_create(Credit, rows, item.children("credits"))

    def want_company_credits(self, item):
        return tuple((credit["role"], self.company(credit["company"]).pk) for credit in item["company_credits"])

    def replace_company_credits(self, film, item, wanted, created):
        if not created:
            self.delete_rows(film.company_credits.all())
        rows = [
            CompanyCredit(film=film, role=role, company_id=company, order=index)
            for index, (role, company) in enumerate(wanted)
        ]
        self.bulk_create(CompanyCredit, rows, item.children("company_credits"))

    def want_tags(self, item):
        tags = [self.tags_written[tag["key"]] for tag in item["tags"]]
        if any(tag.pk is None for tag in tags):
            return None  # A tag refused, or not saved once an error was found: nothing more is written.
        return sorted(tag.pk for tag in tags)

    def replace_tags(self, film, item, wanted, created):
        through = Film.tags.through
        if not created:
            self.delete_rows(through.objects.filter(film_id=film.pk))
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
            self.delete_rows(film.festival_history.all())
        awards = []
        award_items = []
        for index, ((festival, year, section, premiere, entry_awards), entry_item) in enumerate(
            zip(wanted, item.children("festival_history"), strict=True)  # pragma: no mutate - one per entry
        ):
            entry = FestivalHistoryEntry(
                film=film, festival_id=festival, year=year, section=section, premiere=premiere, order=index
            )
            self.bulk_create(FestivalHistoryEntry, [entry], [entry_item])
            for order, ((name, recipient), award_item) in enumerate(
                zip(entry_awards, entry_item.children("awards"), strict=True)  # pragma: no mutate - one per award
            ):
                awards.append(FestivalHistoryAward(entry=entry, name=name, recipient_id=recipient, order=order))
                award_items.append(award_item)
        self.bulk_create(FestivalHistoryAward, awards, award_items)

    # ------------------------------------------------------------------ child rows as the preview shows them

    def describe_other_titles(self, row):
        title, language = row
        return f"{title} ({language})"

    def describe_credits(self, row):
        role, person, company = row
        text = f"{role}: {self.key_for('person', person)}"
        return f"{text} for {self.key_for('company', company)}" if company else text

    def describe_company_credits(self, row):
        role, company = row
        return f"{role}: {self.key_for('company', company)}"

    def describe_tags(self, row):
        return self.key_for("tag", row)

    def describe_festival_history(self, row):
        festival, year, section, premiere, awards = row
        parts = [f"{year} {self.key_for('festival', festival)}"]
        if section:
            parts.append(section)
        if premiere:
            parts.append(f"{premiere} premiere")
        for name, recipient in awards:
            parts.append(f"{name} ({self.key_for('person', recipient)})" if recipient else name)
        return ", ".join(parts)
