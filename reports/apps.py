from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Адресные рекомендации и отчеты"

    def ready(self) -> None:
        # Findings follow every finished indicator run.
        from indicators.services import RUN_DONE_HOOKS
        from reports.findings import findings_after_run

        if findings_after_run not in RUN_DONE_HOOKS:
            RUN_DONE_HOOKS.append(findings_after_run)

        # An issued letter reaches its addressees as a notice (in the portal and by e-mail).
        from reports.letters import LETTER_ISSUED_HOOKS
        from reports.notices import notify_letter_issued

        if notify_letter_issued not in LETTER_ISSUED_HOOKS:
            LETTER_ISSUED_HOOKS.append(notify_letter_issued)

        # Annual reports left queued by a broker outage are sent again when it is back.
        from monitoring.shared.dispatch import WAITING_FINDERS
        from reports.annual.jobs import waiting_reports

        if waiting_reports not in WAITING_FINDERS:
            WAITING_FINDERS.append(waiting_reports)
