"""The deficit diagnostic (``diagnostics``) and the questionnaires and campaigns (``surveys``)."""

from deficits.models.diagnostics import *  # noqa: F403
from deficits.models.diagnostics import __all__ as _diagnostics_all
from deficits.models.surveys import *  # noqa: F403
from deficits.models.surveys import __all__ as _surveys_all

__all__ = [*_diagnostics_all, *_surveys_all]
