"""Codes of the assessments: answers, outcomes, plans. Labels are translated; codes are stable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNKNOWN = "unknown", _("not known")


class Element(models.TextChoices):
    """The three elements of trafficking (Palermo Protocol, Law 27-14)."""

    ACT = "act", _("act")
    MEANS = "means", _("means")
    PURPOSE = "purpose", _("purpose (exploitation)")


class ScreeningOutcome(models.TextChoices):
    NO_INDICATION = "no_indication", _("no indication of trafficking")
    POSSIBLE = "possible", _("possible victim: follow-up needed")
    PRESUMED = "presumed", _("presumed victim of trafficking")


class AgeBasis(models.TextChoices):
    """How the screening knew whether she is a child (the rule differs)."""

    BIRTH_YEAR = "birth_year", _("from her year of birth")
    PRESUMED_MINOR = "presumed_minor", _("presumed a minor (age uncertain)")
    DECLARED_ADULT = "declared_adult", _("adult (declared or documented)")


class Authority(models.TextChoices):
    PROSECUTOR = "prosecutor", _("public prosecutor")
    JUDICIAL_POLICE = "judicial_police", _("judicial police")
    INVESTIGATING_JUDGE = "investigating_judge", _("investigating judge")
    NATIONAL_COMMISSION = "national_commission", _("national commission against trafficking")
    OTHER = "other", _("other competent authority")


class IdentificationDecision(models.TextChoices):
    IDENTIFIED = "identified", _("identified as a victim of trafficking")
    NOT_IDENTIFIED = "not_identified", _("not identified as a victim of trafficking")
    PENDING = "pending", _("decision pending")


class PlanKind(models.TextChoices):
    SAFETY = "safety", _("safety plan")
    CASE = "case", _("case plan")


class PlanNeed(models.TextChoices):
    SAFETY = "safety", _("safety")
    HEALTH = "health", _("health")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial support")
    LEGAL = "legal", _("legal and justice")
    SHELTER = "shelter", _("shelter")
    ECONOMIC = "economic", _("economic empowerment")
    DOCUMENTS = "documents", _("documents and civil status")
    RETURN = "return", _("return and reintegration")


class ActionStatus(models.TextChoices):
    TODO = "todo", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")
