"""Calendar exports and the personal programme, under a language prefix.

Included before films.urls, so ``my-programme/`` wins over an edition key.
"""

from django.urls import path

from .views import calendar

urlpatterns = [
    path("my-programme/", calendar.personal_programme, name="personal-programme"),
    path("<slug:edition>/my-programme.ics", calendar.personal_programme_ics, name="personal-programme-ics"),
    path(
        "<slug:edition>/my-programme/<str:token>.ics",
        calendar.personal_subscription,
        name="personal-programme-subscription",
    ),
    path("<slug:edition>/programme.ics", calendar.programme_ics, name="programme-ics"),
    path("<slug:edition>/screenings/<slug:screening>.ics", calendar.screening_ics, name="screening-ics"),
]
