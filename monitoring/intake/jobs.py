"""Import jobs: an upload kept with its result, checked first and applied on confirmation.

Every door (the staff's import page, the school head's upload, the API) stores
the file in an ImportJob, checks it with a dry run, and applies the same stored file
when the user confirms — so what is confirmed is exactly what was previewed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from monitoring.intake.package import registry
from monitoring.intake.package.error_report import error_workbook
from monitoring.intake.package.importer import ImportResult, package_import
from monitoring.intake.package.parsing import thousands
from monitoring.intake.package.preview import KINDS
from monitoring.intake.package.safety import MAX_UPLOAD_BYTES
from monitoring.intake.submissions import can_upload_staffing, school_staffing_import
from monitoring.intake.tasks import import_job_apply_task, import_job_check_task
from monitoring.models import ImportJob, ImportKind, ImportStatus, MonitoringPeriod, School
from monitoring.models.scoping import can_see_personal_data, can_write_region
from monitoring.shared import extensions
from monitoring.shared.bulk import SAMPLE
from monitoring.shared.dispatch import send_beside_on_commit, send_on_commit

log = logging.getLogger(__name__)


# A file can be wrong in every one of its rows: the first problems are enough to fix it by,
# and all of a 300,000-row file's were more than the database takes in one message.
MAX_PROBLEMS = 1000


def _listed(problems: list, kind: str) -> list[dict]:
    listed = [asdict(p) | {"text": str(p)} for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        text = (
            f"Показаны первые {MAX_PROBLEMS} {kind}; еще {thousands(rest)} не показаны. "
            "Исправьте показанные и загрузите файл снова."
        )
        listed.append(
            {
                "sheet": "",
                "row": None,
                "column": None,
                "value": "",
                "message": text,
                "text": text,
                "warning": kind != "ошибок",
            }
        )
    return listed


def _record(job: ImportJob, result: ImportResult, *, applied_status: str) -> ImportJob:
    job.summary = _counts(result)
    job.plan_digest = _plan(result)
    job.problems = _listed(result.problems, "ошибок")
    job.warnings = _listed(result.warnings, "предупреждений")
    job.status = ImportStatus.REFUSED if result.problems else applied_status
    fields = ["summary", "plan_digest", "problems", "warnings", "status"]
    job.preview = result.previews
    fields.append("preview")
    if job.status == ImportStatus.APPLIED:
        job.applied_at = timezone.now()
        fields.append("applied_at")
    job.save(update_fields=fields)
    if job.status == ImportStatus.APPLIED:
        # What runs next (the indicators' recomputation) is declared in config/extensions.py.
        for hook in extensions.callables("import_applied"):
            transaction.on_commit(lambda hook=hook: hook(job))
    if job.status == ImportStatus.REFUSED and job.file and result.rows_read:
        # The verdict is saved (and shown) first; the marked copy follows from the same
        # worker, which has just read the file. A file that could not be read has only
        # its list of problems: reading it again would fail again.
        transaction.on_commit(lambda: _store_error_report_logged(job.pk))
    return job


def _store_error_report_logged(job_id: int) -> None:
    try:
        import_job_store_error_report(job_id=job_id)
    except Exception:  # the verdict stands; the download then has the list of problems alone
        log.exception("error report of import job %s not written", job_id)


def import_job_store_error_report(*, job_id: int) -> ImportJob:
    """Write and keep the refused job's error report: its upload with the bad cells marked.

    Runs in the worker that checked (or applied) the job; the page's download serves the
    stored file and never reads the upload (see views.import_error_report).
    """
    job = ImportJob.objects.select_related("period").get(pk=job_id)
    if job.status != ImportStatus.REFUSED or not job.problems or not job.file:
        return job
    with job.file.open("rb") as handle:
        content = error_workbook(source=handle, filename=job.original_name, problems=job.problems)
    job.error_report.save("errors.xlsx", ContentFile(content), save=False)
    job.save(update_fields=["error_report"])
    return job


HIDDEN = "скрыто"


def job_messages(*, job: ImportJob, user, warnings: bool = False) -> list[dict]:
    """The job's problems (or warnings) as ``user`` may read them.

    A message quotes the bad value; in a personal-data column (birth date, СНИЛС) that
    value is hidden from roles that do not see personal data (the ministry reads the
    region's import history, not its teachers' СНИЛС).
    """
    messages = job.warnings if warnings else job.problems
    if can_see_personal_data(user):
        return messages
    personal = {(s.name, c.title) for s in registry.sheets() for c in s.columns if getattr(c, "personal", False)}
    shown = []
    for message in messages:
        value = message.get("value")
        if value and (message.get("sheet"), message.get("column")) in personal:
            text = message.get("text", "").replace(f"«{value}»", f"«{HIDDEN}»")
            message = message | {"value": HIDDEN, "text": text}
        shown.append(message)
    return shown


def job_preview(*, job: ImportJob, user) -> dict[str, list[dict]]:
    """The job's sheets as the page shows them: those with changes first, with their rows by name.

    ``changed``: sheets whose rows are added, changed or removed, each kind with its count,
    its named rows (up to the sample kept) and how many more there are; ``unchanged``: the
    other sheets, with how many rows they hold as they were. A personal-data field's values
    (birth date, СНИЛС) are hidden from roles that do not see personal data.
    """
    personal_ok = can_see_personal_data(user)
    changed, unchanged = [], []
    for name, counts in (job.summary or {}).items():
        rows = (job.preview or {}).get(name, {})
        if not any(counts.get(kind) for kind in KINDS):
            rows_left = counts.get("unchanged", 0)
            text = ngettext("%(n)d строка", "%(n)d строк", rows_left) % {"n": rows_left} if rows_left else "пусто"
            unchanged.append({"name": name, "rows": rows_left, "text": text})
            continue
        kinds = []
        for kind in KINDS:
            listed = rows.get(kind, [])
            if kind == "changed" and not personal_ok:
                listed = [
                    entry
                    | {
                        "fields": [
                            f | {"before": HIDDEN, "after": HIDDEN} if f.get("personal") else f for f in entry["fields"]
                        ]
                    }
                    for entry in listed
                ]
            count = counts.get(kind, 0)
            # Beyond the sample the count says the rest (a teacher's card and roster row are one line, two changes).
            rest = count - len(listed) if len(listed) >= SAMPLE else 0
            kinds.append({"kind": kind, "count": count, "rows": listed, "rest": max(rest, 0)})
        changed.append({"name": name, "kinds": kinds})
    return {"changed": changed, "unchanged": unchanged}


def progress_key(job_id: int) -> str:
    return f"import-progress-{job_id}"


def import_progress(job_id: int) -> dict | None:
    """What a running job last reported: the sheet and how many of how many are done."""
    try:
        return cache.get(progress_key(job_id))
    except RedisError:
        # The cache is Redis: while it is down the page shows the job, without its progress.
        return None


def _run(job: ImportJob, *, dry_run: bool) -> ImportResult:
    # Progress goes through the cache, not the job row: the import's own transaction
    # would hide row updates from the page that polls until it commits.
    def report(sheet: str, done: int, total: int) -> None:
        cache.set(progress_key(job.pk), {"sheet": sheet, "done": done, "total": total}, timeout=3600)

    with job.file.open("rb") as handle:
        if job.kind == ImportKind.STAFFING:
            return school_staffing_import(
                school=job.school,
                period=job.period,
                file=handle,
                user=job.user,
                filename=job.original_name,
                dry_run=dry_run,
            )
        return package_import(
            source=handle,
            period=job.period,
            user=job.user,
            replace=job.replace,
            dry_run=dry_run,
            filename=job.original_name,
            progress=report,
        )


def import_job_create(
    *,
    kind: str,
    period: MonitoringPeriod,
    user,
    file: UploadedFile,
    replace: bool = False,
    school: School | None = None,
) -> ImportJob:
    """Keep the upload and check it (a dry run); the job then waits for confirmation or is refused."""
    if kind == ImportKind.PACKAGE and not can_write_region(user):
        raise PermissionDenied("Загружать пакет данных региона может только специалист института.")
    if kind == ImportKind.STAFFING:
        if school is None or not can_upload_staffing(user=user, school=school):
            raise PermissionDenied("Загружать данные этой организации вы не можете.")
        replace = True
    job = ImportJob(
        kind=kind,
        period=period,
        user=user,
        school=school,
        replace=replace,
        original_name=(file.name or "файл")[:255],
        status=ImportStatus.CHECKED,
    )
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        # Refused before it is stored: an oversize file is not kept.
        job.problems = [
            {
                "text": f"Файл «{job.original_name}» слишком большой: можно загрузить не более "
                f"{MAX_UPLOAD_BYTES // (1024 * 1024)} МБ."
            }
        ]
        job.status = ImportStatus.REFUSED
        job.file.name = ""
        job.save()
        return job
    job.status = ImportStatus.CHECKING
    job.file.save(job.original_name, file, save=False)
    job.save()
    # A region's package takes seconds to check: a worker does it, the page polls.
    send_on_commit(import_job_check_task, (job.pk,))
    return job


# How many times a worker may start on one step of a job (its check, its apply) before
# the job is refused: a step that never finishes kills its worker (or is killed with it)
# every time, and would otherwise be sent again every ten minutes for a day
# (monitoring.shared.dispatch). Two restarts of the workers in the middle of a step are forgiven.
MAX_ATTEMPTS = 3


def _start_attempt(job: ImportJob, status: str) -> bool:
    """Count a worker's start on the job's current step (committed at once); False when it is used up.

    A used-up job is refused here with a message saying so.
    """
    if not ImportJob.objects.filter(pk=job.pk, status=status).update(attempts=F("attempts") + 1):
        return True  # the job moved on meanwhile: the caller sees its status
    job.refresh_from_db(fields=["attempts"])
    if job.attempts <= MAX_ATTEMPTS:
        return True
    step = "проверка файла" if status == ImportStatus.CHECKING else "загрузка данных"
    job.problems = [
        {
            "sheet": job.original_name,
            "message": f"{step} прерывалась {job.attempts - 1} раза и больше не повторяется",
            "text": f"Файл «{job.original_name}» не удалось обработать: {step} прерывалась {job.attempts - 1} раза "
            f"(процесс обработки завершался аварийно). Откройте файл в Excel, сохраните его заново и загрузите "
            f"снова; если это повторится, сообщите в институт.",
        }
    ]
    job.status = ImportStatus.REFUSED
    job.save(update_fields=["problems", "status"])
    return False


# The database or the broker going away mid-step is the worker's trouble, not the file's:
# the step is sent again (monitoring.shared.dispatch) and counted by _start_attempt.
TRANSIENT = (OperationalError, InterfaceError)


def _refuse_failed_step(job: ImportJob, exc: Exception, status: str) -> ImportJob:
    """End a step that raised in a final state with a message: the job never stays «checking» or «running».

    A refusal the services word themselves (a permission lost, a rule broken) is shown as
    it is; anything else is an error of ours, logged, and told as such. What the step
    wrote was rolled back with its transaction.
    """
    step = "проверка файла" if status == ImportStatus.CHECKING else "загрузка данных"
    if isinstance(exc, PermissionDenied | ValidationError):
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    else:
        log.exception("import job %s: %s failed", job.pk, step)
        reason = (
            "при обработке файла произошла ошибка портала. Данные в портале не изменились; сообщите в институт "
            f"номер загрузки ({job.pk}) — файл сохранен и будет разобран"
        )
    job.problems = [
        {
            "sheet": job.original_name,
            "message": reason,
            "text": f"Файл «{job.original_name}»: {step} не завершена: {reason}",
        }
    ]
    job.status = ImportStatus.REFUSED
    ImportJob.objects.filter(pk=job.pk, status=status).update(problems=job.problems, status=job.status)
    return job


def import_job_check(*, job_id: int) -> ImportJob:
    """Check a stored upload with a dry run (idempotent: only a job still being checked is run)."""
    job = ImportJob.objects.select_related("period", "school", "user").get(pk=job_id)
    if job.status != ImportStatus.CHECKING:
        return job
    if not _start_attempt(job, ImportStatus.CHECKING):
        return job
    try:
        with transaction.atomic():
            return _record(job, _run(job, dry_run=True), applied_status=ImportStatus.CHECKED)
    except TRANSIENT:
        raise
    except Exception as exc:
        return _refuse_failed_step(job, exc, ImportStatus.CHECKING)


def _require_confirmer(job: ImportJob, user) -> None:
    """Who confirms a job: the one who started it; the institute also confirms another's package.

    A school's staffing upload is that school's submission («Представлено», with its head's
    name): nobody else confirms it for them, the institute included.
    """
    if job.user_id == user.pk:
        return
    if job.kind == ImportKind.STAFFING:
        raise PermissionDenied(
            "Подтвердить загрузку организации может только тот, кто ее загрузил: подтверждение — это "
            "представление данных организации."
        )
    if not can_write_region(user):
        raise PermissionDenied("Подтвердить эту загрузку может только тот, кто ее начал.")


def import_job_apply(*, job: ImportJob, user) -> ImportJob:
    """Apply a checked job from its stored file (idempotent: an applied job is returned as it is)."""
    _require_confirmer(job, user)
    if job.status == ImportStatus.APPLIED:
        return job
    if job.status == ImportStatus.CANCELLED:
        raise PermissionDenied("Эта загрузка отменена; чтобы загрузить данные, загрузите файл снова.")
    if job.status not in (ImportStatus.CHECKED, ImportStatus.RUNNING):
        raise PermissionDenied("Эта загрузка отклонена; исправьте файл и загрузите его снова.")
    if job.status == ImportStatus.RUNNING and not _start_attempt(job, ImportStatus.RUNNING):
        return job
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status == ImportStatus.APPLIED:
                return locked
            result = _run(locked, dry_run=False)
            if result.applied and (_counts(result) != locked.summary or _plan(result) != locked.plan_digest):
                raise _PreviewOutdated(result)
            return _record(locked, result, applied_status=ImportStatus.APPLIED)
    except _PreviewOutdated as outdated:
        return _show_again(job, outdated.result)
    except TRANSIENT:
        raise
    except Exception as exc:
        return _refuse_failed_step(job, exc, job.status)


class _PreviewOutdated(Exception):
    """The apply would do other than the preview the user confirmed: undone, shown again."""

    def __init__(self, result: ImportResult):
        super().__init__("the portal's data changed since the preview")
        self.result = result


def _counts(result: ImportResult) -> dict:
    return {name: counts.counts() for name, counts in result.sheets.items()}


def _plan(result: ImportResult) -> str:
    """The writes an import plans, as one digest: which rows, not only how many (SheetResult.digest)."""
    plan = hashlib.blake2b(digest_size=16)
    for name in sorted(result.sheets):
        plan.update(f"{name}:{result.sheets[name].digest};".encode())
    return plan.hexdigest()


OUTDATED = (
    "Данные в портале изменились после проверки файла (например, педагога перевели в другую организацию "
    "или изменили записи периода), и загрузка сделала бы не то, что было показано. Ничего не сохранено. "
    "Ниже — что загрузка изменит теперь; проверьте и подтвердите снова."
)


def _show_again(job: ImportJob, result: ImportResult) -> ImportJob:
    """Put a job whose preview went stale back to «checked» with what it would do now.

    What is confirmed is what was shown: a head's replace-mode upload checked before a
    teacher was moved into the school would otherwise remove that teacher's new row.
    """
    job.summary = _counts(result)
    job.plan_digest = _plan(result)
    job.preview = result.previews
    job.warnings = [
        {"sheet": "", "row": None, "column": None, "value": "", "message": OUTDATED, "text": OUTDATED, "outdated": True}
    ]
    job.warnings += _listed(result.warnings, "предупреждений")
    job.status = ImportStatus.CHECKED
    job.attempts = 0
    ImportJob.objects.filter(pk=job.pk).update(
        summary=job.summary,
        plan_digest=job.plan_digest,
        preview=job.preview,
        warnings=job.warnings,
        status=job.status,
        attempts=0,
    )
    return job


ROSTER_SHEET = "Педагоги"


def removed_teachers(job: ImportJob) -> tuple[int, list[str]]:
    """How many teachers a school's upload removes from its roster, and their names (as many as the preview keeps)."""
    if job.kind != ImportKind.STAFFING:
        return 0, []
    count = (job.summary or {}).get(ROSTER_SHEET, {}).get("removed", 0)
    names = [row["name"] for row in (job.preview or {}).get(ROSTER_SHEET, {}).get("removed", [])]
    return count, names


def removal_acknowledgement(job: ImportJob) -> str:
    """The text a head ticks to confirm the removals: «Удалить N педагогов: …» (empty when nothing is removed)."""
    count, names = removed_teachers(job)
    if not count:
        return ""
    listed = ", ".join(names)
    if count > len(names):
        listed += " " + ngettext("и еще %(n)d педагога", "и еще %(n)d педагогов", count - len(names)) % {
            "n": count - len(names)
        }
    return ngettext("Удалить %(n)d педагога: %(names)s", "Удалить %(n)d педагогов: %(names)s", count) % {
        "n": count,
        "names": listed,
    }


def import_job_confirm(*, job: ImportJob, user, removals_acknowledged: bool = False) -> ImportJob:
    """Mark the job running and hand it to a worker once this transaction commits.

    A school's upload replaces its roster: when it removes teachers, the head confirms
    those removals by name (``removals_acknowledged``), or nothing is applied.
    """
    _require_confirmer(job, user)
    if job.status != ImportStatus.CHECKED:
        return job
    acknowledgement = removal_acknowledgement(job)
    if acknowledgement and not removals_acknowledged:
        raise ValidationError(
            f"Загрузка не подтверждена: она удаляет педагогов из списка организации. Отметьте «{acknowledgement}», "
            "если они больше не работают в организации; если работают — исправьте файл и загрузите его снова."
        )
    # Only a job still waiting for its confirmation starts: one cancelled meanwhile stays cancelled.
    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.RUNNING, attempts=0
    ):
        job.refresh_from_db()
        return job
    job.status = ImportStatus.RUNNING
    job.attempts = 0  # the apply is a new step: the check's attempts do not count against it
    send_beside_on_commit(import_job_apply_task, (job.pk, user.pk), name=f"import-apply-{job.pk}")
    return job


def can_cancel(*, job: ImportJob, user) -> bool:
    """A checked job waiting for its confirmation may be cancelled by its uploader, or by the institute."""
    return job.status == ImportStatus.CHECKED and (job.user_id == user.pk or can_write_region(user))


def import_job_cancel(*, job: ImportJob, user) -> ImportJob:
    """Discard a checked job: its file and its preview go, and it can never be confirmed."""
    if job.user_id != user.pk and not can_write_region(user):
        raise PermissionDenied("Отменить загрузку может только тот, кто ее начал, или специалист института.")
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ImportStatus.CANCELLED:
            return locked
        if locked.status != ImportStatus.CHECKED:
            raise ValidationError(
                f"Загрузку нельзя отменить: ее состояние — «{locked.get_status_display()}». "
                "Отменить можно только проверенную загрузку до ее подтверждения."
            )
        stored = [f for f in (locked.file, locked.error_report) if f]
        names = [(f.storage, f.name) for f in stored]
        locked.status = ImportStatus.CANCELLED
        locked.file = locked.error_report = ""
        locked.preview, locked.plan_digest = {}, ""
        locked.save(update_fields=["status", "file", "error_report", "preview", "plan_digest"])
        # The stored files go once the cancellation is saved for good.
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    return locked
