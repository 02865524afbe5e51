"""Public pages, under a language prefix (/en/, /uk/, ...).

Fixed first segments (films/, people/, venues/, awards/, editions/, search/) come before
the ``<edition>/...`` patterns so that they win over an edition key.
"""

from django.urls import path

from .views import pages
from .views.programme_pdf import programme_pdf

urlpatterns = [
    path("", pages.home, name="home"),
    path("editions/", pages.editions, name="editions"),
    path("search/", pages.search, name="search"),
    path("films/<slug:film>/", pages.film, name="film"),
    path("people/<slug:person>/", pages.person, name="person"),
    path("venues/<slug:venue>/", pages.venue, name="venue"),
    path("awards/<slug:award>/", pages.award, name="award"),
    path("<slug:edition>/programme/", pages.programme, name="programme"),
    path("<slug:edition>/programme.pdf", programme_pdf, name="programme-pdf"),
    path("<slug:edition>/embed/programme/", pages.embed_programme, name="embed-programme"),
    path("<slug:edition>/sections/<slug:section>/", pages.section, name="section"),
    path("<slug:edition>/awards/", pages.awards, name="awards"),
    path("<slug:edition>/changes/", pages.changes, name="changes"),
    path("<slug:edition>/changes.atom", pages.ChangesFeed(), name="changes-feed"),
]
