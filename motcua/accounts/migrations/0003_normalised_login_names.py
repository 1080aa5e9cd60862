# Login names are kept in one form (NFKC, case-folded): see User.normalize_username.

import unicodedata

import motcua.accounts.models
from django.db import migrations


def _normalised(name):
    folded = unicodedata.normalize("NFKC", name).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def normalise_login_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = {}
    for pk, name in User.objects.values_list("pk", "username"):
        taken.setdefault(_normalised(name), []).append((pk, name))
    clashes = {form: users for form, users in taken.items() if len(users) > 1}
    if clashes:
        listed = "; ".join(" / ".join(name for _, name in users) for users in clashes.values())
        raise RuntimeError(
            "Login names that differ only by case or width must be renamed first: " + listed
        )
    for form, [(pk, name)] in taken.items():
        if form != name:
            User.objects.filter(pk=pk).update(username=form)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_membership_role"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", motcua.accounts.models.UserManager()),
            ],
        ),
        migrations.RunPython(normalise_login_names, migrations.RunPython.noop),
    ]
