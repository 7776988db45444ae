"""What staff read of a campaign's answers: distributions, cross-tabulations, free text, coverage.

Every figure comes from ``ResponseTally`` rows narrowed by ``visible_to(user)`` (the
institute and the ministry read the region, a municipal official their municipality,
school heads and teachers nothing), so a page reads a few hundred summed rows whatever
the number of responses: one query for the respondents' cells, one for the answers.

Anonymous campaigns never show a group of fewer than ``MIN_GROUP`` respondents: when the
whole visible total is smaller nothing is shown; in a cross-tabulation the small groups
are merged into «Другие», and while that merged group is itself smaller, the next
smallest shown group joins it — so no hidden group can be computed as the total minus
the groups shown (``merge_small``). Named campaigns show every group as it is.

Two more rules close the ways around that a reader could take by comparing two views
(``withheld``): an anonymous campaign's answers are shown only once it is closed (while
answers arrive, two looks a minute apart differ by one person's answers, and the
campaign's page says who has just answered), and only to the region-wide readers (a
municipal official's slice taken from the region's total would leave the rest of the
region, however small). Inside what is shown, an item answered by fewer than five (a
question behind skip logic) shows no distribution, and a cross-tabulation merges its
groups by how many answered the item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KT

from deficits.models import Campaign, CampaignStatus, Invitation, RespondentRole, Response, ResponseTally
from deficits.questionnaire.tallies import SCORE_PREFIX, UNTALLIED
from monitoring.models import Role, SchoolKind
from monitoring.models.scoping import is_region_wide

MIN_GROUP = 5
OTHERS = "Другие (группы менее 5 ответов)"
TOO_FEW = "Недостаточно ответов для показа (менее 5)"
ITEM_TOO_FEW = "На этот вопрос ответили менее 5 человек: распределение не показывается."
WHILE_OPEN = (
    "Ответы анонимного опроса показываются после его завершения: пока ответы поступают, сравнение двух "
    "просмотров выдало бы ответы одного человека."
)
REGION_ONLY = (
    "Ответы анонимного опроса показываются только по региону в целом: сводку по части региона можно было бы "
    "вычесть из общего итога и узнать ответы небольшой группы."
)
OTHERS_KEY = "__others__"
TEXT_TYPES = frozenset({"text", "long_text"})
NUMERIC_TYPES = frozenset({"scale", "number"})
NO_KIND = "тип не указан"

# A cross-tabulation's dimensions: the tally column and its name on the page.
DIMENSIONS = {
    "municipality": "Муниципалитет",
    "school_kind": "Тип ОО",
    "role": "Роль",
}


def can_read_results(user) -> bool:
    """Institute, ministry and municipal officials read results; heads and teachers do not."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.ANALYST, Role.MINISTRY, Role.MUNICIPAL))
    )


# ---------------------------------------------------------------------------
# The form's items
# ---------------------------------------------------------------------------


def form_items(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every item of a form, in its order."""
    return [item for section in definition.get("sections", []) for item in section["items"]]


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def value_order(item: Mapping[str, Any], definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The values an item offers, (value, label), in the order the page lists them."""
    if item["type"] in ("single", "multiple"):
        return [(str(c["name"]), str(c["label"])) for c in definition.get("choice_lists", {}).get(item["list"], [])]
    if item["type"] == "scale":
        start, end, step = Decimal(str(item["start"])), Decimal(str(item["end"])), Decimal(str(item.get("step") or 1))
        values, at = [], start
        while at <= end and len(values) < 200:
            text = str(int(at)) if at == at.to_integral_value() else str(at.normalize())
            values.append((text, text))
            at += step
        return values
    return []


def _sorted_values(item: Mapping[str, Any], definition: Mapping[str, Any], counted: Iterable[str]):
    """(value, label) for the listed values and then any other value counted, numerically for numbers."""
    listed = value_order(item, definition)
    known = {v for v, _ in listed}
    extra = [v for v in counted if v not in known]
    if item["type"] in NUMERIC_TYPES:
        extra.sort(key=lambda v: (_number(v) is None, _number(v) or 0, v))
    else:
        extra.sort()
    return listed + [(v, v) for v in extra]


# Numbers with more distinct values than this are counted in ranges (about ten of them).
MAX_NUMBER_VALUES = 25
NUMBER_RANGES = 10


def value_groups(item: Mapping[str, Any], values: Iterable[str]) -> tuple[dict[str, str], list[tuple[str, str]]] | None:
    """How a date's or a many-valued number's answers are counted on a page: (value → key, [(key, label)]).

    Dates by month («10.2025»); numbers with more than MAX_NUMBER_VALUES distinct values in
    about NUMBER_RANGES equal ranges («10–14»). None: every value is shown as it is.
    """
    values = list(values)
    if item["type"] == "date":
        key_of = {v: v[:7] if len(v) >= 7 and v[4] == "-" else v for v in values}
        keys = sorted(set(key_of.values()))
        return key_of, [(k, f"{k[5:7]}.{k[:4]}" if len(k) == 7 else k) for k in keys]
    if item["type"] != "number" or len(values) <= MAX_NUMBER_VALUES:
        return None
    numbers = {v: _number(v) for v in values}
    known = [n for n in numbers.values() if n is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    integral = all(n == n.to_integral_value() for n in known)
    width = (high - low + (1 if integral else 0)) / NUMBER_RANGES
    width = max(Decimal(1), width.to_integral_value(rounding="ROUND_CEILING")) if integral else width or Decimal(1)
    key_of, labels = {}, {}
    for v, n in numbers.items():
        if n is None:
            key_of[v], labels[v] = v, v
            continue
        index = min(int((n - low) / width), NUMBER_RANGES - 1 if not integral else 10**6)
        start = low + index * width
        key = f"{index:04d}"
        key_of[v] = key
        if integral:
            end = start + width - 1
            labels[key] = f"{start}–{end}" if end > start else f"{start}"
        else:
            labels[key] = f"{start.normalize()}–{(start + width).normalize()}"
    return key_of, sorted(labels.items())


def score_levels(scoring: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(group code, group name, level names in band order) of a scoring."""
    out = []
    for group in scoring.get("groups", []) if scoring else []:
        bands = group.get("bands") or scoring.get("bands") or []
        out.append((str(group["code"]), str(group.get("name") or group["code"]), [str(b["name"]) for b in bands]))
    return out


# ---------------------------------------------------------------------------
# Anonymity
# ---------------------------------------------------------------------------


def withheld(*, campaign: Campaign, user) -> str | None:
    """Why an anonymous campaign's answers are not shown to ``user`` now (None: they may be)."""
    if not campaign.anonymous:
        return None
    if campaign.status != CampaignStatus.CLOSED:
        return WHILE_OPEN
    if not is_region_wide(user):
        return REGION_ONLY
    return None


def item_answered(item: Mapping[str, Any] | None, counts: Mapping[str, int]) -> int:
    """How many answered an item, from its counts per value: a multiple choice's is at least its
    most chosen option's count (the tallies do not say how many chose any), so that is taken."""
    if not counts:
        return 0
    if item is not None and item["type"] == "multiple":
        return max(counts.values())
    return sum(counts.values())


def merge_small(sizes: Mapping[Any, int], *, minimum: int = MIN_GROUP) -> tuple[list[Any], list[Any]]:
    """Split groups into (shown, merged): groups under ``minimum`` are merged, and while the merged
    group is itself under ``minimum`` the smallest shown group joins it (complementary disclosure)."""
    ordered = sorted((k for k, n in sizes.items() if n > 0), key=lambda k: (sizes[k], str(k)))
    merged = [k for k in ordered if sizes[k] < minimum]
    shown = [k for k in ordered if sizes[k] >= minimum]
    if merged:
        while sum(sizes[k] for k in merged) < minimum and shown:
            merged.append(shown.pop(0))
    return shown, merged


# ---------------------------------------------------------------------------
# The page's parts
# ---------------------------------------------------------------------------


@dataclass
class ValueRow:
    value: str
    label: str
    count: int
    share: float | None


@dataclass
class Distribution:
    name: str
    label: str
    type: str
    rows: list[ValueRow]
    base: int  # the respondents the shares are of
    answered: int  # respondents who answered (for a multiple choice: chose at least one — unknown, None)
    mean: float | None = None
    score_group: bool = False
    hidden: bool = False  # anonymous and answered by fewer than MIN_GROUP: counts not shown

    @property
    def anchor(self) -> str:
        """The item's part of the page's element ids ("score:g1" → "score-g1")."""
        return self.name.replace(":", "-")

    @property
    def unanswered(self) -> int | None:
        if self.type == "multiple":
            return None
        return max(self.base - self.answered, 0)


@dataclass
class Overview:
    campaign: Campaign
    total: int  # respondents the user sees
    suppressed: bool  # anonymous and fewer than MIN_GROUP, or withheld: nothing is shown
    reason: str = TOO_FEW  # what the page says instead, when suppressed
    distributions: list[Distribution] = field(default_factory=list)
    scores: list[Distribution] = field(default_factory=list)
    text_items: list[dict[str, Any]] = field(default_factory=list)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _tallies(*, campaign: Campaign, user):
    return ResponseTally.objects.visible_to(user).filter(campaign=campaign)


def respondents(*, campaign: Campaign, user) -> int:
    """How many responses of the campaign the user sees (one query)."""
    return _tallies(campaign=campaign, user=user).filter(item="").aggregate(n=Sum("count"))["n"] or 0


def is_suppressed(*, campaign: Campaign, total: int) -> bool:
    return campaign.anonymous and total < MIN_GROUP


def distribution(
    *, item: Mapping[str, Any], definition: Mapping[str, Any], counts: Mapping[str, int], base: int
) -> Distribution:
    """One item's counts per value (listed values first, each with its share of ``base``) and its mean."""
    answered = sum(counts.values())
    mean = None
    if item["type"] in NUMERIC_TYPES and answered:
        total = sum((_number(v) or 0) * n for v, n in counts.items())
        mean = round(float(total / answered), 2)
    groups = value_groups(item, counts)
    if groups is None:
        values = _sorted_values(item, definition, counts)
    else:
        key_of, values = groups
        grouped: dict[str, int] = defaultdict(int)
        for v, n in counts.items():
            grouped[key_of[v]] += n
        counts = grouped
    rows = [
        ValueRow(value=v, label=label, count=counts.get(v, 0), share=_share(counts.get(v, 0), base))
        for v, label in values
    ]
    return Distribution(
        name=item["name"],
        label=item.get("label") or item["name"],
        type=item["type"],
        rows=rows,
        base=base,
        answered=answered,
        mean=mean,
    )


def overview(*, campaign: Campaign, user) -> Overview:
    """Every item's distribution and every score group's levels, for the user's scope (two queries)."""
    definition = campaign.edition.definition
    items = form_items(definition)
    reason = withheld(campaign=campaign, user=user)
    if reason:
        return Overview(campaign=campaign, total=0, suppressed=True, reason=reason)
    total = respondents(campaign=campaign, user=user)
    result = Overview(campaign=campaign, total=total, suppressed=is_suppressed(campaign=campaign, total=total))
    result.text_items = [i for i in items if i["type"] in TEXT_TYPES]
    if result.suppressed or not total:
        return result
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        _tallies(campaign=campaign, user=user)
        .exclude(item="")
        .values_list("item", "value")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for name, value, n in rows:
        counts[name][value] = n
    for item in items:
        if item["type"] in UNTALLIED:
            continue
        shown = distribution(item=item, definition=definition, counts=counts[item["name"]], base=total)
        result.distributions.append(_hidden_if_few(campaign, shown, item_answered(item, counts[item["name"]])))
    for code, name, levels in score_levels(campaign.edition.scoring):
        level_counts = counts[f"{SCORE_PREFIX}{code}"]
        order = levels + sorted(v for v in level_counts if v not in levels)
        rows_ = [
            ValueRow(value=v, label=v, count=level_counts.get(v, 0), share=_share(level_counts.get(v, 0), total))
            for v in order
        ]
        scored = Distribution(
            name=f"{SCORE_PREFIX}{code}",
            label=name,
            type="single",
            rows=rows_,
            base=total,
            answered=sum(level_counts.values()),
            score_group=True,
        )
        result.scores.append(_hidden_if_few(campaign, scored, scored.answered))
    return result


def _hidden_if_few(campaign: Campaign, shown: Distribution, answered: int) -> Distribution:
    """An anonymous campaign's item answered by fewer than MIN_GROUP keeps no counts (nor a mean)."""
    if campaign.anonymous and answered < MIN_GROUP:
        shown.hidden = True
        shown.mean = None
        shown.rows = [ValueRow(value=r.value, label=r.label, count=0, share=None) for r in shown.rows]
    return shown


# ---------------------------------------------------------------------------
# Cross-tabulation
# ---------------------------------------------------------------------------


@dataclass
class Group:
    key: str
    label: str
    size: int


@dataclass
class CrossRow:
    value: str
    label: str
    cells: list[tuple[int, float | None]]  # (count, share of the group's respondents) per group


@dataclass
class CrossTab:
    item: str
    label: str
    by: str
    by_label: str
    groups: list[Group] = field(default_factory=list)
    rows: list[CrossRow] = field(default_factory=list)
    suppressed: bool = False
    merged: bool = False
    reason: str = TOO_FEW


def _group_label(by: str, key: Any, names: Mapping[Any, str]) -> str:
    if by == "municipality":
        return names.get(key, str(key))
    if by == "school_kind":
        return SchoolKind(key).label if key in SchoolKind.values else (key or NO_KIND)
    return RespondentRole(key).label if key in RespondentRole.values else str(key)


def item_by_name(definition: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """A tallied item of the form, or a score group as an item ("score:<code>"); None if there is none."""
    for item in form_items(definition):
        if item["name"] == name and item["type"] not in UNTALLIED:
            return item
    return None


def crosstab(*, campaign: Campaign, user, item_name: str, by: str) -> CrossTab | None:
    """One item's (or score group's) counts per value by municipality, school type or role (two queries).

    None when the campaign has no such item or dimension.
    """
    if by not in DIMENSIONS:
        return None
    definition = campaign.edition.definition
    scoring = {f"{SCORE_PREFIX}{code}": (name, levels) for code, name, levels in score_levels(campaign.edition.scoring)}
    item = item_by_name(definition, item_name)
    if item is None and item_name not in scoring:
        return None
    label = item.get("label") or item["name"] if item else scoring[item_name][0]
    table = CrossTab(item=item_name, label=label, by=by, by_label=DIMENSIONS[by])
    reason = withheld(campaign=campaign, user=user)
    if reason:
        table.suppressed, table.reason = True, reason
        return table
    tallies = _tallies(campaign=campaign, user=user)
    sizes: dict[Any, int] = {}
    names: dict[Any, str] = {}
    group_fields = ("municipality_id", "municipality__name") if by == "municipality" else (by,)
    for row in tallies.filter(item="").values_list(*group_fields).annotate(n=Sum("count")).order_by():
        key, n = row[0], row[-1]
        sizes[key] = sizes.get(key, 0) + n
        if by == "municipality":
            names[key] = row[1]
    total = sum(sizes.values())
    if is_suppressed(campaign=campaign, total=total):
        table.suppressed = True
        return table
    key_of: dict[Any, str] = {k: str(k) for k in sizes}
    dim = "municipality_id" if by == "municipality" else by
    answers = list(tallies.filter(item=item_name).values_list("value", dim).annotate(n=Sum("count")).order_by())
    if campaign.anonymous:
        # Groups are merged by how many answered this item (fewer than the respondents
        # when skip logic hides it from some): a group of 6 where 2 answered is a group of 2.
        per_group: dict[Any, dict[str, int]] = defaultdict(dict)
        for value, key, n in answers:
            per_group[key][value] = n
        answered = {k: item_answered(item, per_group[k]) for k in sizes}
        if sum(answered.values()) < MIN_GROUP:
            table.suppressed, table.reason = True, ITEM_TOO_FEW
            return table
        shown, merged = merge_small(answered)
        merged += [k for k in sizes if not answered[k]]
        for k in merged:
            key_of[k] = OTHERS_KEY
        table.merged = bool(merged)
        shown.sort(key=lambda k: _group_label(by, k, names))
        table.groups = [Group(key=str(k), label=_group_label(by, k, names), size=sizes[k]) for k in shown]
        if merged:
            table.groups.append(Group(key=OTHERS_KEY, label=OTHERS, size=sum(sizes[k] for k in merged)))
    else:
        ordered = sorted(sizes, key=lambda k: _group_label(by, k, names))
        table.groups = [Group(key=str(k), label=_group_label(by, k, names), size=sizes[k]) for k in ordered]
    cells: dict[tuple[str, str], int] = defaultdict(int)
    counted: list[tuple[str, str, int]] = [(value, key_of[key], n) for value, key, n in answers if key in key_of]
    groups = value_groups(item, {v for v, _, _ in counted}) if item is not None else None
    for value, group, n in counted:
        cells[(groups[0][value] if groups else value, group)] += n
    if groups is not None:
        values = groups[1]
    elif item is not None:
        values = _sorted_values(item, definition, {v for v, _, _ in counted})
    else:
        levels = scoring[item_name][1]
        seen = {v for v, _, _ in counted}
        values = [(v, v) for v in levels + sorted(v for v in seen if v not in levels)]
    for value, value_label in values:
        table.rows.append(
            CrossRow(
                value=value,
                label=value_label,
                cells=[(cells[(value, g.key)], _share(cells[(value, g.key)], g.size)) for g in table.groups],
            )
        )
    return table


# ---------------------------------------------------------------------------
# Free text and coverage
# ---------------------------------------------------------------------------


def text_item(definition: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    for item in form_items(definition):
        if item["name"] == name and item["type"] in TEXT_TYPES:
            return item
    return None


def free_texts(*, campaign: Campaign, user, item_name: str):
    """A queryset of one text item's non-empty answers the user sees, ordered by the responses' keys.

    Rows are (text, municipality name, school name): in an anonymous campaign the attributes
    are left out (empty), and the caller shows nothing unless ``respondents`` is at least
    MIN_GROUP. Paginate it (a count and a slice: two queries a page).
    """
    rows = (
        Response.objects.visible_to(user)
        .filter(campaign=campaign)
        .filter(answers__has_key=item_name)
        .exclude(**{f"answers__{item_name}": ""})
        .exclude(**{f"answers__{item_name}": None})
        .annotate(text=KT(f"answers__{item_name}"))
        .order_by("id")
    )
    if campaign.anonymous:
        return rows.values_list("text", flat=True)
    return rows.values_list("text", "municipality__name", "school__name")


TEXTS_TOO_FEW = "На этот вопрос ответили менее 5 человек: ответы не показываются."


def texts_withheld(*, campaign: Campaign, user, item_name: str) -> str | None:
    """Why a text item's answers are not listed to ``user`` (None: they may be).

    An anonymous campaign's free text is listed once the campaign may be shown at all
    (``withheld``) and only when at least MIN_GROUP people wrote an answer (two queries).
    """
    reason = withheld(campaign=campaign, user=user)
    if reason or not campaign.anonymous:
        return reason
    if free_texts(campaign=campaign, user=user, item_name=item_name).count() < MIN_GROUP:
        return TEXTS_TOO_FEW
    return None


@dataclass
class Coverage:
    invited: int
    answered: int

    @property
    def percent(self) -> float | None:
        return _share(self.answered, self.invited)


def coverage(*, campaign: Campaign, user) -> Coverage:
    """Invitations the user sees and how many of them answered (one query)."""
    figures = (
        Invitation.objects.visible_to(user)
        .filter(campaign=campaign)
        .aggregate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    )
    return Coverage(invited=figures["invited"], answered=figures["answered"])
