"""Data intake: every way a file comes into the portal and a period's package goes out.

The room owns the import jobs (:mod:`.jobs`), the package exports (:mod:`.exports`), a
school head's staffing submission and its review (:mod:`.submissions`), their pages
(:mod:`.views`) and forms (:mod:`.forms`), their Celery tasks and the finder that sends
waiting ones again (:mod:`.tasks`), and the admin's import and export buttons for the
reference tables (:mod:`.resources`). Reading and writing the package itself —
the sheets, parsing, file safety — is ``monitoring.intake.package``'s.

The path of an upload:

1. a door (the import page, the head's staffing page, the API) checks the form
   (:mod:`.forms`: suffix and size) and calls :func:`.jobs.import_job_create`, which
   keeps the file in an ``ImportJob`` («checking») and sends the check on commit;
2. a worker runs :func:`.jobs.import_job_check` — a dry run of the package import
   (for a head's upload, :func:`.submissions.school_staffing_import`, limited to the
   school) — and records the preview: counts, planned writes, problems, warnings.
   A refused file gets its error report, the upload with the bad cells marked;
3. the user reads the preview and confirms: :func:`.jobs.import_job_confirm` marks the
   job «running» and sends the apply;
4. a worker runs :func:`.jobs.import_job_apply` on the same stored file and applies it
   only if it would do exactly what was previewed; otherwise the job is shown again.
   An applied job runs the store ``import_applied`` of ``monitoring/config/extensions.py``
   (the indicators recompute its period).

A step the queue could not take stays waiting and is sent again by
:func:`.tasks.waiting_imports_and_exports` (``monitoring.shared.dispatch``).
"""
