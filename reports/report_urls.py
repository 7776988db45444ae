"""Pages of decisions (measures), notices, the annual report, the municipalities' справки and the requisites."""

from django.urls import path

from reports import issuer_views, spravka_views
from reports import report_views as views

urlpatterns = [
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/new/", views.measure_create, name="measure-create"),
    path("measures/effect/", views.measure_effect, name="measure-effect"),
    path("measures/<int:pk>/done/", views.measure_done, name="measure-done"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/read/", views.notice_read_all, name="notice-read-all"),
    path("notices/<int:pk>/", views.notice_open, name="notice-open"),
    path("reports/annual/", views.report_list, name="report-list"),
    path("reports/annual/start/", views.report_start, name="report-start"),
    path("reports/annual/<int:pk>/", views.report_status, name="report-status"),
    path("reports/annual/<int:pk>/<str:kind>/", views.report_file, name="report-file"),
    # A municipality's справка: its list and start; its row and files are the report's doors above.
    path("reports/spravka/", spravka_views.spravka_list, name="spravka-list"),
    path("reports/spravka/start/", spravka_views.spravka_start, name="spravka-start"),
    path("requisites/", issuer_views.requisites_edit, name="requisites-edit"),
]
