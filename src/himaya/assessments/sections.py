"""The case page's sections of this app (settings.HIMAYA_CASE_SECTIONS): (anchor, title, template, fields shown).
A section whose template does not exist yet is left out of the page."""

from django.utils.translation import gettext_lazy as _

SCREENING = (
    "screening",
    _("Trafficking screening"),
    "assessments/_screening_section.html",
    (
        "screening.outcome",
        "screening.elements",
        "screening.child",
        "screening.screened_at",
        "identification.authority",
        "identification.authority_name",
        "identification.decided_on",
        "identification.decision",
    ),
)
RISK = (
    "risk",
    _("Danger assessment"),
    "assessments/_risk_section.html",
    ("risk.level", "risk.score", "risk.assessed_at"),
)
PLANS = (
    "plans",
    _("Safety and case plans"),
    "assessments/_plans_section.html",
    (
        "plan.kind",
        "plan_action.need",
        "plan_action.description",
        "plan_action.due_on",
        "plan_action.status",
        "caseconference.held_on",
        "caseconference.participants",
    ),
)
