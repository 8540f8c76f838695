from django.db import migrations


def load(apps, schema_editor):
    """Re-run the idempotent territory loader: every province now has at least one city (map centroids)."""
    from himaya.core.territories import load_territories

    load_territories(
        apps.get_model("core", "Region"), apps.get_model("core", "Province"), apps.get_model("core", "City")
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_more_cities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
