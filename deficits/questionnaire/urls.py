"""The questionnaires' doors, under /surveys/: authoring, campaigns, answering through a link, results."""

# URL names start with "survey-" (the access matrix and the write harness classify each).
urlpatterns: list = [
    # authoring (questionnaires, editions, XLSForm)
    # campaigns (targets, invitations, coverage, reminders)
    # answering through a personal link
    # results and exports
]
