"""The annual_report command: both files written, an unknown period refused."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_command_writes_both_files(year, tmp_path):
    out, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    stdout = io.StringIO()
    call_command("annual_report", period=2025, out=str(out), xlsx=str(xlsx), stdout=stdout)
    assert out.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 1000
    assert "стр." in stdout.getvalue()


def test_the_command_refuses_an_unknown_period(world, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("annual_report", period=1999, out=str(tmp_path / "x.pdf"))
