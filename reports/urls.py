"""The reports app's pages: letters (reports.letter_views) and the annual report (reports.report_views),
the monitoring plan (reports.plan_views)."""

from django.urls import include, path

urlpatterns = [
    path("", include("reports.letter_urls")),
    path("", include("reports.report_urls")),
    path("", include("reports.plan_urls")),
]
