from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from monitoring import token_views, views
from monitoring.intake import views as intake_views

admin.site.site_header = "Мониторинг профессионального развития педагогов"
admin.site.site_title = "Администрирование портала"
admin.site.index_title = "Данные мониторинга"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("municipalities/", views.municipality_list, name="municipality-list"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality-detail"),
    path("schools/", views.school_list, name="school-list"),
    path("schools/<str:code>/", views.school_detail, name="school-detail"),
    path("schools/<str:code>/staffing/template/", intake_views.staffing_template_download, name="staffing-template"),
    path("schools/<str:code>/staffing/upload/", intake_views.staffing_upload, name="staffing-upload"),
    path("schools/<str:code>/submission/review/", intake_views.submission_review, name="submission-review"),
    path("imports/", intake_views.import_list, name="import-list"),
    path("exports/", intake_views.export_start, name="export-start"),
    path("exports/<int:pk>/file/", intake_views.export_file, name="export-file"),
    path("imports/<int:pk>/", intake_views.import_detail, name="import-detail"),
    path("imports/<int:pk>/confirm/", intake_views.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/cancel/", intake_views.import_cancel, name="import-cancel"),
    path("imports/format/", intake_views.import_format, name="import-format"),
    path("imports/<int:pk>/file/", intake_views.import_file, name="import-file"),
    path("imports/<int:pk>/errors.xlsx", intake_views.import_error_report, name="import-error-report"),
    path("teachers/", views.teacher_list, name="teacher-list"),
    path("teachers/<str:code>/", views.teacher_detail, name="teacher-detail"),
    path("teachers/<str:code>/transfer/", views.teacher_transfer, name="teacher-transfer"),
    path("attestation/", views.attestation_list, name="attestation-list"),
    path("periods/", views.period_list, name="period-list"),
    path("periods/<int:year>/", views.period_detail, name="period-detail"),
    # The apps to the right own their pages; included by module path so that the
    # project package imports none of their code.
    path("diagnostics/", include("deficits.urls")),
    path("surveys/", include("deficits.questionnaire.urls")),
    path("", include("iom.urls")),
    path("", include("indicators.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include("monitoring.config.api_urls")),
    path("api-tokens/", token_views.token_list, name="api-token-list"),
    path("api-tokens/<str:key>/revoke/", token_views.token_revoke, name="api-token-revoke"),
    path("admin/", admin.site.urls),
]

# Errors under /api/ answer in the API's JSON format, elsewhere with Django's pages.
handler400 = "monitoring.shared.api.bad_request"
handler403 = "monitoring.shared.api.permission_denied"
handler404 = "monitoring.shared.api.not_found"
handler500 = "monitoring.shared.api.server_error"

# Uploaded files are never served from MEDIA_URL: every download goes through a view
# that applies monitoring.models.scoping first.
