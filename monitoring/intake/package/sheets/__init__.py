"""The monitoring app's sheets of the data package (spec/data-package.md, "Sheets").

Loaded from ``MonitoringConfig.ready``: this module registers the code namespaces the
sheets refer to and then every sheet, in the order below (the registry's order for sheets
of one ``Sheet.order``, and so the import's and the exports').
"""

from __future__ import annotations

from monitoring import models as m
from monitoring.intake.package.context import register_namespace
from monitoring.intake.package.registry import register
from monitoring.intake.package.sheets.associations import (
    AssociationEventSheet,
    AssociationMemberSheet,
    AssociationSheet,
)
from monitoring.intake.package.sheets.digital import DigitalSheet
from monitoring.intake.package.sheets.directions import (
    ActivistSheet,
    CompetitionSheet,
    ExpertSheet,
    MentoringPairSheet,
    MentoringProgramSheet,
    ProjectParticipantSheet,
    ProjectSheet,
)
from monitoring.intake.package.sheets.org import MunicipalitySheet, RegionSheet, SchoolSheet
from monitoring.intake.package.sheets.people import StaffingSheet, TeacherSheet

__all__ = [
    "ActivistSheet",
    "AssociationEventSheet",
    "AssociationMemberSheet",
    "AssociationSheet",
    "CompetitionSheet",
    "DigitalSheet",
    "ExpertSheet",
    "MentoringPairSheet",
    "MentoringProgramSheet",
    "MunicipalitySheet",
    "ProjectParticipantSheet",
    "ProjectSheet",
    "RegionSheet",
    "SchoolSheet",
    "StaffingSheet",
    "TeacherSheet",
]

# --- namespaces of codes in the database ----------------------------------------

register_namespace("municipality", lambda period: m.Municipality.objects.values_list("code", "id"))
register_namespace("school", lambda period: m.School.objects.values_list("code", "id"))
register_namespace("teacher", lambda period: m.Teacher.objects.values_list("code", "id"))
register_namespace(
    "roster", lambda period: m.RosterEntry.objects.filter(period=period).values_list("teacher__code", "teacher_id")
)
register_namespace("region", lambda period: m.Region.objects.values_list("code", "id"))
register_namespace(
    "support_project", lambda period: m.SupportProject.objects.filter(period=period).values_list("code", "id")
)
register_namespace(
    "mentoring_program", lambda period: m.MentoringProgram.objects.filter(period=period).values_list("code", "id")
)
register_namespace(
    "association", lambda period: m.MethodicalAssociation.objects.filter(period=period).values_list("code", "id")
)

# --- sheets, in registration order ------------------------------------------------

for _sheet in (
    RegionSheet(),
    MunicipalitySheet(),
    SchoolSheet(),
    TeacherSheet(),
    StaffingSheet(),
    ExpertSheet(),
    ActivistSheet(),
    ProjectSheet(),
    ProjectParticipantSheet(),
    MentoringProgramSheet(),
    MentoringPairSheet(),
    CompetitionSheet(),
    AssociationSheet(),
    AssociationMemberSheet(),
    AssociationEventSheet(),
    DigitalSheet(),
):
    register(_sheet)
