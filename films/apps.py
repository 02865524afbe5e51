from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FilmsConfig(AppConfig):
    name = "films"
    verbose_name = _("Festival programme")

    def ready(self):
        from . import cache
        from .db import install_sqlite_triggers
        from .search import connect_signals

        post_migrate.connect(install_sqlite_triggers, sender=self)
        connect_signals()
        # Every save, delete or m2m change of a films model makes cached public pages stale.
        cache.connect_signals()
