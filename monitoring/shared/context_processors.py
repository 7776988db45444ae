"""Template context every page needs: the current period and the user's role flags."""

from monitoring.models import MonitoringPeriod, Role
from monitoring.models.scoping import is_region_wide


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_period": MonitoringPeriod.objects.current(),
        "Role": Role,
        "is_region_wide": is_region_wide(user),
    }
