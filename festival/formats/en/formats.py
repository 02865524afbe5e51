"""English as European festivals print it: the 24-hour clock and the day before the month ("13 Feb 2026, 14:00").

Django's own English formats (a.m./p.m., "Feb. 13, 2026") come back with ``FESTIVAL_TWELVE_HOUR_CLOCK=true``.
The other site languages keep Django's formats for their locale, which already use the 24-hour clock.
"""

from django.conf import settings
from django.conf.locale.en import formats as django_english

if settings.FESTIVAL_TWELVE_HOUR_CLOCK:
    DATE_FORMAT = django_english.DATE_FORMAT
    TIME_FORMAT = django_english.TIME_FORMAT
    DATETIME_FORMAT = django_english.DATETIME_FORMAT
    SHORT_DATE_FORMAT = django_english.SHORT_DATE_FORMAT
    SHORT_DATETIME_FORMAT = django_english.SHORT_DATETIME_FORMAT
    DATE_INPUT_FORMATS = django_english.DATE_INPUT_FORMATS
    DATETIME_INPUT_FORMATS = django_english.DATETIME_INPUT_FORMATS
    FIRST_DAY_OF_WEEK = django_english.FIRST_DAY_OF_WEEK
else:
    DATE_FORMAT = "j M Y"
    TIME_FORMAT = "H:i"
    DATETIME_FORMAT = "j M Y, H:i"
    SHORT_DATE_FORMAT = "d/m/Y"
    SHORT_DATETIME_FORMAT = "d/m/Y H:i"
    # ISO first (the admin's widgets write it); then day before month, never month before day.
    DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y"]
    DATETIME_INPUT_FORMATS = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%y %H:%M",
    ]
    FIRST_DAY_OF_WEEK = 1  # Monday

YEAR_MONTH_FORMAT = django_english.YEAR_MONTH_FORMAT
MONTH_DAY_FORMAT = "j F" if not settings.FESTIVAL_TWELVE_HOUR_CLOCK else django_english.MONTH_DAY_FORMAT
TIME_INPUT_FORMATS = django_english.TIME_INPUT_FORMATS
DECIMAL_SEPARATOR = django_english.DECIMAL_SEPARATOR
THOUSAND_SEPARATOR = django_english.THOUSAND_SEPARATOR
NUMBER_GROUPING = django_english.NUMBER_GROUPING
