"""Template context every page needs: the current period, the user's role flags, the menu's current section."""

from monitoring.models import MonitoringPeriod, Role
from monitoring.models.scoping import can_write_region, is_region_wide

# The menu section a page belongs to, by the first part of its path (base.html marks it current).
SECTIONS = {
    "municipalities": "data", "schools": "data", "teachers": "data", "periods": "data", "imports": "data",
    "exports": "data", "api-tokens": "data",
    "indicators": "indicators",
    "diagnostics": "diagnostics",
    "routes": "routes",
    "programs": "programs",
    "letters": "letters", "measures": "letters", "reports": "letters",
    "notices": "notices",
}  # fmt: skip


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_period": MonitoringPeriod.objects.current(),
        "Role": Role,
        "is_region_wide": is_region_wide(user),
        # The institute's staff write through the admin; the others read the same rows on the pages.
        "can_write_region": can_write_region(user),
        "nav_section": SECTIONS.get(request.path.strip("/").split("/")[0], ""),
    }
