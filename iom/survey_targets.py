"""The questionnaire campaigns' target of course participants, declared here because runs are iom's.

``deficits`` may not import ``iom``, so this target is named in the extension store
``survey_targets`` (monitoring/config/extensions.py) and found by
``deficits.questionnaire.targets.target_for``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from deficits.questionnaire.targets import roster_reached
from iom.models import CourseRun, Enrollment, EnrollmentStatus


class CourseRunTarget:
    """The participants of one course run: ``{"course": "<run code>"}``.

    Everyone enrolled except those expelled. A participant is reached through the period's
    roster (their school and municipality there); one who is not on it has no school to be
    counted in and is not reached.
    """

    fields = ("course",)

    def clean(self, *, period, params):
        code = str(params.get("course") or "").strip()
        if not code:
            raise ValidationError({"course": "Укажите код курса."})
        if not CourseRun.objects.filter(code=code).exists():
            raise ValidationError({"course": f"Курса с кодом «{code}» нет."})
        return {"course": code}

    def reach(self, *, period, params, seed):
        teachers = (
            Enrollment.objects.filter(course__code=params["course"])
            .exclude(status=EnrollmentStatus.EXPELLED)
            .values("teacher_id")
        )
        return roster_reached(period, teacher_id__in=teachers)


COURSE_RUN = CourseRunTarget()
