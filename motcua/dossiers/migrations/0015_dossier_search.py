"""Staff search of dossiers (dossiers/search.py): the applicant's name folded without accents
(core/text.py `search_key`),
filled in batches for the dossiers already there, and the indexes the search reads: B-trees
on the phone and the ID number (exact matches); on PostgreSQL, trigram (pg_trgm) GIN indexes on
the code and the folded name, which answer `LIKE '%part%'` without reading the table.

Not atomic: each batch commits on its own, so a table of millions of rows is filled without
one long transaction, and the trigram indexes are built CONCURRENTLY (writes go on)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models, transaction

from motcua.core.text import search_key

BATCH = 5000
TRIGRAM_INDEXES = {
    "dossier_code_trgm": "code",
    "dossier_name_folded_trgm": "applicant_name_folded",
}


def fill_folded_names(apps, schema_editor):
    dossier = apps.get_model("dossiers", "Dossier")
    table = dossier._meta.db_table
    update = f"UPDATE {table} SET applicant_name_folded = %s WHERE id = %s"  # noqa: S608
    last = 0
    while True:
        rows = list(
            dossier.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "applicant_name")[:BATCH]
        )
        if not rows:
            return
        with transaction.atomic(), schema_editor.connection.cursor() as cursor:
            cursor.executemany(update, [(search_key(name), pk) for pk, name in rows])
        last = rows[-1][0]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON dossiers_dossier "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0014_dossier_lookup_code"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on SQLite
        migrations.AddField(
            model_name="dossier",
            name="applicant_name_folded",
            field=models.CharField(blank=True, editable=False, max_length=220),
        ),
        migrations.RunPython(fill_folded_names, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["applicant_phone"], name="dossier_applicant_phone"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
