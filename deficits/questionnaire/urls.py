"""The questionnaires' doors, under /surveys/: authoring, campaigns, answering through a link, results."""

from django.urls import path

from deficits.questionnaire.views import respond

# URL names start with "survey-" (the access matrix and the write harness classify each).
urlpatterns: list = [
    # authoring (questionnaires, editions, XLSForm)
    # campaigns (targets, invitations, coverage, reminders)
    # answering through a personal link
    path("a/<str:token>/", respond.survey_answer, name="survey-answer"),
    path("a/<str:token>/done/", respond.survey_answer_done, name="survey-answer-done"),
    path("a/<str:token>/<int:page>/", respond.survey_answer_page, name="survey-answer-page"),
    # results and exports
]
