"""Every blind-index row has its organisation (filled by 0002), and the search's index starts with it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_survivor_lookup_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="survivorlookup",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.organisation"
            ),
        ),
        migrations.AddIndex(
            model_name="survivorlookup",
            index=models.Index(fields=["organisation", "kind", "digest"], name="survivor_lookup_org_digest"),
        ),
        migrations.AddConstraint(
            model_name="survivorlookup",
            constraint=models.UniqueConstraint(
                fields=("survivor", "organisation", "kind", "digest"), name="survivor_lookup_org_unique"
            ),
        ),
    ]
