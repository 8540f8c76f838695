"""Data migrations of the cases app, run forwards on rows written under the previous schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_organisation

# serialized_rollback: the flush after this test must not leave content types renumbered for the next
# transactional tests (tests/core/test_backup.py restores rows that refer to them).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("cases", "0001_initial")]
AFTER = [("cases", "0003_survivor_lookup_organisation_required")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_blind_index_rows_get_her_organisation_and_copies_for_her_cases_elsewhere() -> None:
    home, elsewhere = make_organisation(), make_organisation()
    apps = _migrate(BEFORE)
    try:
        Survivor = apps.get_model("cases", "Survivor")
        Case = apps.get_model("cases", "Case")
        SurvivorLookup = apps.get_model("cases", "SurvivorLookup")
        alone = Survivor.objects.create(code="S-AAAA-AAAA-A", organisation_id=home.pk)
        shared = Survivor.objects.create(code="S-BBBB-BBBB-B", organisation_id=home.pk)
        for number, survivor, organisation in ((1, alone, home), (2, shared, home), (3, shared, elsewhere)):
            Case.objects.create(
                code=f"D-CCCC-CCC{number}-C", survivor=survivor, organisation_id=organisation.pk
            )
        for survivor in (alone, shared):
            SurvivorLookup.objects.create(survivor=survivor, kind="name", digest=f"n{survivor.pk}")
            SurvivorLookup.objects.create(survivor=survivor, kind="phone", digest=f"p{survivor.pk}")
        apps = _migrate(AFTER)
        rows = apps.get_model("cases", "SurvivorLookup").objects.values_list(
            "survivor_id", "organisation_id", "kind"
        )
        assert sorted(rows) == sorted(
            [
                (alone.pk, home.pk, "name"),
                (alone.pk, home.pk, "phone"),
                (shared.pk, home.pk, "name"),
                (shared.pk, home.pk, "phone"),
                (shared.pk, elsewhere.pk, "name"),
                (shared.pk, elsewhere.pk, "phone"),
            ]
        )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
