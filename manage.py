#!/usr/bin/env python3
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Load the settings first: Django's command runner would otherwise swallow a configuration
        # error (such as a missing SECRET_KEY) and fail later with an unrelated traceback.
        settings.INSTALLED_APPS  # noqa: B018 - touching the setting loads the settings module
    except ImproperlyConfigured as error:
        sys.exit(f"festival: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
