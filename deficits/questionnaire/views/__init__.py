"""The questionnaires' pages by area: authoring, campaigns, answering through a link, results."""
