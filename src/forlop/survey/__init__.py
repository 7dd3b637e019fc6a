"""Patient-experience surveys (002, the national outpatient survey): questionnaire as data, validation.

``forlop.survey.questionnaire.load`` reads the questionnaire (002's by default);
``forlop.survey.validate.validate_survey`` reads and validates a survey directory. Rules in
docs/definitions.md, "Patient-experience survey (002)".
"""

from forlop.survey.questionnaire import Questionnaire, load
from forlop.survey.validate import validate_survey

__all__ = ["Questionnaire", "load", "validate_survey"]
