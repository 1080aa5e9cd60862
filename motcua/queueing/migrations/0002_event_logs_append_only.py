from django.db import migrations

TABLES = ("queueing_ticketevent", "queueing_counterevent")


def protect(apps, schema_editor):
    from motcua.core import append_only

    for table in TABLES:
        append_only.protect(schema_editor, table)


def unprotect(apps, schema_editor):
    from motcua.core import append_only

    for table in TABLES:
        append_only.unprotect(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("queueing", "0001_initial")]

    operations = [migrations.RunPython(protect, unprotect)]
