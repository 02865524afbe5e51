"""Read-only machine-readable exports, without a language prefix."""

from django.urls import path

from .views import api, schedule

urlpatterns = [
    path("<slug:edition>/programme.json", api.programme, name="api-programme"),
    path("<slug:edition>/schedule.xml", schedule.schedule_xml_view, name="api-schedule-xml"),
    path("<slug:edition>/schedule.json", schedule.schedule_json_view, name="api-schedule-json"),
]
