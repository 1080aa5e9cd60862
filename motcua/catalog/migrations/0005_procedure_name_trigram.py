"""Procedure search (catalog/published.py): the folded name becomes a search key (core/text.py
`search_key`: " dang ky thuong tru", a space before every word, punctuation dropped), refilled
for the versions already there; on PostgreSQL a trigram (pg_trgm) GIN index on it answers
`LIKE '% word%'` for each word of a search."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from motcua.core.text import search_key

CREATE = (
    "CREATE INDEX IF NOT EXISTS procedure_name_folded_trgm "
    "ON catalog_procedureversion USING gin (name_folded gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS procedure_name_folded_trgm"


def refill_search_keys(apps, schema_editor):
    version = apps.get_model("catalog", "ProcedureVersion")
    for pk, name in version.objects.values_list("pk", "name").iterator():
        version.objects.filter(pk=pk).update(name_folded=search_key(name))


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_procedureversion_same_day_and_channel_durations")]
    operations = [
        TrigramExtension(),  # does nothing on SQLite
        migrations.AlterField(
            model_name="procedureversion",
            name="name_folded",
            field=models.CharField(db_index=True, editable=False, max_length=620),
        ),
        migrations.RunPython(refill_search_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
