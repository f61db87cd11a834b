"""Validation of canonical documents: the rule catalogue, reconciliation, the report.

``validate(document, reference=None, candidate_list=None, plausibility=False)`` returns the
report of ``docs/validation/index.md``; :data:`RULES` is the catalogue.
"""

from telnorm.service.validation.rules import BY_CODE, RULES, catalogue
from telnorm.service.validation.runner import validate

__all__ = ["BY_CODE", "RULES", "catalogue", "validate"]
