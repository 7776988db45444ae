"""Turns a document asked for before its body's blank is set up into the setup-needed page, not a server error.

Letters and the annual report read their blank through ``reports.issuers``; whichever
door a request came through, :class:`~reports.issuers.RequisitesMissing` escaping it
answers with the Russian message and a link to the setup page for those who keep the
blank (others are told whom to ask).
"""

from __future__ import annotations

from django.shortcuts import render

from reports.issuers import RequisitesMissing, requisites_missing_context


class RequisitesMissingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RequisitesMissing):
            return None
        context = requisites_missing_context(user=request.user, missing=exception, back=request.get_full_path())
        # 409: the request is sound, the portal's state (no blank yet) is what stands in the way.
        return render(request, "reports/requisites_missing.html", context, status=409)
