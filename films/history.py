"""Every change kept: which records django-reversion records, and what a change did, field by field.

A revision is one save by one person (an admin form with its inlines, a results page post, a catalogue
import, a deletion) with who, when and a comment. Each record's version holds all its fields, so two
consecutive versions give each field's old and new value (``field_changes``). Records follow their
dependent rows (a film its titles, credits, images, selections and screening films), so restoring or
recovering a record restores those rows with it.

The models are registered here, once, before the admin's classes are built (``films/admin/__init__.py``
imports this module first).
"""

from dataclasses import dataclass

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext
from modeltranslation.translator import NotRegistered, translator
from reversion.models import Version

from .models import (
    Award,
    AwardResult,
    Company,
    CompanyAlias,
    CompanyCredit,
    Credit,
    Edition,
    Festival,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    JuryMember,
    Person,
    PersonAlias,
    Screen,
    Screening,
    ScreeningFilm,
    Section,
    Selection,
    Tag,
    Venue,
)

# What each record brings with it when it is restored or recovered: the rows that depend on it.
FOLLOW = {
    Festival: (),
    Edition: (),
    Section: ("jury",),
    Venue: ("screens",),
    Screen: (),
    Tag: (),
    Film: ("other_titles", "credits", "company_credits", "images", "selections", "screening_films", "festival_history"),
    FilmTitle: (),
    FilmImage: (),
    Selection: (),
    FestivalHistoryEntry: ("awards",),
    FestivalHistoryAward: (),
    Person: ("aliases", "filmography"),
    PersonAlias: (),
    FilmographyEntry: (),
    Company: ("aliases",),
    CompanyAlias: (),
    Credit: (),
    CompanyCredit: (),
    Screening: ("screening_films",),
    ScreeningFilm: (),
    JuryMember: (),
    Award: ("results",),
    # A result changed on its own page also shows in its award's history (which the results page lists).
    AwardResult: ("award",),
}
# Derived columns, rebuilt on save: not worth a line in a history.
NOT_SHOWN = {"search_text", "version"}


def register():
    for model, follow in FOLLOW.items():
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)


register()


@dataclass(frozen=True)
class FieldChange:
    field: str  # The field's label, as the admin shows it ("title").
    language: str  # The language of a translated field ("uk"), or "".
    old: str
    new: str

    @property
    def clears(self):
        return bool(self.old) and not self.new


def field_labels(model):
    """``{column: (label, language)}`` for every concrete field, translated columns named by their field."""
    labels = {}
    try:
        options = translator.get_options_for_model(model)
        translated = {
            field.name: (original, field.language)
            for original, fields in options.all_fields.items()
            for field in fields
        }
    except NotRegistered:
        translated = {}
    originals = {original for original, _language in translated.values()}
    for field in model._meta.concrete_fields:
        if field.name in NOT_SHOWN or field.name in originals or field.primary_key:
            continue
        if field.name in translated:
            original, language = translated[field.name]
            labels[field.attname] = (str(model._meta.get_field(original).verbose_name), language)
        else:
            labels[field.attname] = (str(field.verbose_name), "")
    for field in model._meta.many_to_many:
        labels[field.name] = (str(field.verbose_name), "")
    return labels


def shown(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def field_changes(model, old, new):
    """Each field that differs between two field dicts (a version's ``field_dict``, or a record's values)."""
    changes = []
    for name, (label, language) in field_labels(model).items():
        before, after = shown((old or {}).get(name)), shown((new or {}).get(name))
        if before != after:
            changes.append(FieldChange(label, language, before, after))
    order = {code: index for index, (code, _name) in enumerate(settings.LANGUAGES)}
    return sorted(changes, key=lambda change: (change.field, order.get(change.language, -1)))


def record_values(obj):
    """A record's current values in the shape of a version's ``field_dict``."""
    values = {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(item.pk for item in getattr(obj, field.name).all()) if obj.pk else []
    return values


def versions_of(obj):
    """The record's versions, newest first, each with its revision and user."""
    return (
        Version.objects.get_for_object(obj)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def history(obj):
    """``[(version, [FieldChange, ...]), ...]``, newest first: what each saved version changed."""
    versions = list(versions_of(obj))
    rows = []
    for index, version in enumerate(versions):
        older = versions[index + 1].field_dict if index + 1 < len(versions) else None
        rows.append((version, field_changes(type(obj), older, version.field_dict)))
    return rows


def last_revision(obj):
    version = versions_of(obj).first()
    return version.revision if version is not None else None


def version_saved_at(obj, number):
    """The version of ``obj`` whose ``version`` field was ``number``, if history holds it."""
    for version in versions_of(obj):
        if version.field_dict.get("version") == number:
            return version
    return None


def record_deletion(objects, user, comment=None):
    """Keep what ``objects`` (and the rows that follow them) look like just before they are deleted, so the
    admin's "Recover deleted" lists them. Call inside the deleting transaction."""
    with reversion.create_revision(manage_manually=True):
        for obj in objects:
            reversion.add_to_revision(obj)
        reversion.set_user(user if user is not None and user.is_authenticated else None)
        reversion.set_comment(comment or gettext("Deleted."))


def record_saved(objects, user, comment):
    """A revision of ``objects`` as they now are (for writes that bypass model signals: bulk writes)."""
    with reversion.create_revision(manage_manually=True):
        for obj in objects:
            reversion.add_to_revision(obj)
        reversion.set_user(user if user is not None and user.is_authenticated else None)
        reversion.set_comment(comment)


def is_versioned(model):
    return (
        isinstance(model, type)
        and issubclass(model, models.Model)
        and "version" in {field.name for field in model._meta.concrete_fields}
    )


def follow_prefetches(model, prefix="", seen=()):
    """``Prefetch``es of everything ``model`` follows, however deep (each model once per path), each row with
    the records its foreign keys name, which a version's description (``str(row)``) mentions."""
    prefetches = []
    for name in FOLLOW.get(model, ()):
        related = model._meta.get_field(name).related_model
        if related in seen:
            continue
        keys = [field.name for field in related._meta.fields if field.many_to_one and field.related_model is not model]
        prefetches.append(Prefetch(prefix + name, queryset=related._base_manager.select_related(*keys)))
        prefetches += follow_prefetches(related, f"{prefix}{name}__", (*seen, model))
    return prefetches


# Records per revision when many are kept at once: django-reversion copies a revision's list of versions for each
# record it adds, so one revision of a whole festival (15,000 rows) would cost time growing with its square.
RECORDS_PER_REVISION = 100


def record_records(records_by_model, user, comment):
    """Revisions of many records with the rows they follow, read with one query per relation (a catalogue
    import writes thousands of rows in bulk, which sends no signal for django-reversion to see). Every revision
    has the same user and comment, so the history reads them as one import."""
    objects = []
    for model, records in records_by_model.items():
        records = list(records)
        models.prefetch_related_objects(records, *follow_prefetches(model))
        objects += records
    for start in range(0, len(objects), RECORDS_PER_REVISION):
        record_saved(objects[start : start + RECORDS_PER_REVISION], user, comment)
