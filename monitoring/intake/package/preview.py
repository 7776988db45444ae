"""What an import does row by row: the rows it adds, changes (field: before → after) and removes, by name.

The bulk writer keeps the rows behind its counts, a sample of each kind (``WriteResult.rows``,
``monitoring.shared.bulk.SAMPLE``). Right after a sheet is written — inside the import's
transaction, where every row it refers to exists, the removed ones read just before their
delete — :func:`sheet_preview` turns them into what a person reads: a teacher by full name,
a school by its name, a program by its title, each changed field under its column's Russian
title with its value before and after. The check stores that with its job
(``ImportJob.preview``), so the page only renders it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from monitoring.intake.package.registry import Sheet, SheetResult

KINDS = ("added", "changed", "removed")
# Attnames that never name a row: every row of a sheet has the same period.
_NOT_NAMES = {"period_id", "region_id"}
_OWN_NAMES = ("full_name", "name", "title")
EMPTY = "—"


def _field(model: type[models.Model], attname: str) -> models.Field | None:
    try:
        return model._meta.get_field(attname)
    except FieldDoesNotExist:  # a value given under a name the model does not know
        return None


def _object_name(obj: models.Model) -> str:
    for attr in _OWN_NAMES:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


class _Names:
    """Names of the rows a sample refers to, each related table read once (in_bulk)."""

    def __init__(self, model: type[models.Model], samples: list[dict[str, Any]]):
        self.model = model
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for rows in samples:
            for vals in rows:
                for attname, value in vals.items():
                    field = _field(model, attname)
                    if field is not None and field.many_to_one and value is not None and attname not in _NOT_NAMES:
                        wanted[field.related_model].add(value)
        self.related = {
            related: {pk: _object_name(obj) for pk, obj in related.objects.in_bulk(list(pks)).items()}
            for related, pks in wanted.items()
        }

    def value(self, attname: str, value: Any) -> str:
        """A stored value as the user reads it: a related row by name, a choice by its label, a date as dd.mm.yyyy."""
        field = _field(self.model, attname)
        if value is None or value == "" or value == []:
            return EMPTY
        if field is not None and field.many_to_one:
            return self.related.get(field.related_model, {}).get(value, str(value))
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return shown(value)

    def row(self, vals: dict[str, Any], key: tuple[str, ...]) -> str:
        """The row by name: its own name (a teacher's full name), else its key's values by name."""
        for attr in _OWN_NAMES:
            if vals.get(attr):
                return str(vals[attr])
        parts = [self.value(f, vals.get(f)) for f in key if f not in _NOT_NAMES and f in vals]
        if not parts:  # no key: every row it refers to
            parts = [self.value(f, v) for f, v in vals.items() if f.endswith("_id") and f not in _NOT_NAMES]
        return " — ".join(p for p in parts if p != EMPTY) or EMPTY


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        text = format(Decimal(str(value)).normalize(), "f")
        return text.replace(".", ",")
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value) or EMPTY
    return str(value)


def _column(sheet: Sheet, model: type[models.Model], attname: str) -> tuple[str, bool]:
    """The Russian title of the column a field comes from (the model's name of it otherwise), and if it is personal."""
    field = _field(model, attname)
    names = {attname, field.name if field is not None else attname}
    for column in sheet.columns:
        if column.field in names:
            # A reference is read as a code and shown by name: «Код ОО» → «ОО».
            title = column.title.removeprefix("Код ") if field is not None and field.many_to_one else column.title
            return title, column.personal
    title = str(field.verbose_name) if field is not None else attname
    return title[:1].upper() + title[1:], False


def sheet_preview(*, sheet: Sheet, result: SheetResult) -> dict[str, list[dict[str, Any]]]:
    """The rows ``result`` adds, changes and removes, by name (JSON, stored with the job)."""
    preview: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    changed_by_name: dict[str, dict[str, Any]] = {}
    for sample in result.rows:
        model, key = sample["model"], sample["key"]
        names = _Names(model, [sample["added"], sample["removed"], *([b, a] for b, a in sample["changed"])])
        preview["added"] += [{"name": names.row(vals, key)} for vals in sample["added"]]
        preview["removed"] += [{"name": names.row(vals, key)} for vals in sample["removed"]]
        for before, after in sample["changed"]:
            name = names.row(after, key)
            # One entry per row of the sheet: a teacher's card and roster row are one line of «Педагоги».
            entry = changed_by_name.setdefault(name, {"name": name, "fields": []})
            for attname, new in after.items():
                old = before.get(attname)
                if old == new:
                    continue
                title, personal = _column(sheet, model, attname)
                entry["fields"].append(
                    {
                        "column": title,
                        "before": names.value(attname, old),
                        "after": names.value(attname, new),
                        "personal": personal,
                    }
                )
    preview["changed"] = list(changed_by_name.values())
    return preview
