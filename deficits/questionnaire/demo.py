"""The questionnaires' part of the demo region: the shipped instruments, and one burnout campaign answered.

Registered as a demo step (monitoring/config/extensions.py) after the indicator catalogs
are stored and before the indicators are computed: it stores the shipped questionnaires
and, in the collecting period, runs an anonymous burnout screening of a 10 % sample of
the roster stratified by municipality, already closed — most of the sample answered
(responses generated from the demo's seed, tallies rebuilt) — so the questionnaires'
indicator («доля педагогов с высоким уровнем эмоционального выгорания») has values on
the dashboard.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from deficits.models import (
    Campaign,
    CampaignStatus,
    Invitation,
    Questionnaire,
    RespondentRole,
    Response,
    ResponseTally,
    TargetKind,
)
from deficits.questionnaire.scoring import score_answers
from deficits.questionnaire.shipped import shipped_questionnaires_load
from deficits.questionnaire.tallies import tallies_rebuild
from deficits.questionnaire.targets import target_reach
from monitoring.demo import wipe
from monitoring.models import School

BURNOUT = "burnout"
SHARE = 0.1
# Share of the invited who answered before the campaign closed.
ANSWERED = 0.85
# Mean frequency (0–6) of each group's statements: exhaustion the most frequent, as surveys find.
GROUP_MEAN = {"ЭИ": 3.0, "ОТ": 1.8, "СД": 2.0}


def _answers(rng: random.Random, scoring: dict) -> dict[str, str]:
    answers: dict[str, str] = {"experience": rng.choice(["lt3", "3to10", "10to20", "gt20"])}
    for group in scoring["groups"]:
        level = rng.gauss(GROUP_MEAN.get(group["code"], 2.0), 1.2)
        for name in group["items"]:
            answers[name] = str(min(6, max(0, round(rng.gauss(level, 1.0)))))
    return answers


def seed_questionnaires(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    shipped = shipped_questionnaires_load(user=None)
    log(f"  анкеты: {', '.join(s.code for s in shipped)}")
    edition = Questionnaire.objects.get(code=BURNOUT).editions.order_by("-version").first()
    counts = {"Campaign": 0, "Invitation": 0, "Response": 0, "ResponseTally": 0}
    for period in periods:
        if period.is_closed:
            continue
        title = f"Скрининг профессионального выгорания педагогов, {period.year}"
        if Campaign.objects.filter(period=period, title=title).exists():
            log(f"  опрос «{title}» уже есть")
            continue
        today = timezone.localdate()
        opens = min(period.start + dt.timedelta(days=30), today)
        closes = min(opens + dt.timedelta(days=21), max(today, opens))
        now = timezone.now()
        campaign = Campaign.objects.create(
            edition=edition,
            period=period,
            title=title,
            opens=opens,
            closes=closes,
            anonymous=True,
            target_kind=TargetKind.SAMPLE,
            target={"share": SHARE},
            seed=seed,
            status=CampaignStatus.CLOSED,
            opened_at=now,
            closed_at=now,
        )
        rng = random.Random(seed * 2750159 + period.year)
        # The campaigns' own sampler: the page's «зерно выборки» draws these same people again.
        sample = target_reach(period=period, kind=TargetKind.SAMPLE, params=campaign.target, seed=campaign.seed)
        kinds = dict(School.objects.filter(pk__in={row.school_id for row in sample}).values_list("pk", "kind"))
        invitations, responses = [], []
        for entry in sample:
            answered = rng.random() < ANSWERED
            invitations.append(
                Invitation(
                    campaign=campaign,
                    teacher_id=entry.teacher_id,
                    school_id=entry.school_id,
                    municipality_id=entry.municipality_id,
                    role=RespondentRole.TEACHER,
                    nonce=f"{rng.getrandbits(128):032x}",
                    answered=answered,
                )
            )
            if answered:
                answers = _answers(rng, edition.scoring)
                scores = score_answers(definition=edition.definition, scoring=edition.scoring, answers=answers)
                # Anonymous: no invitation, teacher, school nor time; only the breakdowns.
                responses.append(
                    Response(
                        campaign=campaign,
                        edition=edition,
                        anonymous=True,
                        municipality_id=entry.municipality_id,
                        school_kind=kinds[entry.school_id],
                        role=RespondentRole.TEACHER,
                        answers=answers,
                        scores=scores,
                    )
                )
        # Responses in random order too, so that nothing pairs them with the invitations' order.
        rng.shuffle(responses)
        Invitation.objects.bulk_create(invitations, batch_size=2000)
        Response.objects.bulk_create(responses, batch_size=2000)
        tallies = tallies_rebuild(campaign=campaign)
        counts["Campaign"] += 1
        counts["Invitation"] += len(invitations)
        counts["Response"] += len(responses)
        counts["ResponseTally"] += tallies
        log(f"  опрос «{title}»: приглашения — {len(invitations)}, ответы — {len(responses)}")
    return counts


def wipe_questionnaires() -> dict[str, int]:
    """Delete the campaigns and what they hold (they keep periods and municipalities), for seed_demo --reset.

    The questionnaires themselves stay: they are the portal's, not the demo region's.
    """
    deleted = {}
    for model in (ResponseTally, Response, Invitation, Campaign):
        deleted[model.__name__] = wipe(model._base_manager.all())
    return deleted
