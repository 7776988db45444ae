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
    # After a curator or a head comments on a teacher's route.
    "route_commented": {
        # The teacher gets a notice in the portal (and the comment in their next digest).
        "notify_teacher": "reports.notices.notify_route_comment",
    },
    # After the head approves a route or returns it with a comment.
    "route_reviewed": {
        "notify_teacher": "reports.notices.notify_route_reviewed",
    },
    # Work left queued while the broker was down, sent again when it is back (beat, every minute).
    "waiting_work": {
        "imports_and_exports": "monitoring.intake.tasks.waiting_imports_and_exports",
        "indicator_runs": "indicators.services.waiting_runs",
        "annual_reports": "reports.annual.jobs.waiting_reports",
    },
    # The data package's sheets (shared/spec/data-package.md); their own `order` sets the
    # order of import and export.
    "sheets": {
        "region": "monitoring.intake.package.sheets.org.RegionSheet",
        "municipalities": "monitoring.intake.package.sheets.org.MunicipalitySheet",
        "schools": "monitoring.intake.package.sheets.org.SchoolSheet",
        "teachers": "monitoring.intake.package.sheets.people.TeacherSheet",
        "staffing": "monitoring.intake.package.sheets.people.StaffingSheet",
        "experts": "monitoring.intake.package.sheets.directions.ExpertSheet",
        "activists": "monitoring.intake.package.sheets.directions.ActivistSheet",
        "projects": "monitoring.intake.package.sheets.directions.ProjectSheet",
        "project_participants": "monitoring.intake.package.sheets.directions.ProjectParticipantSheet",
        "mentoring_programs": "monitoring.intake.package.sheets.directions.MentoringProgramSheet",
        "mentoring_pairs": "monitoring.intake.package.sheets.directions.MentoringPairSheet",
        "competitions": "monitoring.intake.package.sheets.directions.CompetitionSheet",
        "attestations": "monitoring.intake.package.sheets.attestation.AttestationSheet",
        "associations": "monitoring.intake.package.sheets.associations.AssociationSheet",
        "association_members": "monitoring.intake.package.sheets.associations.AssociationMemberSheet",
        "association_events": "monitoring.intake.package.sheets.associations.AssociationEventSheet",
        "digital": "monitoring.intake.package.sheets.digital.DigitalSheet",
        "diagnostics": "deficits.sheets.DiagnosticSheet",
        "programs": "iom.sheets.ProgramSheet",
        "courses": "iom.sheets.CourseSheet",
        "enrollments": "iom.sheets.EnrollmentSheet",
        "routes": "iom.sheets.RouteSheet",
        "route_activities": "iom.sheets.ActivitySheet",
    },
    # Code namespaces the sheets' code columns are looked up in: name -> function(period).
    "code_namespaces": {
        "municipality": "monitoring.intake.package.sheets.codes.municipality_codes",
        "school": "monitoring.intake.package.sheets.codes.school_codes",
        "teacher": "monitoring.intake.package.sheets.codes.teacher_codes",
        "roster": "monitoring.intake.package.sheets.codes.roster_codes",
        "region": "monitoring.intake.package.sheets.codes.region_codes",
        "support_project": "monitoring.intake.package.sheets.codes.support_project_codes",
        "mentoring_program": "monitoring.intake.package.sheets.codes.mentoring_program_codes",
        "association": "monitoring.intake.package.sheets.codes.association_codes",
        "program": "iom.sheets.program_codes",
        "course": "iom.sheets.course_codes",
    },
    # The demo region: the core builds organisations, people and direction data, then these run.
    "demo_steps": {
        "diagnostics": "deficits.demo.seed_diagnostics",
        "catalog_and_routes": "iom.demo.seed_iom",
        # The shipped indicator catalogs, the Zhirnovsk one adopted by the collecting period (computed next).
        "indicator_catalogs": "indicators.declarative.shipped.seed_catalogs",
        # The shipped questionnaires, and an anonymous burnout screening of a 10 % sample of the
        # collecting period, answered, so the questionnaires' catalog (adopted above) has values.
        "questionnaires": "deficits.questionnaire.demo.seed_questionnaires",
        "indicators": "indicators.demo.seed_indicators",
        "institute_setup": "reports.demo.seed_institute",
        # The institute's letters are signed by the demo's «director», not by their author (after its setup).
        "letter_signatory": "reports.letters.demo.seed_signatory",
        # The council adopting the recommendations and its meeting, the closed period's results
        # presented, and the plan's reminders of the day (the demo logins' notices).
        "cycle": "reports.plan.demo.seed_cycle",
    },
    # Before the core's demo data are deleted (the higher apps' rows first).
    "demo_wipes": {
        "indicators": "indicators.demo.wipe_indicators",
        "catalog_and_routes": "iom.demo.wipe_iom",
        "questionnaires": "deficits.questionnaire.demo.wipe_questionnaires",
        "cycle": "reports.plan.demo.wipe_cycle",
    },
    # In the transaction that stores an indicator catalog file (indicators.declarative.files.catalog_load).
    "catalog_loaded": {
        # The file's conclusions and recommendations join the recommendation library (once each).
        "library_texts": "reports.catalog_texts.catalog_texts_load",
    },
    # When an indicator catalog is exported as a file: the texts it carries.
    "catalog_dumped": {
        "library_texts": "reports.catalog_texts.catalog_texts_dump",
    },
    # Lines of each role's home page after the core's own (data status, schools that have not
    # submitted), in this order: the teacher's next step and the routes waiting, the last
    # indicator run, the letters and annual reports.
    # Sections of a period's page the apps above supply, in this order.
    "period_sections": {
        # The presentations of the period's results and their materials (reports, letters).
        "presentations": "reports.presentations.period_section",
    },
    "home_todos": {
        "routes": "iom.home.route_todos",
        "indicators": "indicators.home.run_todos",
        "letters_and_reports": "reports.home.letter_and_report_todos",
    },
    # Whom a questionnaire campaign reaches, for kinds whose data live above deficits
    # (deficits.questionnaire.targets has the others): a course run's participants.
    "survey_targets": {
        "course_run": "iom.survey_targets.COURSE_RUN",
    },
}
