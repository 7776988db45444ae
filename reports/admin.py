"""Admin of the reports app: letters and the library (admin_letters), measures and reports (admin_reports)."""

from reports import admin_letters, admin_reports  # noqa: F401
