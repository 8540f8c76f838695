"""Opening a case and starting an intake. (Assignment, status, stage and the intake steps come next to these.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from himaya.accounts.models import User
from himaya.cases import choices, codes
from himaya.cases.models import Case, EventKind, Survivor
from himaya.cases.policies import require
from himaya.cases.services import survivors
from himaya.cases.services.common import event_add
from himaya.core import audit
from himaya.core.models import AuditAction


def _new_code() -> str:
    for _attempt in range(5):
        code = codes.new_code(codes.CASE_PREFIX)
        if not Case.objects.filter(code=code).exists():
            return code
    raise IntegrityError("could not draw a free case code")


@transaction.atomic
def case_open(
    *,
    actor: User,
    survivor: Survivor,
    entry_point: str,
    priority: str = choices.Priority.NORMAL,
    intake_step: str = choices.IntakeStep.CONSENT,
) -> Case:
    """Open a case of the actor's organisation for ``survivor``, assigned to the actor."""
    require(actor, "cases.add_case")
    case = Case(
        code=_new_code(),
        organisation_id=actor.organisation_id,
        survivor=survivor,
        entry_point=entry_point,
        priority=priority,
        intake_step=intake_step,
        created_by=actor,
    )
    case.full_clean()
    case.save()
    case.caseworkers.add(actor)
    event_add(case=case, kind=EventKind.CASE_OPENED, actor=actor, detail={"entry_point": entry_point})
    audit.record(AuditAction.CREATE, actor=actor, target=case, fields=["entry_point", "priority"])
    return case


@transaction.atomic
def intake_start(*, actor: User, survivor_values: Mapping[str, Any], case_values: Mapping[str, Any]) -> Case:
    """First step of the intake: the person and the case, saved together (nothing half on error)."""
    survivor = survivors.survivor_create(actor=actor, values=survivor_values)
    return case_open(
        actor=actor,
        survivor=survivor,
        entry_point=case_values["entry_point"],
        priority=case_values.get("priority", choices.Priority.NORMAL),
    )
