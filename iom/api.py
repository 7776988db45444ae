"""API endpoints of the iom app (see monitoring/api_base.py for the shared plumbing)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
