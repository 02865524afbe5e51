"""Every change kept: which records django-reversion records, and what a change did, field by field.

A revision is one save by one person (an admin form with its inlines, a results page post, a catalogue
import, a deletion) with who, when and a comment. Each record's version holds all its fields, so two
consecutive versions give each field's old and new value (``field_changes``). Records follow their
dependent rows (a film its titles, credits, images, selections and screening films), so restoring or
recovering a record restores those rows with it.

The models are registered here, once, before the admin's classes are built (``films/admin/__init__.py``
imports this module first).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from modeltranslation.translator import NotRegistered, translator
from reversion.models import Revision, Version

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
    FilmCopy,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    JuryMember,
    Person,
    PersonAlias,
    Screen,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Section,
    Selection,
    Tag,
    TravelTime,
    Venue,
)

# What each record brings with it when it is restored or recovered: the rows that depend on it.
FOLLOW = {
    Festival: (),
    Edition: (),
    Section: ("jury",),
    Venue: ("screens", "travel_times"),
    TravelTime: (),
    Screen: (),
    Tag: (),
    Film: (
        "other_titles",
        "credits",
        "company_credits",
        "images",
        "copies",
        "selections",
        "screening_films",
        "festival_history",
    ),
    FilmCopy: (),
    FilmTitle: (),
    FilmImage: (),
    Selection: (),
    FestivalHistoryEntry: ("awards",),
    FestivalHistoryAward: (),
    Person: ("aliases", "filmography", "appearances"),
    PersonAlias: (),
    FilmographyEntry: (),
    Company: ("aliases",),
    CompanyAlias: (),
    Credit: (),
    CompanyCredit: (),
    Screening: ("screening_films", "guests"),
    ScreeningFilm: (),
    ScreeningGuest: (),
    JuryMember: (),
    Award: ("results",),
    # A result changed on its own page also shows in its award's history (which the results page lists).
    AwardResult: ("award",),
}
# Derived columns, rebuilt on save: not worth a line in a history.
NOT_SHOWN = {"search_text", "version"}


def registered_fields(model):
    """Every field a version keeps (django-reversion's default: the model's own fields and many-to-manys)."""
    opts = model._meta.concrete_model._meta
    return [field.name for field in opts.local_fields + opts.local_many_to_many]


def register():
    for model, follow in FOLLOW.items():
        if not reversion.is_registered(model):
            reversion.register(model, fields=registered_fields(model), follow=follow)


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
    for field in versioned_many_to_many(model):
        labels[field.name] = (str(field.verbose_name), "")
    return labels


def versioned_many_to_many(model):
    """The many-to-many fields a version holds: Django's serializer leaves out those with a through model of their
    own (a screening's films, kept as their own ``ScreeningFilm`` records)."""
    return [field for field in model._meta.many_to_many if field.remote_field.through._meta.auto_created]


def zone_of(obj):
    """The time zone a person reads ``obj``'s moments in: its edition's (an edition's own), else the current."""
    edition = obj if hasattr(obj, "timezone") and hasattr(obj, "tzinfo") else getattr(obj, "edition", None)
    return edition.tzinfo if edition is not None else timezone.get_current_timezone()


def shown(value, tz=None):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        tz = tz or timezone.get_current_timezone()
        return f"{timezone.localtime(value, tz):%Y-%m-%d %H:%M} ({tz})"
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def field_changes(model, old, new, tz=None):
    """Each field that differs between two field dicts (a version's ``field_dict``, or a record's values), its
    moments shown in ``tz`` (see ``zone_of``)."""
    changes = []
    for name, (label, language) in field_labels(model).items():
        before, after = shown((old or {}).get(name), tz), shown((new or {}).get(name), tz)
        if before != after:
            changes.append(FieldChange(label, language, before, after))
    order = {code: index for index, (code, _name) in enumerate(settings.LANGUAGES)}
    return sorted(changes, key=lambda change: (change.field, order.get(change.language, -1)))


def record_values(obj):
    """A record's current values in the shape of a version's ``field_dict``."""
    values = {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}
    for field in versioned_many_to_many(type(obj)):
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
        rows.append((version, field_changes(type(obj), older, version.field_dict, zone_of(obj))))
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
    keep(objects, user, comment or gettext("Deleted."))


def record_saved(objects, user, comment):
    """Revisions of ``objects`` as they now are (for writes that bypass model signals: bulk writes)."""
    keep(objects, user, comment)


def kept_as(name):
    """Where ``follow_prefetches`` puts the rows of relation ``name`` (a plain list: read without a query)."""
    return f"history_{name}"


def follow_prefetches(model, prefix="", seen=()):
    """``Prefetch``es of everything ``model`` follows, however deep (each model once per path), each into a
    list that ``followed`` reads, each row with its many-to-manys, which its version keeps."""
    prefetches = [prefix + field.name for field in versioned_many_to_many(model)]
    for name in FOLLOW.get(model, ()):
        field = model._meta.get_field(name)
        related = field.related_model
        if related in seen:
            continue
        if field.many_to_one:  # A foreign key (a result's award): one record, read through its field.
            prefetches.append(prefix + name)
            prefetches += follow_prefetches(related, f"{prefix}{name}__", (*seen, model))
            continue
        prefetches.append(Prefetch(prefix + name, queryset=related._base_manager.all(), to_attr=kept_as(name)))
        prefetches += follow_prefetches(related, f"{prefix}{kept_as(name)}__", (*seen, model))
    return prefetches


def record_records(records_by_model, user, comment):
    """Revisions of many records, each with the rows it follows, read with one query per relation (a catalogue
    import writes thousands of rows in bulk, which sends no signal for django-reversion to see)."""
    objects = []
    for model, records in records_by_model.items():
        records = list(records)
        models.prefetch_related_objects(records, *follow_prefetches(model))
        objects += records
    keep(objects, user, comment)


# The records each row's description (``str(row)``, a version's ``object_repr``) names (see ``describe_with``).
DESCRIBED_WITH = {
    Screening: ("edition", "screen"),
    ScreeningGuest: ("person", "screening"),
    Credit: ("person", "company"),
    CompanyCredit: ("company",),
    Selection: ("film", "section"),
    ScreeningFilm: ("film",),
    FestivalHistoryEntry: ("festival",),
    AwardResult: ("award", "film"),
    JuryMember: ("person",),
}


def describe_with(rows_by_model):
    """Give every row the records its description names (``DESCRIBED_WITH``): those among the rows themselves
    (an import keeps the people its credits name), the others read in one query per model."""
    for model, rows in list(rows_by_model.items()):
        for name in DESCRIBED_WITH.get(model, ()):
            field = model._meta.get_field(name)
            known = rows_by_model.setdefault(field.related_model, {})
            wanted = {getattr(row, field.attname) for row in rows.values()} - {None}
            missing = wanted - known.keys()
            if missing:
                known.update(field.related_model._base_manager.in_bulk(missing))
            for row in rows.values():
                value = getattr(row, field.attname)
                if value is not None:
                    setattr(row, name, known[value])


def followed(obj):
    """``obj`` and every row it follows, however deep, each once (as django-reversion follows them)."""
    found = {}

    def visit(row):
        if (type(row), row.pk) in found or row.pk is None:
            return
        found[type(row), row.pk] = row
        for name in FOLLOW.get(type(row), ()):
            try:
                related = getattr(row, kept_as(name)) if hasattr(row, kept_as(name)) else getattr(row, name)
            except models.ObjectDoesNotExist:
                continue
            if isinstance(related, models.Manager):
                related = related.all()
            for item in related if isinstance(related, list | models.QuerySet) else [related]:
                visit(item)

    visit(obj)
    return list(found.values())


def keep(records, user, comment):
    """One revision per record (with the rows it follows), all with the same user, time and comment: restoring
    a version reverts its whole revision, so a revision must hold one record and its own rows, never its
    neighbours in a bulk write.

    The revisions and versions are django-reversion's own rows, written as its ``create_revision`` writes them
    (every registered field, serialized as JSON) but in bulk, and each record serialized once however many
    revisions hold it: a catalogue import keeps thousands of records."""
    records = [record for record in records if record.pk is not None]
    if not records:
        return
    user = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, user=user, comment=comment) for _record in records]
    )
    members = [followed(record) for record in records]
    by_model = defaultdict(dict)
    for rows in members:
        for row in rows:
            by_model[type(row)][row.pk] = row
    described = {model: dict(rows) for model, rows in by_model.items()}
    describe_with(described)
    encoder = DjangoJSONEncoder(ensure_ascii=False)  # As Django's "json" serializer writes it.
    serialized = {}
    for model, rows in by_model.items():
        data = serializers.serialize("python", rows.values(), fields=registered_fields(model))
        where = (ContentType.objects.get_for_model(model).pk, router.db_for_write(model))
        for row, item in zip(rows.values(), data, strict=True):
            serialized[model, row.pk] = (*where, encoder.encode([item]), str(row))
    versions = []
    for revision, rows in zip(revisions, members, strict=True):
        for row in rows:
            content_type, db, data, description = serialized[type(row), row.pk]
            versions.append(
                Version(
                    revision_id=revision.pk,
                    object_id=str(row.pk),
                    content_type_id=content_type,
                    db=db,
                    format="json",
                    serialized_data=data,
                    object_repr=description,
                )
            )
    Version.objects.bulk_create(versions, batch_size=1000)
