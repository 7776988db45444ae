"""A questionnaire from an XLSForm workbook and back: the ``survey``, ``choices`` and ``settings`` sheets.

XLSForm is how KoboToolbox and ODK define a form in a spreadsheet, so a methodologist can
design a questionnaire in Excel and upload it. What this portal takes of it:

- ``survey``: ``type``, ``name``, ``label`` (or ``label::<language>``, the first such column),
  ``hint``, ``required``, ``relevant``, ``constraint``, ``constraint_message``,
  ``appearance`` (``multiline`` makes a text long), ``parameters`` (a range's ``start=1 end=5 step=1``);
- types: ``select_one <list>``, ``select_multiple <list>``, ``range`` (a scale), ``integer``,
  ``decimal``, ``date``, ``text``, and ``begin_group``/``end_group`` for sections (one
  level); the metadata types ``start``, ``end``, ``today``, ``deviceid``, ``username`` are
  skipped (the portal records who answered and when itself);
- ``choices``: ``list_name``, ``name``, ``label``; ``settings``: ``form_title``, ``form_id``, ``version``;
- ``scoring`` (the portal's own, optional; Kobo and ODK ignore extra sheets): ``group``,
  ``group_label``, ``item``, ``band``, ``min``, ``max``, ``flag`` — see ``xlsform_scoring``.

The workbook is read by the data package's isolated reader (its safety checks, its own
process and limits), so a hostile file costs here what it costs there. Every problem is
reported with its sheet, row and column (``FormRefused``); nothing is taken from a form
with one. The result is the questionnaire's JSON definition (see ``questionnaire_from_xlsform``),
which ``xlsform_from_questionnaire`` writes back: read again, it is the same definition.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

import openpyxl

from deficits.questionnaire import logic
from deficits.questionnaire.scoring import scoring_check
from deficits.questionnaire.xlsform_scoring import cell_text, read_scoring_sheet, write_scoring_sheet
from monitoring.intake.package.reader import read_package, read_package_in_process
from monitoring.intake.package.safety import PackageFileError, column_letters
from monitoring.shared.spreadsheets import text_row

META_TYPES = {"start", "end", "today", "deviceid", "username"}
MAX_ITEMS = 500
MAX_CHOICES = 200
MAX_TEXT = 1000
MAX_SCALE_POINTS = 101
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
_YES = {"yes", "true", "true()", "да", "1"}
_NO = {"", "no", "false", "false()", "нет", "0"}
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "parameters",
)


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with a form, where it is: sheet, Excel row (None: the sheet) and column title."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = f"Лист «{self.sheet}»"
        if self.row is not None:
            place += f", строка {self.row}"
        if self.column:
            place += f", столбец {self.column}"
        return f"{place}: {self.message}"


class FormRefused(Exception):
    """A form that was not taken; ``problems`` says every place that is wrong."""

    def __init__(self, problems: list[FormProblem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def questionnaire_from_xlsform(*, source: str | BinaryIO, filename: str | None = None) -> dict[str, Any]:
    """The questionnaire an XLSForm workbook defines, or FormRefused with every problem's place.

    The definition: ``{"title", "form_id", "version", "sections": [{"name", "title",
    "relevant", "items": [...]}], "choice_lists": {list: [{"name", "label"}]}}``; an item is
    ``{"name", "type", "label", "hint", "required", "relevant", "constraint",
    "constraint_message"}`` plus ``list`` (single, multiple) or ``start``/``end``/``step`` (scale).
    Items outside any group form a section without a name.
    """
    return form_from_xlsform(source=source, filename=filename)[0]


def form_from_xlsform(
    *, source: str | BinaryIO, filename: str | None = None, isolated: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The definition and the scoring (``{}`` without a ``scoring`` sheet) of a workbook, or FormRefused.

    ``isolated=False`` reads in this process: only for a workbook the portal wrote itself
    (deficits.questionnaire.definition checks a builder's definition that way).
    """
    try:
        if isolated:
            sheets = read_package(source, filename=filename)
        else:
            sheets = read_package_in_process(source, filename=filename)
    except PackageFileError as exc:
        raise FormRefused([FormProblem(filename or "файл", None, None, exc.message)]) from exc
    by_name = {name.strip().lower(): sheet for name, sheet in sheets.items()}
    reader = _Reader()
    survey = by_name.get("survey")
    if survey is None:
        raise FormRefused([FormProblem("survey", None, None, "в книге нет листа «survey» с вопросами анкеты")])
    lists = reader.choices(by_name.get("choices"))
    settings = reader.settings(by_name.get("settings"))
    sections = reader.survey(survey, lists)
    scoring = read_scoring_sheet(reader, by_name.get("scoring"))
    if reader.problems:
        raise FormRefused(reader.problems)
    used = {item["list"] for section in sections for item in section["items"] if "list" in item}
    definition = {
        **settings,
        "sections": sections,
        "choice_lists": {name: choices for name, choices in lists.items() if name in used},
    }
    checked = scoring_check(definition=definition, scoring=scoring)
    problems = [FormProblem("scoring", None, None, text) for text in checked]
    if problems:
        raise FormRefused(problems)
    return definition, scoring


def xlsform_from_questionnaire(*, questionnaire: dict[str, Any], scoring: dict[str, Any] | None = None) -> bytes:
    """The XLSForm workbook (.xlsx bytes) of a questionnaire definition, with a ``scoring`` sheet if it is scored.

    Every text is written as a string cell (``text_row``): a title or label starting with "="
    would otherwise become a formula, and reading the workbook back would not give it back.
    """
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(text_row(survey, list(SURVEY_COLUMNS)))
    for section in questionnaire["sections"]:
        if section["name"]:
            survey.append(
                text_row(survey, _row(type="begin_group", name=section["name"], label=section["title"], **_if(section)))
            )
        for item in section["items"]:
            survey.append(text_row(survey, _item_row(item)))
        if section["name"]:
            survey.append(text_row(survey, _row(type="end_group")))
    choices = book.create_sheet("choices")
    choices.append(text_row(choices, ["list_name", "name", "label"]))
    for list_name, options in questionnaire["choice_lists"].items():
        for option in options:
            choices.append(text_row(choices, [list_name, option["name"], option["label"]]))
    settings = book.create_sheet("settings")
    settings.append(text_row(settings, ["form_title", "form_id", "version"]))
    settings.append(text_row(settings, [questionnaire["title"], questionnaire["form_id"], questionnaire["version"]]))
    if scoring:
        write_scoring_sheet(book.create_sheet("scoring"), scoring)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _if(section: dict[str, Any]) -> dict[str, str]:
    return {"relevant": section["relevant"]} if section["relevant"] else {}


def _row(**values: Any) -> list[Any]:
    return [values.get(column, "") for column in SURVEY_COLUMNS]


def _item_row(item: dict[str, Any]) -> list[Any]:
    kind = item["type"]
    extra: dict[str, Any] = {}
    if kind in ("single", "multiple"):
        xls_type = f"select_{'one' if kind == 'single' else 'multiple'} {item['list']}"
    elif kind == "scale":
        xls_type = "range"
        extra["parameters"] = f"start={item['start']} end={item['end']} step={item['step']}"
    elif kind == "number":
        xls_type = "integer" if item["integer"] else "decimal"
    elif kind == "long_text":
        xls_type, extra["appearance"] = "text", "multiline"
    else:
        xls_type = kind
    return _row(
        type=xls_type,
        name=item["name"],
        label=item["label"],
        hint=item["hint"],
        required="yes" if item["required"] else "",
        relevant=item["relevant"],
        constraint=item["constraint"],
        constraint_message=item["constraint_message"],
        **extra,
    )


class _Reader:
    """Reads the three sheets, collecting every problem with its place."""

    def __init__(self):
        self.problems: list[FormProblem] = []

    def problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(FormProblem(sheet, row, column, message))

    @staticmethod
    def _columns(raw, *, labels: tuple[str, ...] = ("label", "hint")) -> dict[str, int]:
        """Column index per known header.

        A translated column (``label::Русский (ru)``, ``hint::English (en)``) counts as
        ``label`` or ``hint``: the Russian one if there is one, else the plain one, else the first.
        """
        found: dict[str, int] = {}
        rank: dict[str, int] = {}
        for index, header in enumerate(raw.headers):
            key = header.strip().lower()
            base, _, language = key.partition("::")
            if base not in labels or not language:
                base, preference = key, 1
            else:
                preference = 0 if re.search(r"\bru\b|рус", language) else 2
            if base not in found or preference < rank[base]:
                found[base], rank[base] = index, preference
        return found

    def _place(self, raw, columns: dict[str, int], field: str) -> str:
        index = columns.get(field)
        return f"{column_letters(index + 1)} («{raw.headers[index]}»)" if index is not None else f"«{field}»"

    def settings(self, raw) -> dict[str, str]:
        values = {"title": "Анкета", "form_id": "", "version": ""}
        if raw is None or not raw.rows:
            return values
        columns = self._columns(raw)
        _, cells = raw.rows[0]
        for field, key in (("form_title", "title"), ("form_id", "form_id"), ("version", "version")):
            if field in columns:
                text = cell_text(cells[columns[field]])
                if len(text) > MAX_TEXT:
                    self.problem("settings", raw.rows[0][0], self._place(raw, columns, field), "слишком длинный текст")
                values[key] = text or values[key]
        return values

    def choices(self, raw) -> dict[str, list[dict[str, str]]]:
        lists: dict[str, list[dict[str, str]]] = {}
        if raw is None:
            return lists
        columns = self._columns(raw)
        missing = [field for field in ("list_name", "name", "label") if field not in columns]
        for field in missing:
            self.problem("choices", raw.header_row or None, None, f"нет столбца «{field}»")
        if missing:
            return lists
        for number, cells in raw.rows:
            list_name, name, label = (cell_text(cells[columns[f]]) for f in ("list_name", "name", "label"))
            if not list_name:
                self.problem("choices", number, self._place(raw, columns, "list_name"), "не указан список")
                continue
            options = lists.setdefault(list_name, [])
            if not name:
                self.problem("choices", number, self._place(raw, columns, "name"), "не указано значение варианта")
            elif any(option["name"] == name for option in options):
                self.problem(
                    "choices",
                    number,
                    self._place(raw, columns, "name"),
                    f"вариант «{name}» повторяется в списке «{list_name}»",
                )
            elif len(options) >= MAX_CHOICES:
                self.problem("choices", number, None, f"в списке «{list_name}» больше {MAX_CHOICES} вариантов")
            else:
                if not label or len(label) > MAX_TEXT:
                    self.problem(
                        "choices",
                        number,
                        self._place(raw, columns, "label"),
                        "нужна подпись варианта (до 1000 символов)",
                    )
                options.append({"name": name, "label": label})
        return lists

    def survey(self, raw, lists: dict[str, list]) -> list[dict[str, Any]]:
        columns = self._columns(raw)
        missing = [field for field in ("type", "name", "label") if field not in columns]
        for field in missing:
            self.problem("survey", raw.header_row or None, None, f"нет столбца «{field}»")
        if missing:
            return []
        sections: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None  # the open group
        names: set[str] = set()  # every item's and group's: each once
        item_names: set[str] = set()  # what skip logic may read: the items above
        count = 0

        def cell(cells, field: str) -> str:
            return cell_text(cells[columns[field]]) if field in columns else ""

        def where(field: str) -> str:
            return self._place(raw, columns, field)

        for number, cells in raw.rows:
            kind = cell(cells, "type").lower()
            if kind in ("end_group", "end group"):
                if current is None:
                    self.problem("survey", number, where("type"), "«end_group» без открытой группы")
                current = None
                continue
            if kind in META_TYPES:
                continue
            name = cell(cells, "name")
            if not _NAME.fullmatch(name):
                self.problem(
                    "survey",
                    number,
                    where("name"),
                    "имя вопроса — латинские буквы, цифры и «_», с буквы, до 64 знаков" if name else "не указано имя",
                )
            elif name in names:
                self.problem("survey", number, where("name"), f"имя «{name}» уже встречалось выше")
            names.add(name)
            label = cell(cells, "label")
            if len(label) > MAX_TEXT or len(cell(cells, "hint")) > MAX_TEXT:
                self.problem("survey", number, where("label"), f"текст длиннее {MAX_TEXT} символов")
            relevant = self._expression(cells, columns, number, "relevant", item_names, own=False)
            if kind in ("begin_group", "begin group"):
                if current is not None:
                    self.problem(
                        "survey",
                        number,
                        where("type"),
                        "вложенные группы не поддерживаются: закройте предыдущую группу «end_group»",
                    )
                current = {"name": name, "title": label, "relevant": relevant, "items": []}
                sections.append(current)
                continue
            item = self._item(raw, cells, columns, number, kind, lists)
            if item is None:
                continue
            count += 1
            if count > MAX_ITEMS:
                self.problem("survey", number, None, f"в анкете больше {MAX_ITEMS} вопросов")
                break
            if not label:
                self.problem("survey", number, where("label"), "у вопроса нет текста")
            required = cell(cells, "required").lower()
            if required not in _YES | _NO:
                self.problem("survey", number, where("required"), "ожидается «yes» или пусто")
            item.update(
                name=name,
                label=label,
                hint=cell(cells, "hint"),
                required=required in _YES,
                relevant=relevant,
                constraint="",
                constraint_message=cell(cells, "constraint_message"),
            )
            constraint = cell(cells, "constraint")
            if constraint:
                if item["type"] not in ("number", "scale", "date"):
                    self.problem(
                        "survey", number, where("constraint"), "ограничение задаётся только для чисел, шкал и дат"
                    )
                else:
                    item["constraint"] = self._expression(cells, columns, number, "constraint", item_names, own=True)
            item_names.add(name)
            target = current
            if target is None:
                # Items outside any group: the unnamed section they follow, or a new one after a group.
                if not sections or sections[-1]["name"]:
                    sections.append({"name": "", "title": "", "relevant": "", "items": []})
                target = sections[-1]
            target["items"].append(item)
        if current is not None:
            self.problem("survey", None, None, f"группа «{current['name']}» не закрыта строкой «end_group»")
        if not count and not self.problems:
            self.problem("survey", None, None, "в анкете нет ни одного вопроса")
        return sections

    def _item(self, raw, cells, columns, number: int, kind: str, lists) -> dict[str, Any] | None:
        where_type = self._place(raw, columns, "type")
        words = kind.split()
        if words and words[0] in ("select_one", "select_multiple"):
            if len(words) != 2:
                self.problem("survey", number, where_type, f"после «{words[0]}» укажите имя списка вариантов")
                return None
            if words[1] not in lists:
                self.problem("survey", number, where_type, f"списка «{words[1]}» нет на листе «choices»")
                return None
            return {"type": "single" if words[0] == "select_one" else "multiple", "list": words[1]}
        if kind in ("integer", "decimal"):
            return {"type": "number", "integer": kind == "integer"}
        if kind == "date":
            return {"type": "date"}
        if kind == "text":
            appearance = cell_text(cells[columns["appearance"]]).lower() if "appearance" in columns else ""
            return {"type": "long_text" if "multiline" in appearance.split() else "text"}
        if kind == "range":
            return self._scale(raw, cells, columns, number)
        self.problem(
            "survey",
            number,
            where_type,
            f"тип «{kind}» не поддерживается; можно: select_one, select_multiple, range, integer, decimal, date, "
            "text, begin_group, end_group"
            if kind
            else "не указан тип вопроса",
        )
        return None

    def _scale(self, raw, cells, columns, number: int) -> dict[str, Any] | None:
        text = cell_text(cells[columns["parameters"]]) if "parameters" in columns else ""
        values: dict[str, int] = {"start": 1, "end": 5, "step": 1}
        for part in text.replace(";", " ").split():
            key, _, value = part.partition("=")
            if key not in values or not re.fullmatch(r"-?\d{1,6}", value):
                self.problem(
                    "survey",
                    number,
                    self._place(raw, columns, "parameters"),
                    f"непонятный параметр шкалы «{part}»: ожидается start=1 end=5 step=1",
                )
                return None
            values[key] = int(value)
        start, end, step = values["start"], values["end"], values["step"]
        if step <= 0 or end <= start or (end - start) // step + 1 > MAX_SCALE_POINTS:
            self.problem(
                "survey",
                number,
                self._place(raw, columns, "parameters"),
                f"шкала от {start} до {end} с шагом {step} невозможна",
            )
            return None
        return {"type": "scale", "start": start, "end": end, "step": step}

    def _expression(self, cells, columns, number: int, field: str, earlier: set[str], *, own: bool) -> str:
        text = cell_text(cells[columns[field]]) if field in columns else ""
        if not text:
            return ""
        place = f"{column_letters(columns[field] + 1)} («{field}»)"
        try:
            node = logic.parse(text)
        except logic.ExpressionError as exc:
            self.problem("survey", number, place, str(exc))
            return ""
        unknown = sorted(logic.references(node) - earlier)
        if unknown:
            self.problem(
                "survey",
                number,
                place,
                f"условие ссылается на {', '.join(f'«{n}»' for n in unknown)}: такого вопроса выше нет",
            )
        if logic.reads_itself(node) and not own:
            self.problem("survey", number, place, "«.» (сам ответ) можно использовать только в ограничении")
        if own and not logic.reads_itself(node):
            self.problem("survey", number, place, "ограничение должно проверять сам ответ: «.»")
        return text
