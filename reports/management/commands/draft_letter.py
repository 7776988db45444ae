"""Render the proposed letter of a period as a draft PDF, without saving or issuing anything.

    python manage.py draft_letter --period 2025 --issuer institute --addressees school-heads \
        [--municipality 01] --out letter.pdf
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monitoring.models import MonitoringPeriod, Municipality, Role, User
from reports import letters

ADDRESSEES = {"school-heads": "school_heads", "municipal": "municipal", "institute": "institute"}


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Проект письма с адресными рекомендациями по проблемным зонам периода — в PDF, без регистрации."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="год периода мониторинга")
        parser.add_argument("--issuer", choices=["institute", "municipal"], default="institute")
        parser.add_argument(
            "--addressees",
            required=True,
            help="school-heads, municipal, institute или несколько через запятую (справка)",
        )
        parser.add_argument("--municipality", help="код муниципалитета (для муниципального органа — обязателен)")
        parser.add_argument("--out", required=True, help="файл PDF")

    def handle(self, *args, **opts):
        period = MonitoringPeriod.objects.filter(year=opts["period"]).first()
        if period is None:
            raise CommandError(f"Периода {opts['period']} нет.")
        try:
            kinds = [ADDRESSEES[a.strip()] for a in opts["addressees"].split(",") if a.strip()]
        except KeyError as exc:
            raise CommandError(f"Неизвестный адресат: {exc.args[0]}. Допустимы: {', '.join(ADDRESSEES)}.") from exc
        municipality = None
        if opts["municipality"]:
            municipality = Municipality.objects.filter(code=opts["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Муниципалитета с кодом {opts['municipality']} нет.")
        if opts["issuer"] == "municipal" and municipality is None:
            raise CommandError("Для муниципального органа укажите --municipality.")
        # The shell acts for the whole region, as the institute would; nothing it does is kept.
        user = User(username="draft_letter", role=Role.ANALYST, is_superuser=True, is_active=True)
        content = b""
        try:
            with transaction.atomic():
                issuer = (
                    letters.municipal_issuer(municipality=municipality)
                    if opts["issuer"] == "municipal"
                    else letters.institute_issuer()
                )
                letter = letters.letter_propose(
                    period=period, issuer=issuer, addressee=kinds, municipality=municipality, user=user
                )
                content = letters.letter_render(letter=letter, draft=True)
                conclusions = letter.items.filter(kind="conclusion").count()
                raise _Rollback
        except _Rollback:
            pass
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        Path(opts["out"]).write_bytes(content)
        self.stdout.write(f"{opts['out']}: проект письма, выводов {conclusions}, {len(content)} байт")
