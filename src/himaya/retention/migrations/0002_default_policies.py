"""The default retention policies (a system administrator may change the delays)."""

from django.db import migrations

DEFAULTS = [
    ("survivor_identity", "anonymise", 5),
    ("notes", "anonymise", 5),
    ("documents", "delete", 2),
    ("incident_descriptions", "anonymise", 5),
    ("assessment_text", "anonymise", 5),
]


def create(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for record_type, action, years in DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            record_type=record_type, defaults={"action": action, "years_after_closure": years}
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
