"""Where the database keeps the codes of each namespace the core's sheets refer to.

Each function answers (code, id) pairs for a period; they are the entries of the store
``code_namespaces`` in ``monitoring/config/extensions.py``.
"""

from __future__ import annotations

from monitoring import models as m


def municipality_codes(period):
    return m.Municipality.objects.values_list("code", "id")


def school_codes(period):
    return m.School.objects.values_list("code", "id")


def teacher_codes(period):
    return m.Teacher.objects.values_list("code", "id")


def roster_codes(period):
    """The teachers on the period's roster (a row about a teacher of another year is refused)."""
    return m.RosterEntry.objects.filter(period=period).values_list("teacher__code", "teacher_id")


def region_codes(period):
    return m.Region.objects.values_list("code", "id")


def support_project_codes(period):
    return m.SupportProject.objects.filter(period=period).values_list("code", "id")


def mentoring_program_codes(period):
    return m.MentoringProgram.objects.filter(period=period).values_list("code", "id")


def association_codes(period):
    return m.MethodicalAssociation.objects.filter(period=period).values_list("code", "id")
