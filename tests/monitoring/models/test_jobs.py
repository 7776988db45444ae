"""Files the jobs generate are stored under names nobody can guess."""

from __future__ import annotations

import re

import pytest

from monitoring import models
from monitoring.intake.exports import export_job_run
from reports.models import AnnualReport, Letter

pytestmark = pytest.mark.django_db


def test_generated_files_are_stored_under_names_nobody_can_guess(world, media_root):
    """exports/2025-1.xlsx could be guessed; the name a user downloads is set by the view instead."""
    job = models.ExportJob.objects.create(period=world.period, user=world.analyst, format="xlsx")
    job = export_job_run(job_id=job.pk)
    assert re.fullmatch(r"exports/[0-9a-f]{32}\.xlsx", job.file.name), job.file.name
    for field in (models.ExportJob._meta.get_field("file"), Letter._meta.get_field("pdf"),
                  AnnualReport._meta.get_field("pdf"), AnnualReport._meta.get_field("xlsx")):  # fmt: skip
        first, second = field.generate_filename(None, "Годовой отчет 2025.pdf"), field.generate_filename(None, "x.pdf")
        assert first != second and "2025" not in first and first.endswith(".pdf")
