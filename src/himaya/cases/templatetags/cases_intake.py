"""The intake's progress bar and "where to resume" link, for every step's page (the case core's and the steps
written with incidents and consents): ``{% load cases_intake %}{% intake_progress case "consent" %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from himaya.cases import choices

register = template.Library()

# The route of each step (cases:intake_consent and cases:intake_incident come with consents and incidents).
STEP_ROUTES: dict[str, str] = {
    choices.IntakeStep.CONSENT: "cases:intake_consent",
    choices.IntakeStep.INCIDENT: "cases:intake_incident",
    choices.IntakeStep.NEEDS: "cases:intake_needs",
}
ORDER = list(choices.IntakeStep.values)


def step_url(case: Any, step: str) -> str:
    """The page of ``step`` for ``case`` ("" when that step has no page)."""
    route = STEP_ROUTES.get(step)
    if route is None:
        return ""
    try:
        return reverse(route, kwargs={"code": case.code})
    except NoReverseMatch:
        return ""


@register.simple_tag
def intake_url(case: Any) -> str:
    """Where to resume the intake of ``case``: its current step's page (the case page once complete)."""
    position = ORDER.index(case.intake_step) if case.intake_step in ORDER else 0
    for step in ORDER[max(position, 1) :]:
        url = step_url(case, step)
        if url:
            return url
    return reverse("cases:case_detail", kwargs={"code": case.code})


@register.inclusion_tag("cases/_intake_progress.html")
def intake_progress(case: Any, current: str = "") -> dict[str, Any]:
    """Steps done, the step shown (``current``, else the case's step) and those to come, each with its link."""
    reached = ORDER.index(case.intake_step) if case.intake_step in ORDER else 0
    shown = current if current in ORDER else ORDER[min(reached, len(ORDER) - 2)]
    steps = []
    for position, (value, label) in enumerate(choices.IntakeStep.choices):
        if value == choices.IntakeStep.DONE:
            continue
        state = "done" if position < reached else "todo"
        if value == shown:
            state = "current"
        url = "" if value == choices.IntakeStep.SURVIVOR else step_url(case, value)
        steps.append({"number": position + 1, "label": label, "state": state, "url": url})
    total = len(steps)
    done = min(reached, total)
    return {
        "case": case,
        "steps": steps,
        "percent": round(100 * done / total),
        "done": done,
        "total": total,
    }
