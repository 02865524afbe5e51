"""Writing an import: checking rows, the three ways rows are written, and the people, companies, tags and festivals.

Every write of an import goes through ``save_row`` (an existing record changed, or a row saved one by one),
``insert`` (new rows in bulk) or ``delete_rows`` (a child list the file replaces): the place for hooks such as
an edit history.
"""

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
    apply_values,
    excluded_fields,
    given,
    given_translations,
    languages,
)


def refers_to_unsaved(instance):
    """Whether ``instance`` points to a row that is not saved (a foreign key given an object without a key)."""
    return any(
        field.many_to_one
        and field.is_cached(instance)
        and field.get_cached_value(instance) is not None
        and getattr(instance, field.attname) is None
        for field in instance._meta.concrete_fields
    )


class WriteMixin:
    """Writing the checked records: each new or changed row is checked with ``full_clean`` first."""

    # ------------------------------------------------------------------ writing

    def clean_and_save(self, instance, item, label=None, key=None, changed=True, created=False, **clean):
        """Run the model's own rules, then save (when nothing has failed yet); report messages at the item's path."""
        if not self.check_row(instance, item, changed=changed or created, **clean):
            return False
        if (changed or created) and not self.errors:
            self.save_row(instance)
        if label:
            self.report.note("created" if created else "updated" if changed else "unchanged", label, key)
        return True

    def check_row(self, instance, item, changed=True, names=None, **clean):
        """The model's own rules (``full_clean``) for a row about to be written; report messages at the item's path.

        A row that is neither new nor changed is not written, so it is not checked either.
        """
        if not changed:
            return True
        if self.errors and refers_to_unsaved(instance):
            # Once an error is found nothing more is written, so this row's parent (a screen, a section) was not
            # saved: its rules would report that as an error of its own (a screening "without" a screen).
            return False
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
            names = names or FORMAT_FIELD_NAMES.get(type(instance), {})
            reported = set()
            for name, messages in error.message_dict.items():
                field = name.rsplit("_", 1)[0] if self.is_translation(instance, name) else name
                path = item.path() if name == "__all__" else item.path(names.get(field, field))
                # A translated field's own column and its default language's say the same at one path: once.
                for message in messages:
                    if (path, message) not in reported:
                        reported.add((path, message))
                        self.error(path, message)
            return False
        return True

    # ------------------------------------------------------------------ the three ways rows are written

    def save_row(self, instance):
        """Save one row: an existing record the file changes, or a row that must be saved alone (film images)."""
        instance.save()

    def insert(self, model, rows):
        """Insert new rows (already checked) in one statement per batch; nothing once an error has been found."""
        if rows and not self.errors:
            model.objects.bulk_create(rows, batch_size=BULK_BATCH_SIZE)

    def delete_rows(self, queryset):
        """Delete the stored rows of a child list that the file replaces (it gives the list, and it differs)."""
        if not self.errors:
            queryset.delete()

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

    def key_for(self, label, pk):
        """The key of a person, company, film, tag or festival by primary key, from the records the import holds
        (and the keys its look-ups of stored child rows joined in): for the preview's readable lists."""
        if pk is None:
            return None
        keys = self.keys_by_pk.setdefault(label, {})  # pragma: no mutate - the stored rows were read first
        if pk not in keys:
            sources = {
                "person": (getattr(self, "people_written", {}), self.db_people),
                "company": (getattr(self, "companies_written", {}), self.db_companies),
                "film": (getattr(self, "films_written", {}), self.db_films),
                "tag": (getattr(self, "tags_written", {}), self.db_tags),
                "festival": (getattr(self, "festivals_written", {}), self.db_festivals),
            }[label]
            for records in sources:
                keys.update((record.pk, record.key) for record in records.values())
        return keys.get(pk, f"#{pk}")

    def write(self):
        self.pending = {}
        self.keys_by_pk = {}
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

    def write_aliases(self, record, item, names, alias_model, owner, created):
        """Queue the spellings ``record`` does not have yet as aliases (aliases are only ever added); return
        whether there were any."""
        known = {record.name, *(alias.name for alias in record._aliases)}
        rows = []
        for name in names:
            if name not in known:
                known.add(name)
                rows.append(alias_model(name=name, **{owner: record}))
        where = item.child("aliases") if "aliases" in item.data else item
        self.bulk_create(alias_model, rows, [where] * len(rows))
        if rows:
            old = [alias.name for alias in record._aliases]
            self.record_list_change(owner, record.key, "aliases", old, old + [row.name for row in rows], created)
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
                # What the file leaves out is kept.
                values = {
                    "key": key,
                    "name": item["name"],
                    **given(item.data, (("city", "city"), ("country", "country"))),
                }
                spellings = item.get("aliases") or []
            created = existing is None
            instance = existing if existing is not None else Company()
            instance._aliases = existing_aliases.get(instance.pk, [])
            changes = apply_values(instance, values)
            changed = self.record_changes("company", instance.key, instance, changes, created) or created
            if not self.write_record(instance, item, created, changed, new):
                # Refused (the error is at its path): it still stands for itself in the rows that name it, which
                # are checked but, as nothing more is written, not saved.
                written[key] = instance
                continue
            aliases.append((instance, item, spellings))
            written[key] = instance
            notes.append((instance.key, created, changed))
        self.insert(Company, new)
        for (key, created, changed), (instance, item, spellings) in zip(
            notes,
            aliases,
            strict=True,  # pragma: no mutate - the two lists grow together
        ):
            alias_changed = self.write_aliases(instance, item, spellings, CompanyAlias, "company", created)
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
            self.save_row(instance)
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
            # What the file leaves out is kept; the biography merges language by language.
            values = {
                "key": key,
                "name": item["name"],
                **given(item.get("born") or {}, (("year", "born_year"), ("place", "born_place"))),
                **given_translations("bio", item.get("bio")),
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
            changes = apply_values(instance, values)
            photo = self.person_photos.get(key)
            old_photo = instance.photo.name or instance.photo_source_url
            if photo and "remote" in photo:
                # Recorded, not fetched: the file says the portrait is there (someone matched by an alias
                # keeps a portrait they have).
                self.report.images_not_fetched.append((item.path("photo"), photo["remote"]))
                keeps_own = matched is not None and (instance.photo or instance.photo_source_url)
                if not keeps_own and apply_values(instance, {"photo": "", "photo_source_url": photo["remote"]}):
                    changes.append(("photo_source_url", old_photo, photo["remote"]))
            elif photo and not self.same_stored_file(instance.photo, photo):
                self.attach_file(instance, "photo", photo)
                instance.photo_source_url = ""
                # The file's name, not the stored one: storage may add a suffix, and the preview must match.
                changes.append(("photo_source_url", old_photo, photo.get("stored") or photo["name"]))
            elif photo and instance.photo_source_url:
                changes.append(("photo_source_url", old_photo, instance.photo.name))
                instance.photo_source_url = ""
            changed = self.record_changes("person", instance.key, instance, changes, created) or created
            if not self.write_record(instance, item, created, changed, new):
                # Refused (the error is at its path): it still stands for itself in the rows that name it, which
                # are checked but, as nothing more is written, not saved.
                written[key] = instance
                continue
            aliases.append((instance, item, spellings))
            written[key] = instance
            notes.append((instance.key, created, changed))
        self.insert(Person, new)
        for (key, created, changed), (instance, item, spellings) in zip(
            notes,
            aliases,
            strict=True,  # pragma: no mutate - the two lists grow together
        ):
            alias_changed = self.write_aliases(instance, item, spellings, PersonAlias, "person", created)
            self.note("person", key, created, changed or alias_changed)
        self.flush()
        return written

    def write_tags(self):
        written = {}
        for key, tag in self.tags.items():
            existing = self.db_tags.get(key)
            instance = existing if existing is not None else Tag()
            changes = apply_values(instance, {"key": key, **given_translations("name", tag["name"])})
            changed = self.record_changes("tag", key, instance, changes, existing is None)
            self.clean_and_save(instance, tag, "tag", key, changed=changed, created=existing is None)
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
                **given_translations("name", item["name"]),
                **given(item.data, (("short_name", "short_name"), ("city", "city"), ("country", "country"))),
            }
            changed = self.record_changes("festival", key, instance, apply_values(instance, values), existing is None)
            if self.clean_and_save(instance, item, "festival", key, changed=changed, created=existing is None):
                written[key] = instance
        return written

    def history_festivals(self):
        """Festivals named in films' histories: found by name (any language) or slug key, else created."""
        # Each name with the first entry that gives it, where an error about the festival it makes is shown.
        names = {}
        for film in self.films.values():
            for entry in film.children("festival_history"):
                names.setdefault(entry["festival"], entry)
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
                    if self.clean_and_save(
                        match, names[name], "festival", slug, created=True, names={"name": "festival"}
                    ):
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
        for row, item in zip(rows, items, strict=True):  # pragma: no mutate - one item per row, by every caller
            if self.check_row(row, item, **clean):
                queue.append(row)

    def flush(self):
        """Insert the queued rows, model by model in the order first queued (parents before their children)."""
        pending, self.pending = self.pending, {}
        for model, rows in pending.items():
            if model is FilmImage:
                # One by one: saving a new image file derives its size and renditions (WebP and JPEG at each
                # width), and so does saving an image already stored. If the import fails, the files it stored go:
                # a new image's and its renditions, a stored image's new renditions (not the stored file).
                for row in rows if not self.errors else []:
                    committed = not row.image or getattr(row.image, "_committed", True)
                    self.save_row(row)
                    if not committed:
                        self.stored_files.extend(row.stored_names())
                    elif row.image:
                        self.stored_files.extend(name for name in row.stored_names() if name != row.image.name)
            else:
                self.insert(model, rows)

    def write_filmographies(self):
        people = {
            key: self.people_written[key]
            for key, item in self.people.items()
            # Not a person refused, or not saved once an error was found: nothing more is written.
            if "filmography" in item.data and key in self.people_written and self.people_written[key].pk is not None
        }
        if not people:
            return
        old = defaultdict(list)
        film_keys = self.keys_by_pk.setdefault("film", {})
        for person_id, year, title, english_title, film_id, film_key in (
            FilmographyEntry.objects.filter(person__in=list(people.values()))
            .order_by("person_id", "order", "year", "id")
            .values_list("person_id", "year", "title", "english_title", "film_id", "film__key")
        ):
            old[person_id].append((year, title, english_title, film_id))
            film_keys[film_id] = film_key
        created = set(self.report.created.get("person", []))
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
            is_new = person.key in created
            self.record_list_change(
                "person",
                person.key,
                "filmography",
                [self.describe_filmography(entry) for entry in old.get(person.pk, [])],
                [self.describe_filmography(entry) for entry in wanted],
                is_new,
            )
            if not is_new:
                self.delete_rows(person.filmography.all())
            rows = [
                FilmographyEntry(
                    person=person, year=year, title=title, english_title=english, film_id=film, order=index
                )
                for index, (year, title, english, film) in enumerate(wanted)
            ]
            self.bulk_create(FilmographyEntry, rows, item.children("filmography"))
            self.mark_updated("person", person.key)
        self.flush()

    def describe_filmography(self, entry):
        year, title, english_title, film = entry
        text = f"{year} {title}" if year else title
        if english_title:
            text += f" ({english_title})"
        if film:
            text += f" = {self.key_for('film', film)}"
        return text

    def mark_updated(self, label, key):
        if key in self.report.unchanged.get(label, []):
            self.report.unchanged[label].remove(key)
            self.report.updated[label].append(key)
