"""The monitoring app's sheets of the data package (spec/data-package.md, "Sheets").

The sheets and the code namespaces they refer to are declared, in order, in
``monitoring/config/extensions.py`` (stores ``sheets`` and ``code_namespaces``); the
registry instantiates them on first use.
"""

from __future__ import annotations

from monitoring.intake.package.sheets.associations import (
    AssociationEventSheet,
    AssociationMemberSheet,
    AssociationSheet,
)
from monitoring.intake.package.sheets.attestation import AttestationSheet
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
    "AttestationSheet",
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
