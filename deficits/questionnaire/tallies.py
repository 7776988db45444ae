"""Tallies of a campaign's answers: what each response adds, kept as responses arrive, and rebuilt.

A results page reads ``ResponseTally`` rows (a few per item, value and breakdown cell)
instead of every response's answers. The rows a response adds (``tally_keys``):

- ("", "") once: a respondent (the base of every share, and the size of each breakdown);
- (item, value) for each answered item that is not text: a choice's name, each chosen
  name of a multiple choice, a scale's or a number's value as text, a date's ISO text;
- ("score:<group>", level) for each scored group with a level.

All keyed by the response's municipality, school type and role. ``tallies_add`` runs in
the submission's transaction as one upsert that adds to the counts (``ON CONFLICT …
DO UPDATE``, which PostgreSQL and SQLite both have), so two submissions at once never
lose a count; ``tallies_rebuild`` recounts a campaign from its responses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction

from deficits.models import Campaign, Response, ResponseTally

RESPONDENTS = ("", "")
SCORE_PREFIX = "score:"
# Items whose answers are not counted (free text is listed, not tallied).
UNTALLIED = frozenset({"text", "long_text"})
_BATCH = 500


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)[:200]


def tally_keys(
    *, definition: Mapping[str, Any], answers: Mapping[str, Any], scores: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """The (item, value) pairs one response adds a count to."""
    keys = [RESPONDENTS]
    for section in definition.get("sections", []):
        for item in section["items"]:
            if item["type"] in UNTALLIED:
                continue
            answer = answers.get(item["name"])
            if answer is None or answer == "" or answer == []:
                continue
            if isinstance(answer, list):
                keys += [(item["name"], _plain(choice)) for choice in answer]
            else:
                keys.append((item["name"], _plain(answer)))
    keys += [(f"{SCORE_PREFIX}{code}", score["level"]) for code, score in scores.items() if score.get("level")]
    return keys


def _upsert(campaign_id: int, counts: Mapping[tuple[str, str, int, str, str], int]) -> None:
    table = connection.ops.quote_name(ResponseTally._meta.db_table)
    rows = list(counts.items())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list[Any] = []
            for (item, value, municipality_id, school_kind, role), count in batch:
                params += [campaign_id, item, value, municipality_id, school_kind, role, count]
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, item, value, municipality_id, school_kind, role, count) "
                f"VALUES {values} "
                "ON CONFLICT (campaign_id, item, value, municipality_id, school_kind, role) "
                f"DO UPDATE SET count = {table}.count + EXCLUDED.count",
                params,
            )


def tallies_add(*, response: Response, definition: Mapping[str, Any]) -> None:
    """Count one submitted response (call inside the transaction that saves it)."""
    cell = (response.municipality_id, response.school_kind, response.role)
    counts = Counter(
        (item, value, *cell)
        for item, value in tally_keys(definition=definition, answers=response.answers, scores=response.scores)
    )
    _upsert(response.campaign_id, counts)


@transaction.atomic
def tallies_rebuild(*, campaign: Campaign) -> int:
    """Recount a campaign's tallies from its responses; the number of tally rows written."""
    ResponseTally.objects.filter(campaign=campaign).delete()
    definitions: dict[int, Mapping[str, Any]] = {}
    counts: Counter = Counter()
    rows: Iterable = (
        Response.objects.filter(campaign=campaign)
        .values_list("edition_id", "answers", "scores", "municipality_id", "school_kind", "role")
        .iterator(chunk_size=2000)
    )
    for edition_id, answers, scores, municipality_id, school_kind, role in rows:
        if edition_id not in definitions:
            definitions[edition_id] = (
                campaign.edition.definition
                if edition_id == campaign.edition_id
                else (type(campaign.edition).objects.get(pk=edition_id).definition)
            )
        for item, value in tally_keys(definition=definitions[edition_id], answers=answers, scores=scores):
            counts[(item, value, municipality_id, school_kind, role)] += 1
    _upsert(campaign.pk, counts)
    return len(counts)
