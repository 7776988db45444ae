"""What runs after what: every extension point of the portal, declared here and nowhere else.

Read this file to know what happens after an import is applied, after a computation, after a
letter is issued, which sheets a data package has and which steps build the demo. Each store
is an ordered mapping ``name -> dotted path``; entries run in the order written. The stores
and what their entries receive are listed in ``monitoring.shared.extensions.STORES``; an
unknown store or a path that does not import stops ``manage.py check`` (and so the start).

Dotted paths rather than imports: this file is configuration, like ``MIDDLEWARE``, so the
core's rooms can call into higher apps (indicators, reports) without importing them.
"""

EXTENSIONS: dict[str, dict[str, str]] = {
    # After an import job's rows are written (on commit).
    "import_applied": {
        # The period's indicators are recomputed (debounced: one run for a burst of imports).
        "schedule_computation": "indicators.services.computation_schedule_after_import",
    },
    # After an indicator computation finishes.
    "run_done": {
        # Findings (values past a threshold) feed the recommendations and letters.
        "findings": "reports.findings.findings_after_run",
    },
    # After a letter is registered and sent.
    "letter_issued": {
        # Its addressees get a notice in the portal and by e-mail.
        "notify_addressees": "reports.notices.notify_letter_issued",
    },
    # Work left queued while the broker was down, sent again when it is back (beat, every minute).
    "waiting_work": {
        "imports_and_exports": "monitoring.intake.jobs.waiting_imports_and_exports",
        "indicator_runs": "indicators.services.waiting_runs",
        "annual_reports": "reports.annual.waiting_reports",
    },
    # The data package's sheets (shared/spec/data-package.md); their own `order` sets the
    # order of import and export.
    "sheets": {},
    # Code namespaces the sheets' code columns are looked up in: name -> function(period).
    "code_namespaces": {},
    # The demo region: the core builds organisations, people and direction data, then these run.
    "demo_steps": {
        "diagnostics": "deficits.demo.seed_diagnostics",
        "catalog_and_routes": "iom.demo.seed_iom",
        "indicators": "indicators.demo.seed_indicators",
    },
    # Before the core's demo data are deleted (the higher apps' rows first).
    "demo_wipes": {
        "indicators": "indicators.demo.wipe_indicators",
        "catalog_and_routes": "iom.demo.wipe_iom",
    },
}
