"""Optimistic concurrency: a version number that every save of a record raises.

A person's form carries the version it was opened at; saving checks it inside the UPDATE
(``films.conflicts``), so a second, conflicting save is refused instead of silently overwriting the first.
Versions come from the clock in microseconds and never go down, even when an earlier version of the
record is restored from its history.
"""

import datetime
import time

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


def next_version(current=0):
    """A version greater than ``current`` (from the clock where it is ahead, so versions never repeat)."""
    return max(int(current or 0) + 1, time.time_ns() // 1000)


def bumped():
    """For ``QuerySet.update(version=bumped(), ...)``: raises every row's version, from the clock as ``save`` does.

    The clock's value is typed as a big integer: left to Django, a plain ``int`` is an ``integer`` on PostgreSQL,
    which keeps only its low 32 bits.
    """
    return Greatest(F("version") + 1, Value(next_version(), output_field=models.PositiveBigIntegerField()))


def saved_at(version):
    """When a record was last saved, read from its version (the clock, in microseconds), or None for a record
    never saved through the model (a bulk insert leaves version 0)."""
    if version < FIRST_CLOCK_VERSION:
        return None
    return datetime.datetime.fromtimestamp(version / 1_000_000, tz=datetime.UTC)


# Versions below this (2020-01-01 in microseconds) were counted, not read from the clock.
FIRST_CLOCK_VERSION = 1_577_836_800_000_000


class Versioned(models.Model):
    version = models.PositiveBigIntegerField(
        _("version"),
        default=0,
        editable=False,
        help_text=_("Raised by every save; a form opened at an older version cannot overwrite a newer save."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.version = next_version(self.version)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


@receiver(pre_save)
def raise_restored_versions(sender, instance, raw, **kwargs):
    """A raw save (an earlier version restored from history, a fixture) writes the fields as they were; its
    version still goes up, to one past the stored one, so forms opened before the restore are refused."""
    if raw and isinstance(instance, Versioned) and instance.pk is not None:
        stored = sender._base_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        instance.version = (stored or 0) + 1
