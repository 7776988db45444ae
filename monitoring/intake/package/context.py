"""What sheets see while they are checked and written: the import's context, and the code namespaces.

``ImportContext`` carries the period, the parsed package and the problems found; it
answers which codes a row may refer to (in the package or already in the portal) and
which ids they have. Where the database keeps a namespace's codes is the store
``code_namespaces`` of ``monitoring/config/extensions.py``. Below the registry:
the context is given the registered sheets, it does not look them up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.db.models import QuerySet

from monitoring.intake.package.parsing import header_key
from monitoring.intake.package.rows import Problem, Row
from monitoring.models import MonitoringPeriod
from monitoring.shared import extensions


class SheetRules(Protocol):
    """What the context reads of a sheet (registry.Sheet): its name, the codes it provides, its titles."""

    name: str
    provides: dict[str, str]

    def replaced_codes(self, namespace: str, ctx: ImportContext) -> set[str]: ...

    def title_for(self, field_name: str) -> str: ...


class ImportContext:
    """What sheets see while they are checked and written."""

    def __init__(
        self,
        *,
        period: MonitoringPeriod,
        replace: bool,
        package: dict[str, list[Row]],
        sheets: Sequence[SheetRules],
        user=None,
        school=None,
    ):
        self.period = period
        # The registered sheets, in import order (registry.sheets()).
        self.sheets = list(sheets)
        # A school head's upload: every row must name this school, and replace stays inside it.
        self.school = school
        self.replace = replace
        self.package = package
        self.user = user
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._ids: dict[str, dict[str, int]] = {}
        self._known: dict[str, set[str]] = {}
        self._dropped: dict[str, set[str]] = {}

    def problem(self, sheet: str, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, "" if value is None else str(value), message))

    def warning(self, sheet: str, row: int | None, column: str | None, value: Any, message: str) -> None:
        self.warnings.append(Problem(sheet, row, column, "" if value is None else str(value), message, warning=True))

    def package_codes(self, namespace: str) -> set[str]:
        codes: set[str] = set()
        for sheet in self.sheets:
            field_name = sheet.provides.get(namespace)
            if field_name and sheet.name in self.package:
                codes.update(r.values[field_name] for r in self.package[sheet.name])
        return codes

    def known(self, namespace: str) -> set[str]:
        """Codes a row may refer to: in the package or already in the portal for the period.

        Computed once per namespace while checking: every row's reference is a set lookup.
        """
        if namespace not in self._known:
            self._known[namespace] = (self.package_codes(namespace) | set(self.ids(namespace))) - self.dropped(
                namespace
            )
        return self._known[namespace]

    def dropped(self, namespace: str) -> set[str]:
        """Codes the portal has now that this replace-mode package will remove (so nothing may refer to them)."""
        if not self.replace:
            return set()
        if namespace not in self._dropped:
            gone: set[str] = set()
            for sheet in self.sheets:
                if sheet.name in self.package and namespace in sheet.provides:
                    gone |= sheet.replaced_codes(namespace, self) - self.package_codes(namespace)
            self._dropped[namespace] = gone
        return self._dropped[namespace]

    def ids(self, namespace: str) -> dict[str, int]:
        """Code → primary key as the database holds them now (refreshed after each sheet's write)."""
        if namespace not in self._ids:
            pairs = extensions.entries("code_namespaces")[namespace](self.period)
            if isinstance(pairs, QuerySet):
                # Unordered: a dict is made of it, and a model's default ordering may join
                # tables only to sort (the roster's sorts by period and teacher code).
                pairs = pairs.order_by()
            self._ids[namespace] = dict(pairs)
        return self._ids[namespace]

    def forget_ids(self, namespaces: Iterable[str] | None = None) -> None:
        """Drop the cached ids of ``namespaces`` (all when None), to be read again when asked."""
        if namespaces is None:
            self._ids.clear()
        for name in namespaces or ():
            self._ids.pop(name, None)

    def check_reference(self, sheet: str, row: Row, column_field: str, namespace: str, what: str) -> None:
        code = row.get(column_field)
        if code is None:
            return
        # Called for every reference of every row: the cached set first, without a call.
        known = self._known.get(namespace)
        if known is None:
            known = self.known(namespace)
        if code not in known:
            title = self._sheet_named(sheet).title_for(column_field)
            if code in self.dropped(namespace):
                message = f"{what} с таким кодом нет в файле, а режим замены удалит его из портала"
            else:
                message = f"{what} с таким кодом нет ни в файле, ни в портале"
            self.problem(sheet, row.number, title, code, message)

    def _sheet_named(self, name: str) -> SheetRules:
        wanted = header_key(name)
        return next(s for s in self.sheets if header_key(s.name) == wanted)
