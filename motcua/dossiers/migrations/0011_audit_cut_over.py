"""The keyed audit chain begins (docs/decisions/0007-audit-chain.md).

The events already written keep their plain SHA-256 chain and are not rewritten. What they are
now is sealed with the audit key: each dossier's chain head (its last sequence and hash), and
the log head, which records how many plain-hash events there are and the last one's id; from
here on `motcua audit verify` accepts plain-hash events only up to there.

SQLite gets the append-only triggers PostgreSQL has had since 0002."""

from django.conf import settings
from django.db import migrations
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

BATCH = 1000


def cut_over(apps, schema_editor):
    from motcua.dossiers import audit

    Event = apps.get_model("dossiers", "DossierEvent")
    Head = apps.get_model("dossiers", "DossierChainHead")
    Log = apps.get_model("dossiers", "EventLogHead")
    key_id = settings.AUDIT_KEY_ID
    latest = Event.objects.filter(dossier_id=OuterRef("dossier_id")).order_by("-sequence")
    lasts = Event.objects.filter(sequence=Subquery(latest.values("sequence")[:1]))
    batch = []
    for code, sequence, hash_ in lasts.values_list("dossier__code", "sequence", "hash").iterator(
        chunk_size=BATCH
    ):
        mac = audit.dossier_head_mac(
            code=code, last_sequence=sequence, last_hash=hash_, key_id=key_id
        )
        batch.append(
            Head(dossier_code=code, last_sequence=sequence, last_hash=hash_, key_id=key_id, mac=mac)
        )
        if len(batch) >= BATCH:
            Head.objects.bulk_create(batch)
            batch = []
    Head.objects.bulk_create(batch)
    legacy = Event.objects.aggregate(count=Count("id"), last=Max("id"))
    head = Log(
        pk=audit.LOG_HEAD_ID,
        legacy_events=legacy["count"],
        legacy_last_id=legacy["last"] or 0,
        cut_over_at=timezone.now(),
        key_id=key_id,
    )
    head.mac = audit.log_head_mac(head)
    head.save(force_insert=True)


def undo_cut_over(apps, schema_editor):
    apps.get_model("dossiers", "DossierChainHead").objects.all().delete()
    apps.get_model("dossiers", "EventLogHead").objects.all().delete()


def protect_on_sqlite(apps, schema_editor):
    from motcua.core import append_only

    if schema_editor.connection.vendor == "sqlite":
        append_only.protect(schema_editor, "dossiers_dossierevent")


def unprotect_on_sqlite(apps, schema_editor):
    from motcua.core import append_only

    if schema_editor.connection.vendor == "sqlite":
        append_only.unprotect(schema_editor, "dossiers_dossierevent")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0010_event_log_heads")]
    operations = [
        migrations.RunPython(cut_over, undo_cut_over),
        migrations.RunPython(protect_on_sqlite, unprotect_on_sqlite),
    ]
