"""The demo's letterhead: the institute's signatory is the demo login «director» (four eyes on letters)."""

from __future__ import annotations

from collections.abc import Callable

from monitoring.models import Role, User
from reports.letters.permissions import institute_issuer

SIGNATORY_USERNAME = "director"


def seed_signatory(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    """Make «director» the institute's signatory: «analyst» composes a letter, «director» approves it."""
    director = User.objects.filter(username=SIGNATORY_USERNAME, role=Role.ANALYST, is_active=True).first()
    issuer = institute_issuer()
    if director is None or issuer.signatory_id is not None:
        return {}
    issuer.signatory = director
    issuer.signatory_position = director.position or issuer.signatory_position
    issuer.save(update_fields=["signatory", "signatory_position"])
    log(f"  письма института согласует подписант: {issuer.signatory_position} {issuer.signatory_name} (director)")
    return {}
