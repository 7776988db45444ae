"""Pages of decisions (measures), notices, the annual report, the municipalities' справки and the requisites."""

from django.urls import path

from reports import issuer_views, presentation_views, spravka_views
from reports import report_views as views

urlpatterns = [
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/new/", views.measure_create, name="measure-create"),
    path("measures/effect/", views.measure_effect, name="measure-effect"),
    path("measures/<int:pk>/done/", views.measure_done, name="measure-done"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/read/", views.notice_read_all, name="notice-read-all"),
    path("notices/<int:pk>/", views.notice_open, name="notice-open"),
    path("reports/annual/", views.report_list, name="report-list"),
    path("reports/annual/start/", views.report_start, name="report-start"),
    path("reports/annual/<int:pk>/", views.report_status, name="report-status"),
    path("reports/annual/<int:pk>/<str:kind>/", views.report_file, name="report-file"),
    path("periods/<int:year>/presentations/", presentation_views.presentation_list, name="presentation-list"),
    path("periods/<int:year>/presentations/<int:pk>/", presentation_views.presentation_edit, name="presentation-edit"),
    path(
        "periods/<int:year>/presentations/<int:pk>/delete/",
        presentation_views.presentation_delete,
        name="presentation-delete",
    ),
    # A municipality's справка: its list and start; its row and files are the report's doors above.
    path("reports/spravka/", spravka_views.spravka_list, name="spravka-list"),
    path("reports/spravka/start/", spravka_views.spravka_start, name="spravka-start"),
    path("requisites/", issuer_views.requisites_edit, name="requisites-edit"),
]
