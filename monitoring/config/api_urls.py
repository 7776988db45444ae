"""/api/v1/: every app's endpoints, the OpenAPI schema and its docs (served from local static files)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from monitoring import api

# The docs pages under the portal's Content-Security-Policy: Swagger UI's start script is served
# as a file of its own (the split view), so no inline script runs; both pages style themselves
# with a <style> block (ReDoc injects more at run time) and ReDoc parses the schema in a blob:
# worker. Only these two pages get that much more.
DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

router = SimpleRouter()
router.register("municipalities", api.MunicipalityViewSet, basename="api-municipality")
router.register("schools", api.SchoolViewSet, basename="api-school")
router.register("periods", api.PeriodViewSet, basename="api-period")
router.register("teachers", api.TeacherViewSet, basename="api-teacher")
router.register("staffing-rows", api.StaffingRowViewSet, basename="api-staffing-row")
router.register("import-jobs", api.ImportJobViewSet, basename="api-import-job")

urlpatterns = [
    *router.urls,
    # The apps to the right register their own endpoints; included by module path so
    # that the project package imports none of their code.
    path("", include("deficits.api")),
    path("", include("iom.api")),
    path("", include("indicators.api")),
    path("", include("reports.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", csp_update(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("redoc/", csp_update(DOCS_CSP)(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
]
