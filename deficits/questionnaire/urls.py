"""The questionnaires' doors, under /surveys/: authoring, campaigns, answering through a link, results."""

from django.urls import path

from deficits.questionnaire.views import authoring, campaigns, respond
from deficits.questionnaire.views import results as results_views

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
    path("campaigns/", campaigns.campaign_list, name="survey-campaign-list"),
    path("campaigns/new/", campaigns.campaign_new, name="survey-campaign-new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="survey-campaign-detail"),
    path("campaigns/<int:pk>/open/", campaigns.campaign_open, name="survey-campaign-open"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close, name="survey-campaign-close"),
    path("campaigns/<int:pk>/remind/", campaigns.campaign_remind, name="survey-campaign-remind"),
    path("campaigns/<int:pk>/links.csv", campaigns.campaign_links, name="survey-campaign-links"),
    path("campaigns/<int:pk>/schools/<int:school_pk>/", campaigns.campaign_school, name="survey-campaign-school"),
    # answering through a personal link
    path("a/<str:token>/", respond.survey_answer, name="survey-answer"),
    path("a/<str:token>/done/", respond.survey_answer_done, name="survey-answer-done"),
    path("a/<str:token>/<int:page>/", respond.survey_answer_page, name="survey-answer-page"),
    # results and exports
    path("campaigns/<int:pk>/results/", results_views.results_page, name="survey-results"),
    path("campaigns/<int:pk>/results/crosstab/", results_views.results_crosstab, name="survey-results-crosstab"),
    path("campaigns/<int:pk>/results/texts/<slug:item>/", results_views.results_texts, name="survey-results-texts"),
    path("campaigns/<int:pk>/results/export.<str:fmt>", results_views.results_export, name="survey-results-export"),
]
