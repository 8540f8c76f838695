"""Load the two-facet service taxonomy of domain.md (needs, populations) in French, Arabic and English."""

from django.db import migrations


def load(apps, schema_editor):
    from himaya.directory.data.taxonomy import NEEDS, NEEDS_TAXONOMY, POPULATIONS, POPULATIONS_TAXONOMY

    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    for (code, name, description), terms in ((NEEDS_TAXONOMY, NEEDS), (POPULATIONS_TAXONOMY, POPULATIONS)):
        taxonomy, _ = Taxonomy.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "version": "1"}
        )
        for position, term in enumerate(terms):
            TaxonomyTerm.objects.update_or_create(
                taxonomy=taxonomy,
                code=term.code,
                defaults={
                    "family": term.family,
                    "name": term.fr,
                    "name_ar": term.ar,
                    "name_en": term.en,
                    "language": "fr",
                    "position": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
