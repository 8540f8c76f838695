"""What the case page's plans section reads, through the scoped queries:
``{% load assessments_plans %}{% case_plans case user as plans %}``."""

from __future__ import annotations

from typing import Any

from django import template

from himaya.assessments.queries import plans as queries

register = template.Library()


@register.simple_tag
def case_plans(case: Any, user: Any) -> dict[str, Any]:
    """Both plans with their counts, the latest case conference (its date and organisations) and what the user
    may do."""
    conference = queries.latest_conference(viewer=user, case=case)
    return {
        "summaries": queries.plan_summaries(viewer=user, case=case),
        "conference": conference,
        "conference_organisations": queries.organisation_names(conference.participants) if conference else [],
        "can_change": user.has_perm("assessments.change_plan", case),
        "can_confer": user.has_perm("assessments.record_conference", case),
    }
