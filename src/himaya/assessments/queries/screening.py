"""Reading screenings and formal identifications: a case's history (scoped by ``visible_to``, newest first, without
the encrypted notes), one screening with its notes (404 outside the case or the scope; the read is audited with
the names of the fields shown), and what the result page shows (indicators by element, the rights that follow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.assessments import toolkits
from himaya.assessments.choices import Answer, Element
from himaya.assessments.models import FormalIdentification, Screening
from himaya.assessments.services.screening import KIND, Decision, decision_of, notes_of
from himaya.cases.models import Case
from himaya.cases.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction

# The names the screening page records in its READ audit (never the values).
SCREENING_FIELDS_SHOWN = (
    "screening.tool_version",
    "screening.answers",
    "screening.notes",
    "screening.child",
    "screening.age_basis",
    "screening.elements",
    "screening.outcome",
    "screening.screened_at",
)
SCREENING_LIST_FIELDS = (
    "screening.tool_version",
    "screening.child",
    "screening.age_basis",
    "screening.elements",
    "screening.outcome",
    "screening.screened_at",
)
IDENTIFICATION_FIELDS_SHOWN = (
    "identification.authority",
    "identification.authority_name",
    "identification.decided_on",
    "identification.decision",
    "identification.reference",
)

# What a presumed victim of trafficking is entitled to (Law 27-14; the national referral mechanism).
PRESUMED_RIGHTS: tuple[Promise, ...] = (
    _(
        "Protection: her safety and that of her family, and the confidentiality of her identity and whereabouts."
    ),
    _(
        "Assistance: shelter, health care, psychological support, legal aid and an interpreter, free of charge."
    ),
    _(
        "A period of reflection and recovery, to rest and decide freely whether to cooperate with the "
        "authorities."
    ),
    _("No prosecution or punishment for acts she was compelled to commit as a victim of trafficking."),
    _("For a foreigner: permission to stay in Morocco during the judicial proceedings."),
    _(
        "If she wishes: safe and voluntary return to her country and reintegration, with the International "
        "Organization for Migration (IOM)."
    ),
)
ELEMENT_ORDER = tuple(str(element) for element in Element)


def _allow(viewer: User, case: Case) -> None:
    require(viewer, "assessments.view_assessments", case)


def screenings_of(*, viewer: User, case: Case) -> QuerySet[Screening]:
    """The screenings of ``case`` that ``viewer`` may see, newest first (the history), without their notes."""
    _allow(viewer, case)
    return (
        Screening.objects.visible_to(viewer).filter(case=case).defer("notes").order_by("-screened_at", "-id")
    )


def screening_get(*, viewer: User, case: Case, pk: int) -> Screening:
    """Screening ``pk`` of ``case`` with its notes; 404 when it is not this case's or not visible. Audited."""
    screening = Screening.objects.visible_to(viewer).filter(case=case, pk=pk).select_related("case").first()
    if screening is None:
        raise Http404
    _allow(viewer, case)
    audit.record(AuditAction.READ, actor=viewer, target=screening, fields=list(SCREENING_FIELDS_SHOWN))
    return screening


def identifications_of(*, viewer: User, case: Case) -> QuerySet[FormalIdentification]:
    """The formal identifications of ``case``, newest decision first (with their encrypted reference)."""
    _allow(viewer, case)
    return FormalIdentification.objects.visible_to(viewer).filter(case=case).order_by("-decided_on", "-id")


def identifications_read(*, viewer: User, case: Case) -> list[FormalIdentification]:
    """The formal identifications of ``case``, their reading (references included) audited on the case."""
    found = list(identifications_of(viewer=viewer, case=case))
    if found:
        audit.record(AuditAction.READ, actor=viewer, target=case, fields=list(IDENTIFICATION_FIELDS_SHOWN))
    return found


@dataclass
class IndicatorRow:
    code: str
    label: str
    answer: str
    answer_label: str
    note: str


@dataclass
class ElementRow:
    code: str
    label: str
    answer: str
    answer_label: str
    required: bool
    missing: str  # "", "no" (not indicated) or "unknown" (not known)
    reasons: list[str]
    indicators: list[IndicatorRow]


def element_rows(screening: Screening, decision: Decision | None = None) -> list[ElementRow]:
    """The result page's table: each element, its answer, its reasons, and every indicator with its note."""
    decision = decision or decision_of(screening)
    toolkit = toolkits.get(KIND, screening.tool_version)
    notes = notes_of(screening)
    answer_labels = dict(Answer.choices)
    element_labels = dict(Element.choices)
    rows = []
    for code in ELEMENT_ORDER:
        group = next((g for g in toolkit.groups if g.code == code), None)
        indicators = [
            IndicatorRow(
                code=item.code,
                label=item.label,
                answer=str(screening.answers.get(item.code, Answer.UNKNOWN)),
                answer_label=str(
                    answer_labels.get(screening.answers.get(item.code), answer_labels["unknown"])
                ),
                note=notes.get(item.code, ""),
            )
            for item in (group.items if group is not None else ())
        ]
        answer = decision.elements.get(code, str(Answer.UNKNOWN))
        rows.append(
            ElementRow(
                code=code,
                label=group.label if group is not None else str(element_labels[code]),
                answer=answer,
                answer_label=str(answer_labels.get(answer, answer)),
                required=code in decision.required,
                missing=decision.missing.get(code, ""),
                reasons=decision.reasons.get(code, []),
                indicators=indicators,
            )
        )
    return rows


def missing_labels(decision: Decision) -> list[str]:
    """What keeps the rule from being met, as sentences ("means: not known")."""
    element_labels = dict(Element.choices)
    texts = {"no": _("not indicated"), "unknown": _("not known")}
    return [f"{element_labels[code]}: {texts.get(state, state)}" for code, state in decision.missing.items()]


def reasons_text(decision: Decision) -> str:
    """The reasons in one line: "act: …; means: …; purpose: …" (elements with a yes only)."""
    element_labels = dict(Element.choices)
    parts = [
        f"{element_labels[code]}: {', '.join(labels)}" for code, labels in decision.reasons.items() if labels
    ]
    return "; ".join(parts)


def indicator_list(version: str | None = None) -> dict[str, Any]:
    """The indicator list (the current one by default) with its labels in the active language."""
    toolkit = toolkits.get(KIND, version) if version else toolkits.current(KIND)
    return {
        "version": toolkit.version,
        "title": toolkit.title,
        "groups": [
            {
                "code": group.code,
                "label": group.label,
                "items": [{"code": item.code, "label": item.label} for item in group.items],
            }
            for group in toolkit.groups
        ],
    }
