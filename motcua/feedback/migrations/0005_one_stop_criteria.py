"""The built-in scales' positive answers, and the nine criteria of the one-stop evaluation
(Decree 61/2018 art. 31, Circular 01/2018 art. 13; docs/domain/ratings.md#the-nine-criteria)
as one multi-criterion scale, each criterion scored 2, 1 or 0."""

from django.db import migrations

POSITIVE = {"overall": ["very_satisfied", "satisfied"], "attitude": ["very_polite"]}

POINTS = [["2", "Tốt (2 điểm)"], ["1", "Đạt (1 điểm)"], ["0", "Chưa đạt (0 điểm)"]]

CRITERIA = [
    ["c1_total_time", "Tổng thời gian giải quyết so với thời hạn theo quy định"],
    ["c2_agency_time", "Thời gian thực hiện của từng cơ quan tham gia giải quyết"],
    ["c3_contacts", "Số lần phải liên hệ nơi tiếp nhận để hoàn thiện hồ sơ"],
    ["c4_agencies", "Số cơ quan, tổ chức phải liên hệ để hoàn thiện hồ sơ"],
    ["c5_one_stop", "Việc tiếp nhận, giải quyết, trả kết quả qua Bộ phận Một cửa"],
    ["c6_attitude", "Thái độ của cán bộ, công chức, viên chức"],
    ["c7_publicity", "Việc công khai thủ tục hành chính"],
    ["c8_feedback", "Việc tiếp nhận và giải trình phản ánh, kiến nghị"],
    ["c9_online", "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến"],
]


def load(apps, schema_editor):
    RatingScale = apps.get_model("feedback", "RatingScale")
    for code, positive in POSITIVE.items():
        RatingScale.objects.filter(code=code, positive=[]).update(positive=positive)
    RatingScale.objects.get_or_create(
        code="one_stop",
        defaults={
            "name": "Đánh giá giải quyết thủ tục hành chính (9 tiêu chí)",
            "values": POINTS,
            "criteria": CRITERIA,
            "positive": ["2"],
            "on_tablet": False,
        },
    )


def unload(apps, schema_editor):
    apps.get_model("feedback", "RatingScale").objects.filter(code="one_stop").delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0004_collected_ratings")]
    operations = [migrations.RunPython(load, unload)]
