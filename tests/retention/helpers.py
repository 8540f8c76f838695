"""A survivor with one case full of identifying text, and raw-database checks for retention tests."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from himaya.accounts.models import User
from himaya.assessments.models import (
    CaseConference,
    FormalIdentification,
    Plan,
    PlanAction,
    RiskAssessment,
    Screening,
)
from himaya.cases import storage
from himaya.cases.models import Case, ClosureRequest, Consent, Incident, Survivor
from himaya.cases.services import consents, documents, incidents, notes
from himaya.core import crypto
from tests.cases.factories import make_case

SECRETS = {
    "given_name_latin": "Zoubida",
    "family_name_latin": "Qarmouchi-Tazerout",
    "given_name_arabic": "زبيدة",
    "family_name_arabic": "القرموشي",
    "id_document_number": "QZ 987654",
    "phone": "06 61 23 45 89",
    "other_phone": "+221 77 555 44 33",
    "address": "17 Derb Lalla Zinbouqa",
    "identity_notes": "Vit chez sa tante Rkia",
    "safe_contact_instructions": "Appeler le mardi vers 10h",
}
TEXTS = {
    "note": "Elle craint son beau-frère Abdelkrim",
    "contact": "Accompagnée par Lqarmoudia",
    "incident": "Frappée par Hmidou Bouqarnouch",
    "document_title": "Certificat Bouzniqa",
    "screening": "Passeport gardé par Moulay Hafid",
    "reference": "PV 4471-Kenitra",
    "judgement": "Menaces de Hmidou au couteau",
    "action": "Accompagner chez Maître Benqarroum",
    "conference": "Hébergement chez Dar Zinbouqa",
    "closure": "Partie vivre chez Rkia",
}
NEEDLES = [*SECRETS.values(), *TEXTS.values(), "zoubida", "qarmouchi", "0661234589", "Rkia", "Hmidou"]
PDF = b"%PDF-1.4\n% Bouzniqa medical certificate\n%%EOF\n"


def full_case(worker: User, **survivor_values: Any) -> Case:
    """An open case holding identifying text in every kind of record retention knows."""
    case = make_case(worker, **{**SECRETS, **survivor_values})
    notes.note_add(actor=worker, case=case, body=TEXTS["note"])
    notes.contact_add(
        actor=worker, case=case, kind="call", happened_at=timezone.now(), summary=TEXTS["contact"]
    )
    incidents.incident_create(
        actor=worker,
        case=case,
        values={
            "occurred_on": timezone.localdate() - timedelta(days=3),
            "description": TEXTS["incident"],
            "involved_physical_assault": True,
            "law_forms": ["physical"],
        },
    )
    consents.consent_give(actor=worker, case=case, purpose="services", method="verbal")
    documents.document_add(
        actor=worker,
        case=case,
        kind="medical_certificate",
        title=TEXTS["document_title"],
        file_name="c.pdf",
        data=PDF,
    )
    Screening.objects.create(
        case=case,
        tool_version="1",
        notes=TEXTS["screening"],
        child=False,
        age_basis="declared_adult",
        outcome="possible",
    )
    FormalIdentification.objects.create(
        case=case,
        authority="prosecutor",
        decided_on=date(2020, 1, 1),
        decision="pending",
        reference=TEXTS["reference"],
    )
    RiskAssessment.objects.create(
        case=case,
        tool_version="1",
        score=3,
        computed_level="medium",
        level="high",
        judgement_reason=TEXTS["judgement"],
    )
    plan = Plan.objects.create(case=case, kind="safety")
    PlanAction.objects.create(plan=plan, need="legal", description=TEXTS["action"], owner=worker)
    CaseConference.objects.create(case=case, held_on=date(2020, 2, 1), decisions=TEXTS["conference"])
    ClosureRequest.objects.create(
        case=case, reason="other", explanation=TEXTS["closure"], status="approved", decision_comment="OK Rkia"
    )
    return case


def close(case: Case, *, years_ago: float) -> None:
    when = timezone.now() - timedelta(days=int(365.25 * years_ago) + 2)
    Case.objects.filter(pk=case.pk).update(status="closed", stage="closure", closed_at=when)
    case.refresh_from_db()


def every_cell() -> list[tuple[str, str, str]]:
    """(table, column, text) of every non-empty cell of the database, Fernet tokens decrypted when they open."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = (
                        bytes(value).decode("utf-8", "replace")
                        if isinstance(value, memoryview | bytes)
                        else str(value)
                    )
                    if text.startswith("gAAAA"):
                        with contextlib.suppress(Exception):  # not a token of ours
                            text = crypto.decrypt(text)
                    cells.append((table, column, text))
    return cells


def traces() -> list[str]:
    """Where any identifying value is still readable (in clear or decryptable), table by table."""
    found = []
    for table, column, text in every_cell():
        lowered = text.casefold()
        found.extend(f"{table}.{column}: {needle!r}" for needle in NEEDLES if needle.casefold() in lowered)
    return sorted(set(found))


def statistics() -> dict[str, Any]:
    """What commissions count: survivors by sex, year of birth and nationality, incidents by form and type, cases
    by status, consents by purpose, documents by kind and size."""
    return {
        "survivors": Counter(
            Survivor.objects.values_list("sex", "birth_year", "nationality", "migration_status")
        ),
        "incidents": Counter(
            (tuple(i.law_forms), i.gbv_type, i.occurred_on, i.reporting_delay) for i in Incident.objects.all()
        ),
        "cases": Counter(Case.objects.values_list("status", "entry_point", "risk_level", "opened_at")),
        "consents": Counter(Consent.objects.values_list("purpose", "method", "given_at")),
        "documents": Counter(Case.objects.values_list("documents__kind", "documents__size")),
        "risk": Counter(RiskAssessment.objects.values_list("score", "level")),
    }


def file_exists(case: Case) -> bool:
    return all(storage.path_of(key).exists() for key in case.documents.values_list("storage_key", flat=True))
