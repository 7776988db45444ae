"""Template context every page needs: the current period and the user's role flags."""

from monitoring.models import MonitoringPeriod, Role


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_period": MonitoringPeriod.objects.current(),
        "Role": Role,
        "is_region_wide": user.is_superuser or user.role in (Role.ANALYST, Role.MINISTRY),
    }
