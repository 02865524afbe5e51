"""Read-only machine-readable exports, without a language prefix."""

from django.urls import path

from .views import api

urlpatterns = [
    path("<slug:edition>/programme.json", api.programme, name="api-programme"),
]
