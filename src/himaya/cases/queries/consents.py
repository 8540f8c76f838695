"""Reading consents: those of one case (scoped by ``visible_to``), one consent, and the consents in force for a
purpose (``active_consent``: what services consult before they use her information)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.accounts.models import Organisation, User
from himaya.cases.models import Case, Consent

# The names the case page records in its READ audit when it lists the consents (cases/records/_consents.html).
CONSENT_FIELDS_SHOWN = (
    "consent.purpose",
    "consent.recipient",
    "consent.shared_information",
    "consent.given_by",
    "consent.method",
    "consent.given_at",
    "consent.expires_on",
    "consent.withdrawn_at",
    "consent.created_by",
)


def consents_of(*, viewer: User, case: Case) -> QuerySet[Consent]:
    """Every consent of ``case`` (in force or not), newest first; never the encrypted columns."""
    return (
        Consent.objects.visible_to(viewer)
        .filter(case=case)
        .defer("guardian_name", "best_interest_reason", "withdrawal_note")
        .select_related("recipient", "created_by", "withdrawn_by")
        .order_by("-given_at", "-id")
    )


def consent_get(*, viewer: User, case: Case, pk: int) -> Consent:
    """Consent ``pk`` of ``case``; 404 when it is not one of this case's or not visible to ``viewer``."""
    consent = (
        Consent.objects.visible_to(viewer)
        .filter(case=case, pk=pk)
        .select_related("case", "recipient")
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def active_consents(
    case: Case, purpose: str, recipient: Organisation | None = None, on: date | None = None
) -> QuerySet[Consent]:
    """The consents of ``case`` for ``purpose`` (and, for sharing, naming ``recipient``) in force on ``on``
    (default today): given by then, not yet expired, not withdrawn (a withdrawal counts from its day)."""
    day = on or timezone.localdate()
    queryset = Consent.objects.filter(case=case, purpose=purpose, given_at__date__lte=day).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__date__gt=day),
    )
    if recipient is not None:
        queryset = queryset.filter(recipient=recipient)
    return queryset.select_related("recipient").order_by("-given_at", "-id")


def active_consent(
    case: Case, purpose: str, recipient: Organisation | None = None, on: date | None = None
) -> Consent | None:
    """The latest consent in force (see ``active_consents``), or None."""
    return active_consents(case, purpose, recipient, on).first()
