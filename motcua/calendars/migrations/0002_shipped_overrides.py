"""Load the known public-sector swaps and corrections (2024–2026) that the `holidays` package
lacks; administrators edit them afterwards in the admin."""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.workflow.calendar import load_shipped_overrides

    DayOverride = apps.get_model("calendars", "DayOverride")
    for item in load_shipped_overrides():
        DayOverride.objects.get_or_create(
            unit=None, day=item.day,
            defaults={"kind": item.kind.value, "reason": item.reason,
                      "legal_basis": item.legal_basis},
        )


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
