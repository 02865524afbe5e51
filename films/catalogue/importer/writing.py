"""Writing an import: checking rows, bulk inserts, and the people, companies, tags and festivals."""

import hashlib
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname

from ...models import Company, CompanyAlias, Festival, FilmImage, FilmographyEntry, Person, PersonAlias, Screening, Tag
from ...search import refresh_film_search_text, refresh_person_search_text
from .values import (
    BULK_BATCH_SIZE,
    FORMAT_FIELD_NAMES,
    Item,
    apply_values,
    excluded_fields,
    languages,
    translated_values,
)


class WriteMixin:
    """Writing the checked records: each new or changed row is checked with ``full_clean`` first."""

    # ------------------------------------------------------------------ writing

    def clean_and_save(self, instance, item, label=None, key=None, changed=True, created=False, **clean):
        """Run the model's own rules, then save (when nothing has failed yet); report messages at the item's path."""
        if not self.check_row(instance, item, changed=changed or created, **clean):
            return False
        if (changed or created) and not self.errors:
            instance.save()
        if label:
            self.report.note("created" if created else "updated" if changed else "unchanged", label, key)
        return True

    def check_row(self, instance, item, changed=True, **clean):
        """The model's own rules (``full_clean``) for a row about to be written; report messages at the item's path.

        A row that is neither new nor changed is not written, so it is not checked either.
        """
        if not changed:
            return True
        # Keys were looked up in bulk (a key found is updated, so a key created is new), repeated keys and
        # children are stage-2 errors, every check constraint of these models has a clean() or schema rule
        # saying the same with a better message, and related records were just saved: so the per-row
        # queries of unique, constraint and foreign-key validation would only repeat what is known.
        # The database still enforces all of them.
        clean.setdefault("validate_unique", False)
        clean.setdefault("validate_constraints", False)
        # Country, language and time-zone codes were checked in stage 2 (films.codes); the fields' choices
        # would sort every country by its name again for each row.
        clean.setdefault("exclude", excluded_fields(type(instance)))
        if isinstance(instance, Screening):
            # Stage 2 checked every screening against the file and the database in one query; the model's
            # own check would ask again, one query per screening. The database constraint still holds.
            instance.check_clash = lambda: None
        try:
            instance.full_clean(**clean)
        except ValidationError as error:
            names = FORMAT_FIELD_NAMES.get(type(instance), {})
            for name, messages in error.message_dict.items():
                path = (
                    item.path()
                    if name == "__all__"
                    else item.path(
                        names.get(name, name.rsplit("_", 1)[0] if self.is_translation(instance, name) else name)
                    )
                )
                for message in messages:
                    self.error(path, message)
            return False
        return True

    def insert(self, model, rows):
        """Insert new rows (already checked) in one statement per batch; nothing once an error has been found."""
        if rows and not self.errors:
            model.objects.bulk_create(rows, batch_size=BULK_BATCH_SIZE)

    @staticmethod
    def is_translation(instance, name):
        from modeltranslation.translator import NotRegistered, translator

        try:
            options = translator.get_options_for_model(type(instance))
        except NotRegistered:
            return False
        return any(name.startswith(f"{base}_") for base in options.all_fields)

    def note(self, label, key, created, changed):
        self.report.note("created" if created else "updated" if changed else "unchanged", label, key)

    def write(self):
        self.pending = {}
        self.companies_written = self.write_companies()
        self.people_written = self.write_people()
        self.tags_written = self.write_tags()
        self.festivals_written = self.write_festivals()
        self.films_written = self.write_films()
        self.write_filmographies()
        for key, edition in self.editions.items():
            self.write_edition(key, edition)
        # Bulk writes bypass save(): bring the search column of what the file touched up to date.
        refresh_person_search_text([person.pk for person in self.people_written.values()])
        refresh_film_search_text([film.pk for film in self.films_written.values()])

    def write_aliases(self, record, item, names, alias_model, owner):
        """Queue the spellings ``record`` does not have yet as aliases; return whether there were any."""
        known = {record.name, *(alias.name for alias in record._aliases)}
        rows = []
        for name in names:
            if name not in known:
                known.add(name)
                rows.append(alias_model(name=name, **{owner: record}))
        where = item.child("aliases") if "aliases" in item.data else item
        self.bulk_create(alias_model, rows, [where] * len(rows))
        return bool(rows)

    def write_companies(self):
        written = {}
        existing_aliases = defaultdict(list)
        for alias in CompanyAlias.objects.filter(company__in=list(self.db_companies.values())):
            existing_aliases[alias.company_id].append(alias)
        new, aliases, notes = [], [], []
        for key, item in self.companies.items():
            existing = self.db_companies.get(key)
            matched = self.alias_targets.get(("company", key))
            if matched is not None:
                values = {}
                for name in ("city", "country"):
                    if item.get(name) and not getattr(matched, name):
                        values[name] = item[name]
                spellings = [item["name"], *(item.get("aliases") or [])]
            else:
                values = {
                    "key": key,
                    "name": item["name"],
                    "city": item.get("city", ""),
                    "country": item.get("country", ""),
                }
                spellings = item.get("aliases") or []
            created = existing is None
            instance = existing if existing is not None else Company()
            instance._aliases = existing_aliases.get(instance.pk, [])
            changed = bool(apply_values(instance, values)) or created
            if not self.write_record(instance, item, created, changed, new):
                continue
            aliases.append((instance, item, spellings))
            written[key] = instance
            notes.append((instance.key, created, changed))
        self.insert(Company, new)
        for (key, created, changed), (instance, item, spellings) in zip(notes, aliases, strict=True):
            alias_changed = self.write_aliases(instance, item, spellings, CompanyAlias, "company")
            self.note("company", key, created, changed or alias_changed)
        self.flush()
        return written

    def write_record(self, instance, item, created, changed, new):
        """Check a record; a new one is queued in ``new`` for one bulk insert, a changed one saved now."""
        if not self.check_row(instance, item, changed=changed):
            return False
        if created:
            new.append(instance)
        elif changed and not self.errors:
            instance.save()
        return True

    def write_people(self):
        written = {}
        existing_aliases = defaultdict(list)
        for alias in PersonAlias.objects.filter(person__in=list(self.db_people.values())):
            existing_aliases[alias.person_id].append(alias)
        new, aliases, notes = [], [], []
        for key, item in self.people.items():
            existing = self.db_people.get(key)
            matched = self.alias_targets.get(("person", key))
            born = item.get("born") or {}
            values = {
                "key": key,
                "name": item["name"],
                "born_year": born.get("year"),
                "born_place": born.get("place", ""),
                **translated_values("bio", item.get("bio")),
            }
            spellings = item.get("aliases") or []
            if matched is not None:
                # Another spelling of someone we know: fill their gaps, never overwrite them.
                values = {name: value for name, value in values.items() if value and not getattr(matched, name)}
                values.pop("key", None)
                values.pop("name", None)
                spellings = [item["name"], *spellings]
            created = existing is None
            instance = existing if existing is not None else Person()
            instance._aliases = existing_aliases.get(instance.pk, [])
            changed = bool(apply_values(instance, values)) or created
            photo = self.person_photos.get(key)
            if photo and "remote" in photo:
                # Recorded, not fetched: the file says the portrait is there (someone matched by an alias
                # keeps a portrait they have).
                self.report.images_not_fetched.append((item.path("photo"), photo["remote"]))
                if matched is None or not (instance.photo or instance.photo_source_url):
                    changed = (
                        bool(apply_values(instance, {"photo": "", "photo_source_url": photo["remote"]})) or changed
                    )
            elif photo and not self.same_stored_file(instance.photo, photo):
                self.attach_file(instance, "photo", photo)
                instance.photo_source_url = ""
                changed = True
            elif photo and instance.photo_source_url:
                instance.photo_source_url = ""
                changed = True
            if not self.write_record(instance, item, created, changed, new):
                continue
            aliases.append((instance, item, spellings))
            written[key] = instance
            notes.append((instance.key, created, changed))
        self.insert(Person, new)
        for (key, created, changed), (instance, item, spellings) in zip(notes, aliases, strict=True):
            alias_changed = self.write_aliases(instance, item, spellings, PersonAlias, "person")
            self.note("person", key, created, changed or alias_changed)
        self.flush()
        return written

    def write_tags(self):
        written = {}
        for key, tag in self.tags.items():
            existing = self.db_tags.get(key)
            instance = existing if existing is not None else Tag()
            changed = bool(apply_values(instance, {"key": key, **translated_values("name", tag["name"])}))
            if self.clean_and_save(instance, tag, "tag", key, changed=changed, created=existing is None):
                written[key] = instance
        return written

    def write_festivals(self):
        written = {}
        for edition in self.editions.values():
            item = edition.child("festival")
            key = item["key"]
            if key in written:
                continue
            existing = self.db_festivals.get(key)
            instance = existing if existing is not None else Festival()
            values = {
                "key": key,
                **translated_values("name", item["name"]),
                "short_name": item.get("short_name", ""),
                "city": item.get("city", ""),
                "country": item.get("country", ""),
            }
            changed = bool(apply_values(instance, values))
            if self.clean_and_save(instance, item, "festival", key, changed=changed, created=existing is None):
                written[key] = instance
        return written

    def history_festivals(self):
        """Festivals named in films' histories: found by name (any language) or slug key, else created."""
        names = {entry["festival"] for film in self.films.values() for entry in film.get("festival_history") or []}
        if not names:
            return {}
        condition = Q(key__in={self.festival_slug(name) for name in names})
        for code in languages():
            condition |= Q(**{f"{build_localized_fieldname('name', code)}__in": names})
        found = {}
        candidates = list(Festival.objects.filter(condition).order_by("pk"))
        for name in sorted(names):
            for festival in candidates:
                if name in {getattr(festival, build_localized_fieldname("name", code)) for code in languages()}:
                    found[name] = festival
                    break
            else:
                slug = self.festival_slug(name)
                match = next((festival for festival in candidates if festival.key == slug), None)
                if match is None:
                    match = Festival(key=slug, **{build_localized_fieldname("name", settings.LANGUAGE_CODE): name})
                    if self.clean_and_save(match, Item({}, ("festival_history",)), "festival", slug, created=True):
                        candidates.append(match)
                    else:
                        continue
                found[name] = match
        return found

    @staticmethod
    def festival_slug(name):
        slug = slugify(name)[:100].strip("-")
        return slug or "festival-" + hashlib.sha1(name.encode()).hexdigest()[:10]  # noqa: S324 (a name, not a secret)

    def person(self, key):
        return self.people_written.get(key) or self.db_people.get(key)

    def company(self, key):
        return self.companies_written.get(key) or self.db_companies.get(key)

    def film(self, key):
        return self.films_written.get(key) or self.db_films.get(key)

    def bulk_create(self, model, rows, items, **clean):
        """Check new rows now; queue them for ``flush()``, which inserts each model's rows together."""
        queue = self.pending.setdefault(model, [])
        for row, item in zip(rows, items, strict=True):
            if self.check_row(row, item, **clean):
                queue.append(row)

    def flush(self):
        """Insert the queued rows, model by model in the order first queued (parents before their children)."""
        pending, self.pending = self.pending, {}
        for model, rows in pending.items():
            if model is FilmImage:
                # One by one: saving a new image file derives its sizes, thumbnail and display rendition.
                for row in rows if not self.errors else []:
                    committed = not row.image or getattr(row.image, "_committed", True)
                    row.save()
                    if not committed:
                        self.stored_files.extend(
                            name for name in (row.image.name, row.thumbnail.name, row.display.name)
                        )
            else:
                self.insert(model, rows)

    def write_filmographies(self):
        people = {
            key: self.people_written[key]
            for key, item in self.people.items()
            if "filmography" in item.data and key in self.people_written
        }
        if not people:
            return
        old = defaultdict(list)
        for row in FilmographyEntry.objects.filter(person__in=list(people.values())).order_by(
            "person_id", "order", "year", "id"
        ):
            old[row.person_id].append((row.year, row.title, row.english_title, row.film_id))
        for key, person in people.items():
            item = self.people[key]
            wanted = [
                (
                    entry.get("year"),
                    entry["title"],
                    entry.get("english_title", ""),
                    self.film(entry["film"]).pk if "film" in entry else None,
                )
                for entry in item["filmography"]
            ]
            if wanted == old.get(person.pk, []):
                continue
            person.filmography.all().delete()
            rows = [
                FilmographyEntry(
                    person=person, year=year, title=title, english_title=english, film_id=film, order=index
                )
                for index, (year, title, english, film) in enumerate(wanted)
            ]
            self.bulk_create(FilmographyEntry, rows, item.children("filmography"))
            self.mark_updated("person", person.key)
        self.flush()

    def mark_updated(self, label, key):
        if key in self.report.unchanged.get(label, []):
            self.report.unchanged[label].remove(key)
            self.report.updated[label].append(key)
