"""Issue an API token from the shell (the same service as the /api-tokens/ page); prints the secret once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitoring import tokens
from monitoring.models import Municipality, Role, School, Teacher, User


class Command(BaseCommand):
    help = "Выпустить токен API для системы (токен печатается один раз)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="система, для которой выпускается токен")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--municipality", help="код муниципалитета (роль municipal)")
        parser.add_argument("--school", help="код ОО (роль school_head)")
        parser.add_argument("--teacher", help="код педагога (роль teacher)")
        parser.add_argument("--by", required=True, help="логин специалиста института, выпускающего токен")

    def handle(self, *args, name, role, municipality, school, teacher, by, **options):
        try:
            issuer = User.objects.get(username=by)
            _token, secret = tokens.api_token_create(
                name=name,
                role=role,
                created_by=issuer,
                municipality=Municipality.objects.get(code=municipality) if municipality else None,
                school=School.objects.get(code=school) if school else None,
                teacher=Teacher.objects.get(code=teacher) if teacher else None,
            )
        except (User.DoesNotExist, Municipality.DoesNotExist, School.DoesNotExist, Teacher.DoesNotExist) as exc:
            raise CommandError(f"Не найдено: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(secret)
