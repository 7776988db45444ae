"""«Участники МО» with the optional column «Руководитель МО» (who heads each association)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from monitoring import models
from monitoring.intake.package.exporter import package_export
from monitoring.intake.package.importer import package_import
from monitoring.services import period_create
from tests.paths import SPEC

pytestmark = pytest.mark.django_db

SHEET = "Участники МО"


@pytest.fixture
def loaded():
    period = period_create(year=2025)
    result = package_import(source=SPEC / "sample-package.zip", period=period)
    assert result.applied, [str(p) for p in result.problems]
    return period


def _members(tmp_path, lines: list[str], name: str = "pkg"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{SHEET}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _heads(period) -> dict[str, str]:
    rows = models.AssociationMember.objects.filter(association__period=period, is_head=True)
    return dict(rows.values_list("association__code", "teacher__code"))


def test_a_package_without_the_column_imports_everyone_as_a_member(loaded):
    assert models.AssociationMember.objects.filter(association__period=loaded).count() == 16
    assert _heads(loaded) == {}


def test_the_column_marks_heads_with_the_package_yes_no_values(loaded, tmp_path):
    folder = _members(
        tmp_path,
        [
            "Код МО,Код педагога,Руководитель МО",
            "МО-1,T000076,да",
            "МО-1,T000032,",
            "МО-2,T000070,нет",
            "МО-2,T000064,+",
        ],
    )
    result = package_import(source=folder, period=loaded)
    assert result.applied, [str(p) for p in result.problems]
    assert result.sheets[SHEET].changed == 2 and result.sheets[SHEET].unchanged == 2
    assert _heads(loaded) == {"МО-1": "T000076", "МО-2": "T000064"}


def test_two_heads_in_one_association_are_refused_naming_both_rows(loaded, tmp_path):
    folder = _members(
        tmp_path,
        ["Код МО,Код педагога,Руководитель МО", "МО-1,T000076,да", "МО-2,T000070,да", "МО-1,T000032,да"],
    )
    result = package_import(source=folder, period=loaded)
    assert not result.applied
    (problem,) = [p for p in result.problems if p.sheet == SHEET]
    assert (problem.row, problem.column) == (4, "Руководитель МО")
    assert "МО-1" in problem.message and "строках 2 и 4" in problem.message
    assert _heads(loaded) == {}


def test_the_head_moves_to_another_member_when_the_file_says_so(loaded, tmp_path):
    first = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-1,T000076,да"], "first")
    assert package_import(source=first, period=loaded).applied
    # The old head demoted and the new one marked in the same file: the constraint holds at
    # every row (PostgreSQL checks it per row), whatever the order of the rows.
    moved = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-1,T000032,да", "МО-1,T000076,нет"], "moved")
    result = package_import(source=moved, period=loaded)
    assert result.applied, [str(p) for p in result.problems]
    assert result.sheets[SHEET].changed == 2
    assert _heads(loaded) == {"МО-1": "T000032"}


def test_a_merge_naming_another_head_without_demoting_the_stored_one_is_refused(loaded, tmp_path):
    first = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-1,T000076,да"], "first")
    assert package_import(source=first, period=loaded).applied
    other = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-1,T000032,да"], "other")
    result = package_import(source=other, period=loaded)
    assert not result.applied
    (problem,) = [p for p in result.problems if p.sheet == SHEET]
    assert problem.row == 2 and "T000076" in problem.message and "с заменой" in problem.message
    assert _heads(loaded) == {"МО-1": "T000076"}
    # Replace makes the file the whole truth: the stored head is no longer one (nor a member).
    replaced = package_import(source=other, period=loaded, replace=True)
    assert replaced.applied, [str(p) for p in replaced.problems]
    assert _heads(loaded) == {"МО-1": "T000032"}
    assert models.AssociationMember.objects.filter(association__period=loaded).count() == 1


def test_a_merge_leaves_heads_the_file_does_not_name(loaded, tmp_path):
    first = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-1,T000076,да"], "first")
    assert package_import(source=first, period=loaded).applied
    second = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-2,T000070,да"], "second")
    assert package_import(source=second, period=loaded).applied
    assert _heads(loaded) == {"МО-1": "T000076", "МО-2": "T000070"}


def test_the_export_writes_the_column_and_reimports_unchanged(loaded, tmp_path):
    marked = _members(tmp_path, ["Код МО,Код педагога,Руководитель МО", "МО-4,T000048,да"], "marked")
    assert package_import(source=marked, period=loaded).applied
    package_export(period=loaded, path=tmp_path / "out")
    lines = (tmp_path / "out" / f"{SHEET}.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Код МО,Код педагога,Руководитель МО"
    assert "МО-4,T000048,да" in lines and "МО-1,T000076,нет" in lines
    again = package_import(source=tmp_path / "out", period=loaded)
    assert again.applied and again.sheets[SHEET].changed == 0 and again.sheets[SHEET].unchanged == 16
    assert _heads(loaded) == {"МО-4": "T000048"}


def test_the_database_holds_one_head_per_association(loaded):
    members = models.AssociationMember.objects.filter(association__period=loaded, association__code="МО-1")
    first, second = members.order_by("teacher__code")[:2]
    first.is_head = True
    first.save()
    second.is_head = True
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # Another association may have its own head.
    other = models.AssociationMember.objects.filter(association__period=loaded, association__code="МО-2").first()
    other.is_head = True
    other.save()
    assert _heads(loaded) == {"МО-1": first.teacher.code, "МО-2": other.teacher.code}
