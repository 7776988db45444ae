"""The shipped questionnaires stored (new or changed files only), from the command line.

    manage.py questionnaires_shipped

A door: it calls deficits.questionnaire.shipped.shipped_questionnaires_load as the operator
(no user); a deployment can run it on every start, as ``indicator_catalog load --shipped``.
"""

from django.core.management.base import BaseCommand

from deficits.questionnaire.shipped import Action, shipped_questionnaires_load

STATES = {
    Action.CREATED: "загружена",
    Action.EDITION: "новая редакция (прежняя использована в опросах)",
    Action.UPDATED: "обновлена",
    Action.UNCHANGED: "без изменений",
    Action.SKIPPED: "пропущена: анкета с этим кодом создана в институте",
}


class Command(BaseCommand):
    help = "Загрузить анкеты, поставляемые с порталом (fixtures/questionnaires), если они новые или изменились."

    def handle(self, *args, **options):
        for item in shipped_questionnaires_load(user=None):
            self.stdout.write(f"{item.code}: {STATES[item.action]}")
