from django.db import migrations

SCALES = [
    ("overall", "Mức độ hài lòng chung", [
        ["very_satisfied", "Rất hài lòng"], ["satisfied", "Hài lòng"],
        ["neutral", "Bình thường"], ["dissatisfied", "Không hài lòng"]]),
    ("attitude", "Thái độ của cán bộ", [
        ["very_polite", "Rất lịch sự, thân thiện"], ["normal", "Bình thường"],
        ["unfriendly", "Thiếu thân thiện"]]),
]


def load(apps, schema_editor):
    RatingScale = apps.get_model("feedback", "RatingScale")
    for code, name, values in SCALES:
        RatingScale.objects.get_or_create(code=code, defaults={"name": name, "values": values})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
