"""On PostgreSQL the database itself refuses to change or remove a dossier event: the code has
no update or delete path, and a trigger makes sure no other client has one either."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION motcua_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossier events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS dossier_event_append_only ON dossiers_dossierevent;
CREATE TRIGGER dossier_event_append_only
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION motcua_refuse_event_change();
"""
DROP = """
DROP TRIGGER IF EXISTS dossier_event_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS motcua_refuse_event_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
