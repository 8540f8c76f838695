"""At rest: no plaintext name, telephone, document number, address or note anywhere in the database (every table,
every column, read with raw SQL), and key rotation re-encrypts survivors without losing them or their search."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from himaya.cases.models import Survivor, SurvivorLookup
from himaya.cases.queries.survivors import SearchCriteria, case_search
from himaya.cases.services import incidents, notes
from himaya.cases.services import survivors as survivor_services
from tests.cases.factories import make_case
from tests.factories import make_user

# Distinctive values: none of them can appear in a table by chance.
SECRETS = {
    "given_name_latin": "Zoubida",
    "family_name_latin": "Qarmouchi-Tazerout",
    "given_name_arabic": "زبيدة",
    "family_name_arabic": "القرموشي",
    "id_document_number": "QZ 987654",
    "phone": "06 61 23 45 89",
    "other_phone": "+221 77 555 44 33",
    "address": "17 Derb Lalla Zinbouqa, Hay Tiqarmoust",
    "identity_notes": "Vit chez sa tante Rkia depuis mars",
    "safe_contact_instructions": "Appeler seulement le mardi vers 10h",
}
NOTE = "Elle craint son beau-frère Abdelkrim Ouazzani"
CONTACT = "Accompagnée au tribunal par Lqarmoudia"
INCIDENT = "Frappée dans la cuisine par Hmidou Bouqarnouch"
# Every form in which a value could leak: as typed, normalised, and the pieces of the numbers.
NEEDLES = [
    *SECRETS.values(),
    "zoubida",
    "qarmouchi",
    "تازروت",
    "زبيده",
    "0661234589",
    "661234589",
    "+212661234589",
    "61 23 45 89",
    "221775554433",
    "77 555 44 33",
    "QZ987654",
    "987654",
    "Zinbouqa",
    "Tiqarmoust",
    "Rkia",
    "mardi vers 10h",
    "Abdelkrim",
    "Ouazzani",
    "Lqarmoudia",
    "Hmidou",
    "Bouqarnouch",
]


def _every_cell() -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-empty cell of every table of the database."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the introspection
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview | bytes):
                        text = bytes(value).decode("utf-8", errors="replace")
                    else:
                        text = str(value)
                    cells.append((table, column, text))
    return cells


def _leaks() -> list[str]:
    found = []
    for table, column, text in _every_cell():
        lowered = text.casefold()
        found.extend(
            f"{table}.{column} holds {needle!r}" for needle in NEEDLES if needle.casefold() in lowered
        )
    return found


def test_no_table_of_the_database_holds_a_plaintext_identifying_value(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker, **SECRETS)
    notes.note_add(actor=worker, case=case, body=NOTE)
    notes.contact_add(
        actor=worker, case=case, kind="accompaniment", happened_at=timezone.now(), summary=CONTACT
    )
    incidents.incident_create(
        actor=worker,
        case=case,
        values={"occurred_on": timezone.localdate() - timedelta(days=3), "description": INCIDENT},
    )
    # An update and a search go through the services too (audit trail, timeline, blind indexes).
    survivor = Survivor.objects.get(pk=case.survivor_id)
    survivor_services.survivor_update(
        actor=worker, survivor=survivor, values={"address": SECRETS["address"] + " bis"}, expected_version=1
    )
    assert case_search(worker, SearchCriteria(name="Zoubida Qarmouchi-Tazerout", phone="0661234589")).exists()

    cells = _every_cell()
    assert any(table == "cases_survivor" for table, _column, _text in cells)  # the grep reads real rows
    assert any(table == "cases_note" for table, _column, _text in cells)
    assert _leaks() == []
    # …while the application reads every value back.
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert survivor.family_name_arabic == "القرموشي" and survivor.phone == "06 61 23 45 89"
    assert case.notes.get().body == NOTE
    # The grep itself finds a value written in clear.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_survivor SET address = %s WHERE id = %s", ["chez Zoubida", survivor.pk])
    assert _leaks() == ["cases_survivor.address holds 'Zoubida'", "cases_survivor.address holds 'zoubida'"]


def _raw(survivor: Survivor, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_survivor WHERE id = %s", [survivor.pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_key_rotation_re_encrypts_survivors_and_search_still_finds_them(org: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):  # her caseworker's TOTP secret too
        worker = make_user("caseworker", organisation=org)
        case = make_case(worker, **SECRETS)
        before = {name: _raw(case.survivor, name) for name in survivor_services.IDENTIFYING_FIELDS}
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        out = io.StringIO()
        call_command("keys", "rotate", stdout=out)
        assert "cases_survivor.family_name_arabic" in out.getvalue()
    with override_settings(
        FIELD_ENCRYPTION_KEYS=[new]
    ):  # the old key is gone: everything reads with the new one
        for name in survivor_services.IDENTIFYING_FIELDS:
            assert _raw(case.survivor, name) != before[name], name
        survivor = Survivor.objects.get(pk=case.survivor_id)
        assert {name: getattr(survivor, name) for name in SECRETS} == SECRETS
        for criteria in (
            SearchCriteria(name="qarmouchi-tazerout zoubida"),
            SearchCriteria(name="زبيده القرموشي"),
            SearchCriteria(phone="+212 661 23 45 89"),
            SearchCriteria(phone="00221775554433"),
            SearchCriteria(id_number="qz-987654"),
        ):
            assert list(case_search(worker, criteria)) == [case], criteria
        assert _leaks() == []


def test_reindex_after_a_new_blind_index_key_makes_search_find_her_again(org: Any) -> None:
    worker = make_user("caseworker", organisation=org)
    case = make_case(worker, **SECRETS)
    criteria = SearchCriteria(name="qarmouchi-tazerout zoubida")
    old_digests = set(SurvivorLookup.objects.values_list("digest", flat=True))
    with override_settings(BLIND_INDEX_KEY="a-new-blind-index-key-for-this-test-0123456789"):
        assert list(case_search(worker, criteria)) == []  # the indexes still hold the old key's digests
        out = io.StringIO()
        call_command("keys", "reindex", stdout=out)
        assert "Reindexed 1 records" in out.getvalue()
        assert list(case_search(worker, criteria)) == [case]
        assert list(case_search(worker, SearchCriteria(id_number="QZ 987654"))) == [case]
        assert not old_digests & set(SurvivorLookup.objects.values_list("digest", flat=True))
        call_command("keys", "reindex", stdout=out)  # twice: nothing left to do
        assert "Reindexed 0 records" in out.getvalue()
