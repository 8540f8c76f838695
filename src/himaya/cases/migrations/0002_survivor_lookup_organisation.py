"""Blind-index rows carry the organisation that may find her through them (hers and those of her cases)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_organisations(apps, schema_editor):
    """Existing rows become her organisation's; rows are copied for every other organisation of her cases."""
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:  # check foreign keys now: PostgreSQL will not index a table with checks pending
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    SurvivorLookup = apps.get_model("cases", "SurvivorLookup")
    Survivor = apps.get_model("cases", "Survivor")
    Case = apps.get_model("cases", "Case")
    SurvivorLookup.objects.update(
        organisation_id=models.Subquery(
            Survivor.objects.filter(pk=models.OuterRef("survivor_id")).values("organisation_id")[:1]
        )
    )
    elsewhere = (
        Case.objects.exclude(organisation_id=models.F("survivor__organisation_id"))
        .values_list("survivor_id", "organisation_id")
        .distinct()
    )
    for survivor_id, organisation_id in elsewhere.iterator():
        rows = SurvivorLookup.objects.filter(survivor_id=survivor_id).values_list("kind", "digest").distinct()
        SurvivorLookup.objects.bulk_create(
            [
                SurvivorLookup(survivor_id=survivor_id, organisation_id=organisation_id, kind=kind, digest=digest)
                for kind, digest in rows
            ],
            ignore_conflicts=True,
        )
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_hsds_id_description"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="survivorlookup", name="survivor_lookup_unique"),
        migrations.RemoveIndex(model_name="survivorlookup", name="survivor_lookup_digest"),
        migrations.AddField(
            model_name="survivorlookup",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(fill_organisations, migrations.RunPython.noop),
    ]
