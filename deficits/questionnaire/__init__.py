"""Questionnaires as data: their definition (``spec``), skip logic (``logic``) and XLSForm workbooks (``xlsform``).

Groundwork of the questionnaires issue: a questionnaire is a JSON definition — sections
of items of seven types, required items, skip logic, constraints on numbers — validated
with Russian messages that name the place, and read from or written to the XLSForm
workbook (``survey``/``choices``/``settings``, and the portal's optional ``scoring`` sheet,
``xlsform_scoring``) survey teams design in Excel. Authoring: ``editions`` (the services:
create, save an edition, import and export a workbook), ``definition`` (a builder's JSON
checked by the workbook reader's rules), ``describe`` (conditions told in words).
"""

from deficits.questionnaire.logic import ExpressionError, holds, parse
from deficits.questionnaire.xlsform import (
    FormProblem,
    FormRefused,
    questionnaire_from_xlsform,
    xlsform_from_questionnaire,
)

__all__ = [
    "ExpressionError",
    "FormProblem",
    "FormRefused",
    "holds",
    "parse",
    "questionnaire_from_xlsform",
    "xlsform_from_questionnaire",
]
