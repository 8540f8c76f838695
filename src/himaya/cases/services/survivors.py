"""Registering and updating survivors; their blind indexes follow every change of an identifying field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.cases import codes
from himaya.cases.models import Survivor, SurvivorLookup
from himaya.cases.normalise import normalise_document_number, normalise_phone
from himaya.cases.policies import require
from himaya.cases.services.common import check_text, save_versioned, unique_code
from himaya.core import audit, crypto
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

NAME_MARKUP = frozenset("<>")  # no name holds them; markup in a name is refused, web and API alike
NAME_FIELDS = ("given_name_latin", "family_name_latin", "given_name_arabic", "family_name_arabic")
IDENTIFYING_FIELDS = (
    *NAME_FIELDS,
    "id_document_number",
    "phone",
    "other_phone",
    "address",
    "identity_notes",
    "safe_contact_instructions",
)
PROFILE_FIELDS = (
    "id_document_type",
    "sex",
    "birth_year",
    "birth_year_estimated",
    "nationality",
    "migration_status",
    "marital_status",
    "children_count",
    "disability",
    "education",
    "occupation",
    "languages",
    "residence_province",
    "safe_to_contact",
    "safe_contact_method",
)
EDITABLE_FIELDS = IDENTIFYING_FIELDS + PROFILE_FIELDS
NAME_MAX, SHORT_MAX = 120, 200
OLDEST_AGE = 110

NAME_PURPOSE, PHONE_PURPOSE, ID_PURPOSE = "survivor-name", "survivor-phone", "survivor-id"


def name_digests(given: str, family: str) -> set[str]:
    """One digest per order of the full name (given family, family given), so either order finds her."""
    given, family = crypto.normalise_text(given), crypto.normalise_text(family)
    full_names = {f"{given} {family}".strip(), f"{family} {given}".strip()} - {""}
    return {crypto.blind_index(name, purpose=NAME_PURPOSE) for name in full_names}


def phone_digest(value: str) -> str | None:
    number = normalise_phone(value)
    return crypto.blind_index(number, purpose=PHONE_PURPOSE) if number else None


def document_digest(value: str) -> str | None:
    number = normalise_document_number(value)
    return crypto.blind_index(number, purpose=ID_PURPOSE) if number else None


def lookup_digests(survivor: Survivor) -> set[tuple[str, str]]:
    """Every (kind, digest) pair under which ``survivor`` must be found."""
    pairs: set[tuple[str, str]] = set()
    for given, family in (
        (survivor.given_name_latin, survivor.family_name_latin),
        (survivor.given_name_arabic, survivor.family_name_arabic),
    ):
        pairs |= {(SurvivorLookup.Kind.NAME, digest) for digest in name_digests(given, family)}
    for phone in (survivor.phone, survivor.other_phone):
        digest = phone_digest(phone)
        if digest:
            pairs.add((SurvivorLookup.Kind.PHONE, digest))
    digest = document_digest(survivor.id_document_number)
    if digest:
        pairs.add((SurvivorLookup.Kind.ID_NUMBER, digest))
    return pairs


def lookup_organisations(survivor: Survivor) -> set[int]:
    """The organisations that may find her through her blind indexes: hers and those of her cases."""
    return {survivor.organisation_id, *survivor.cases.values_list("organisation_id", flat=True)}


def refresh_lookups(survivor: Survivor) -> None:
    """Write her blind indexes, one row per (organisation that may find her, kind, digest); drop stale rows."""
    wanted = {
        (organisation_id, kind, digest)
        for organisation_id in lookup_organisations(survivor)
        for kind, digest in lookup_digests(survivor)
    }
    existing = {
        (row.organisation_id, row.kind, row.digest): row.pk
        for row in survivor.lookups.only("pk", "organisation_id", "kind", "digest")
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        SurvivorLookup.objects.filter(pk__in=stale).delete()
    SurvivorLookup.objects.bulk_create(
        SurvivorLookup(survivor=survivor, organisation_id=organisation_id, kind=kind, digest=digest)
        for organisation_id, kind, digest in sorted(wanted - set(existing))
    )


def lookups_open_to(survivor: Survivor, organisation_id: int) -> None:
    """Let ``organisation_id`` (which now holds a case of hers) find her: her digests are copied for it, without
    decrypting anything. Nothing happens if it already can."""
    rows = SurvivorLookup.objects.filter(survivor=survivor)
    if rows.filter(organisation_id=organisation_id).exists():
        return
    SurvivorLookup.objects.bulk_create(
        [
            SurvivorLookup(survivor=survivor, organisation_id=organisation_id, kind=kind, digest=digest)
            for kind, digest in rows.values_list("kind", "digest").distinct().order_by("kind", "digest")
        ],
        ignore_conflicts=True,
    )


def reindex_all(batch: int = 500) -> dict[str, int]:
    """Recompute every survivor's blind indexes under the current HIMAYA_BLIND_INDEX_KEY (``himaya keys reindex``,
    after the key changed). Batches of ``batch`` survivors, each in its own transaction; safe to run twice."""
    changed = last_id = 0
    while True:
        with transaction.atomic():
            survivors = list(
                Survivor.objects.filter(pk__gt=last_id).order_by("pk").prefetch_related("lookups")[:batch]
            )
            for survivor in survivors:
                before = {(row.kind, row.digest) for row in survivor.lookups.all()}
                if lookup_digests(survivor) != before:
                    refresh_lookups(survivor)
                    changed += 1
        if len(survivors) < batch:
            return {"cases_survivorlookup (survivors reindexed)": changed}
        last_id = survivors[-1].pk


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check what a form or the API submits for a survivor; raise BusinessRuleError with a clear message."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name in IDENTIFYING_FIELDS:
            label = str(getattr(Survivor._meta.get_field(name), "verbose_name", name))
            limit = NAME_MAX if name in NAME_FIELDS else SHORT_MAX if name != "identity_notes" else 20_000
            value = check_text(str(value or ""), label=label, max_length=limit)
            if name in NAME_FIELDS and NAME_MARKUP.intersection(value):
                raise BusinessRuleError(_("%(field)s may not contain < or >.") % {"field": label})
        cleaned[name] = value
    year = cleaned.get("birth_year")
    if year is not None:
        this_year = timezone.localdate().year
        if not this_year - OLDEST_AGE <= int(year) <= this_year:
            raise BusinessRuleError(
                _("The year of birth must lie between %(first)d and %(last)d.")
                % {"first": this_year - OLDEST_AGE, "last": this_year}
            )
    for name in ("phone", "other_phone"):
        if cleaned.get(name) and not normalise_phone(cleaned[name]):
            raise BusinessRuleError(
                _("%(number)s is not a telephone number (for example 0612345678 or +221 77 123 45 67).")
                % {"number": cleaned[name]}
            )
    return cleaned


@transaction.atomic
def survivor_create(*, actor: User, values: Mapping[str, Any]) -> Survivor:
    """Register a survivor for the actor's organisation (the case that makes her visible comes with it)."""
    require(actor, "cases.add_case")
    cleaned = clean_values(values)
    if not any(cleaned.get(name) for name in NAME_FIELDS):
        raise BusinessRuleError(_("Give at least one name, in Latin or Arabic script."))
    survivor = Survivor(
        code=unique_code(Survivor, codes.SURVIVOR_PREFIX),
        organisation_id=actor.organisation_id,
        created_by=actor,
        **cleaned,
    )
    survivor.full_clean()
    survivor.save()
    refresh_lookups(survivor)
    audit.record(AuditAction.CREATE, actor=actor, target=survivor, fields=sorted(cleaned))
    return survivor


@transaction.atomic
def survivor_update(
    *, actor: User, survivor: Survivor, values: Mapping[str, Any], expected_version: int | None
) -> list[str]:
    """Change her details; returns the names of the fields that changed. Stale saves raise RecordConflict."""
    require(actor, "cases.change_survivor", survivor)
    cleaned = clean_values(values)
    if not any(cleaned.get(name, getattr(survivor, name)) for name in NAME_FIELDS):
        raise BusinessRuleError(_("Give at least one name, in Latin or Arabic script."))
    changed = save_versioned(survivor, expected_version=expected_version, values=cleaned)
    if changed:
        if set(changed) & set(IDENTIFYING_FIELDS):
            refresh_lookups(survivor)
        audit.record(AuditAction.UPDATE, actor=actor, target=survivor, fields=changed)
    return changed
