"""Each dossier gets its random lookup code (docs/decisions/0009-lookup-code.md); dossiers
received before get one each here (the applicant can have the slip reprinted with it)."""

from django.db import migrations, models

import motcua.dossiers.lookup_codes


def fill_codes(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    batch = []
    for dossier in Dossier.objects.filter(lookup_code="").only("pk").iterator(chunk_size=2000):
        dossier.lookup_code = motcua.dossiers.lookup_codes.new_code()
        batch.append(dossier)
        if len(batch) >= 2000:
            Dossier.objects.bulk_update(batch, ["lookup_code"])
            batch = []
    Dossier.objects.bulk_update(batch, ["lookup_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0013_event_types_merged"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="lookup_code",
            field=models.CharField(
                db_default="",
                default=motcua.dossiers.lookup_codes.new_code,
                editable=False,
                max_length=16,
                verbose_name="mã tra cứu",
            ),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop, elidable=True),
    ]
