"""Questionnaires as data: their definition (``spec``), skip logic (``logic``) and XLSForm workbooks (``xlsform``).

Groundwork of the questionnaires issue: a questionnaire is a JSON definition — sections
of items of seven types, required items, skip logic, constraints on numbers — validated
with Russian messages that name the place, and read from or written to the XLSForm
workbook (``survey``/``choices``/``settings``) survey teams design in Excel.
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
