"""How far a campaign has got: invited, answered and their share, by municipality and by school.

Read through ``Invitation.objects.visible_to(user)``: a municipal official counts their
municipality's invitations, a school head their school's. One grouped query per table
(a region's municipalities, or one municipality's schools), whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from deficits.models import Campaign, Invitation
from monitoring.models import Municipality


@dataclass(frozen=True)
class CoverageRow:
    id: int | None
    code: str
    name: str
    invited: int
    answered: int

    @property
    def waiting(self) -> int:
        return self.invited - self.answered

    @property
    def percent(self) -> float | None:
        """The share answered, in per cent with one decimal (None when no one was invited)."""
        return round(100 * self.answered / self.invited, 1) if self.invited else None


@dataclass(frozen=True)
class Coverage:
    total: CoverageRow
    rows: list[CoverageRow]
    municipality: Municipality | None = None  # the rows are this municipality's schools


def _counted(queryset, key: str) -> list[CoverageRow]:
    rows = (
        queryset.values(f"{key}_id", f"{key}__code", f"{key}__name")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by(f"{key}__name", f"{key}_id")
    )
    return [
        CoverageRow(
            id=row[f"{key}_id"],
            code=row[f"{key}__code"],
            name=row[f"{key}__name"],
            invited=row["invited"],
            answered=row["answered"],
        )
        for row in rows
    ]


def _total(rows: list[CoverageRow]) -> CoverageRow:
    return CoverageRow(
        id=None,
        code="",
        name="Всего",
        invited=sum(r.invited for r in rows),
        answered=sum(r.answered for r in rows),
    )


def campaign_coverage(*, campaign: Campaign, user, municipality: Municipality | None = None) -> Coverage:
    """The user's part of the campaign: by municipality, or by school inside ``municipality``."""
    invitations = Invitation.objects.visible_to(user).filter(campaign=campaign)
    if municipality is not None:
        rows = _counted(invitations.filter(municipality=municipality), "school")
    else:
        rows = _counted(invitations, "municipality")
    return Coverage(total=_total(rows), rows=rows, municipality=municipality)


def campaign_waiting(*, campaign: Campaign, user, school_id: int | None = None):
    """The invitations the user sees that have not been answered (for links to hand out), by school and name."""
    invitations = (
        Invitation.objects.visible_to(user)
        .filter(campaign=campaign, answered=False)
        .select_related("teacher", "user", "school", "municipality")
        .order_by("municipality__name", "school__name", "teacher__full_name", "user__last_name", "pk")
    )
    if school_id is not None:
        invitations = invitations.filter(school_id=school_id)
    return invitations


def campaign_school_invitations(*, campaign: Campaign, user, school_id: int):
    """Every invitation of one school the user sees, answered or not (the head's view of their school)."""
    return (
        Invitation.objects.visible_to(user)
        .filter(campaign=campaign, school_id=school_id)
        .select_related("teacher", "user")
        .order_by("answered", "teacher__full_name", "user__last_name", "pk")
    )


def campaigns_totals(*, campaigns, user) -> dict[int, CoverageRow]:
    """Campaign id → invited and answered in the user's part, for a list of campaigns (one query)."""
    rows = (
        Invitation.objects.visible_to(user)
        .filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by()
    )
    return {
        row["campaign_id"]: CoverageRow(
            id=row["campaign_id"], code="", name="", invited=row["invited"], answered=row["answered"]
        )
        for row in rows
    }


def campaign_reaches(*, campaign: Campaign, user) -> bool:
    """Whether the user sees any invitation of the campaign (its page is theirs to read)."""
    return Invitation.objects.visible_to(user).filter(campaign=campaign).exists()
