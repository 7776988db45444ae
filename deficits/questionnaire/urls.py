"""The questionnaires' doors, under /surveys/: authoring, campaigns, answering through a link, results."""

from django.urls import path

from deficits.questionnaire.views import results as results_views

# URL names start with "survey-" (the access matrix and the write harness classify each).
urlpatterns: list = [
    # authoring (questionnaires, editions, XLSForm)
    # campaigns (targets, invitations, coverage, reminders)
    # answering through a personal link
    # results and exports
    path("campaigns/<int:pk>/results/", results_views.results_page, name="survey-results"),
    path("campaigns/<int:pk>/results/crosstab/", results_views.results_crosstab, name="survey-results-crosstab"),
    path("campaigns/<int:pk>/results/texts/<slug:item>/", results_views.results_texts, name="survey-results-texts"),
    path("campaigns/<int:pk>/results/export.<str:fmt>", results_views.results_export, name="survey-results-export"),
]
