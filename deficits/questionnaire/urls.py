"""The questionnaires' doors, under /surveys/: authoring, campaigns, answering through a link, results."""

from django.urls import path

from deficits.questionnaire.views import authoring

# URL names start with "survey-" (the access matrix and the write harness classify each).
urlpatterns: list = [
    # authoring (questionnaires, editions, XLSForm)
    path("questionnaires/", authoring.questionnaire_list, name="survey-questionnaire-list"),
    path("questionnaires/new/", authoring.questionnaire_new, name="survey-questionnaire-new"),
    path("questionnaires/import/", authoring.questionnaire_import, name="survey-questionnaire-import"),
    path("questionnaires/<slug:code>/", authoring.questionnaire_detail, name="survey-questionnaire-detail"),
    path("questionnaires/<slug:code>/edit/", authoring.questionnaire_edit, name="survey-questionnaire-edit"),
    path("questionnaires/<slug:code>/import/", authoring.edition_import, name="survey-edition-import"),
    path(
        "questionnaires/<slug:code>/editions/<int:version>/xlsform/",
        authoring.edition_export,
        name="survey-edition-export",
    ),
    # campaigns (targets, invitations, coverage, reminders)
    # answering through a personal link
    # results and exports
]
