from django.core.management import call_command
from django.db import migrations


def load(apps, schema_editor):
    from himaya.core.territories import load_territories

    load_territories(apps.get_model("core", "Region"), apps.get_model("core", "Province"), apps.get_model("core", "City"))


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
