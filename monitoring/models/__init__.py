"""The monitored world: region, municipalities, schools, teachers and their yearly data.

Every invariant that `shared/spec/data-package.md` states about one row is a named
database constraint with a Russian message, so that no door (import, admin, API, shell)
can store a row the spec forbids.

The models live in modules by area; this package only re-exports them, so that
``from monitoring.models import School`` keeps working and the existing migrations
still find what they name here.
"""

from __future__ import annotations

# isort: off
# The modules are imported in the order the models were declared in one file before the
# split, so the app registry lists them in the same order (dumpdata, flush, the test
# database's serialisation and anything else iterating over the app's models see no change).
from monitoring.models.base import NATURAL, Direction, Role
from monitoring.models.history import UserHistory
from monitoring.models.scoping import ScopedManager, ScopedQuerySet, ScopePaths
from monitoring.models.org import Municipality, Region, School, SchoolKind
from monitoring.models.periods import (
    MonitoringPeriod,
    MonitoringPeriodQuerySet,
    MonitoringPlanItem,
    PeriodStatus,
    PlanItemState,
    PlanObligation,
)
from monitoring.models.people import (
    Category,
    EducationLevel,
    RosterEntry,
    RosterEntryQuerySet,
    Sex,
    Teacher,
    User,
    age_on,
    snils_control,
    snils_is_valid,
    validate_text_list,
    years_before,
)
from monitoring.models.staffing import StaffingRow
from monitoring.models.directions import (
    ASSOCIATION_CRITERIA,
    ActivistRole,
    AssociationEvent,
    AssociationLevel,
    AssociationMember,
    CompetitionEntry,
    CompetitionLevel,
    CompetitionResult,
    ExpertKind,
    ExpertRole,
    MentoringPair,
    MentoringProgram,
    MethodicalActivist,
    MethodicalAssociation,
    SupportProject,
    SupportProjectParticipant,
)
from monitoring.models.digital import DigitalEnvironmentScore
from monitoring.models.submissions import SchoolSubmission, SubmissionEvent, SubmissionStatus
from monitoring.models.jobs import ExportJob, ExportStatus, ImportJob, ImportKind, ImportStatus, RandomName
from monitoring.models.tokens import ApiToken
from monitoring.models.support import (
    Attestation,
    AttestationCategory,
    AttestationResult,
    CuratorAssignment,
)

# Migrations 0002 and 0010 name these upload_to callables by this path.
from monitoring.models.jobs import _import_report_to as _import_report_to
from monitoring.models.jobs import _import_upload_to as _import_upload_to
# isort: on

__all__ = [
    "ASSOCIATION_CRITERIA",
    "NATURAL",
    "ActivistRole",
    "ApiToken",
    "AssociationEvent",
    "AssociationLevel",
    "AssociationMember",
    "Attestation",
    "AttestationCategory",
    "AttestationResult",
    "Category",
    "CompetitionEntry",
    "CompetitionLevel",
    "CompetitionResult",
    "CuratorAssignment",
    "DigitalEnvironmentScore",
    "Direction",
    "EducationLevel",
    "ExpertKind",
    "ExpertRole",
    "ExportJob",
    "ExportStatus",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "MentoringPair",
    "MentoringProgram",
    "MethodicalActivist",
    "MethodicalAssociation",
    "MonitoringPeriod",
    "MonitoringPeriodQuerySet",
    "MonitoringPlanItem",
    "Municipality",
    "PeriodStatus",
    "PlanItemState",
    "PlanObligation",
    "RandomName",
    "Region",
    "Role",
    "RosterEntry",
    "RosterEntryQuerySet",
    "School",
    "SchoolKind",
    "SchoolSubmission",
    "ScopePaths",
    "ScopedManager",
    "ScopedQuerySet",
    "Sex",
    "StaffingRow",
    "SubmissionEvent",
    "SubmissionStatus",
    "SupportProject",
    "SupportProjectParticipant",
    "Teacher",
    "User",
    "UserHistory",
    "age_on",
    "snils_control",
    "snils_is_valid",
    "validate_text_list",
    "years_before",
]
