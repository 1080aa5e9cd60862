"""Procedure search (catalog/published.py) on PostgreSQL: a trigram (pg_trgm) GIN index on the
folded name, which answers `LIKE '%word%'` for each word of a search."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS procedure_name_folded_trgm "
    "ON catalog_procedureversion USING gin (name_folded gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS procedure_name_folded_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_procedureversion_same_day_and_channel_durations")]
    operations = [TrigramExtension(), migrations.RunPython(forwards, backwards)]
