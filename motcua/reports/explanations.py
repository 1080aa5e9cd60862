"""What each figure of a report counts, in words, for the period, rule and refusal option of
a report: the sentences of `figures.definitions`, shown beside every figure and on every list
of dossiers behind one. Also which figure each one is a part of (its share's denominator).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.reports.figures import ENDED_UNCLASSIFIED, ONLINE_SOURCES, ReportSpec
from motcua.workflow.classification import ClassificationRule

# The figure each one is a part of, and that whole in words (the share's denominator).
PARENTS: dict[str, str] = {
    "carried_over": "to_process",
    "received.total": "to_process",
    **{f"received.{c}": "received.total" for c in ("counter", "online", "postal")},
    **{f"received_online.{s}": "received.online" for s in ONLINE_SOURCES},
    "resolved.total": "to_process",
    "returned.total": "to_process",
    "pending.total": "to_process",
    **{f"resolved.{k}": "resolved.total" for k in ("early", "on_time", "late")},
    **{f"returned.{k}": "returned.total" for k in ("unresolved", "withdrawn")},
    **{f"pending.{k}": "pending.total" for k in ("within_time", "overdue", "awaiting_supplement")},
    "online_service.resolved.total": "resolved.total",
    **{
        f"online_service.resolved.{k}": "online_service.resolved.total"
        for k in ("early", "on_time", "late")
    },
    "online_service.resolved_submitted_online": "online_service.resolved.total",
    "five_on_spot.resolved.total": "resolved.total",
    **{
        f"five_on_spot.resolved.{k}": "five_on_spot.resolved.total"
        for k in ("early", "on_time", "late")
    },
}
WHOLES = {
    "to_process": gettext_lazy("tổng số phải giải quyết"),
    "received.total": gettext_lazy("số mới tiếp nhận"),
    "received.online": gettext_lazy("số tiếp nhận trực tuyến"),
    "resolved.total": gettext_lazy("số đã giải quyết"),
    "returned.total": gettext_lazy("số trả lại, rút hồ sơ"),
    "pending.total": gettext_lazy("số đang giải quyết"),
    "online_service.resolved.total": gettext_lazy("số đã giải quyết có dịch vụ công trực tuyến"),
    "five_on_spot.resolved.total": gettext_lazy("số đã giải quyết theo mô hình 5 tại chỗ"),
}


def _timeliness_words(kind: str, rule: ClassificationRule) -> str:
    if rule == ClassificationRule.DAY:
        words = {
            "early": _("kết thúc vào một ngày trước ngày hẹn trả"),
            "on_time": _("kết thúc đúng ngày hẹn trả (giờ nào trong ngày cũng được)"),
            "late": _("kết thúc vào một ngày sau ngày hẹn trả"),
        }
    elif rule == ClassificationRule.TIMESTAMP:
        words = {
            "early": _("kết thúc vào một ngày trước ngày hẹn trả"),
            "on_time": _("kết thúc trong ngày hẹn trả, không muộn hơn giờ, phút hẹn trả"),
            "late": _("kết thúc sau giờ, phút hẹn trả"),
        }
    else:
        words = {
            "early": _("kết thúc trước buổi làm việc có giờ hẹn trả"),
            "on_time": _(
                "kết thúc trong buổi làm việc có giờ hẹn trả, không muộn hơn giờ, phút hẹn trả"
            ),
            "late": _("kết thúc sau giờ, phút hẹn trả"),
        }
    return words[kind]


def explain(key: str, spec: ReportSpec) -> str:
    """What figure `key` counts and how it adds up, in Vietnamese, for the spec's period,
    rule and refusal option (the words of `figures.definitions`)."""
    start, end = f"{spec.start:%d/%m/%Y}", f"{spec.end:%d/%m/%Y}"
    period = _("từ 00:00 ngày %(start)s đến hết ngày %(end)s") % {"start": start, "end": end}
    due_note = _(
        "Hạn để so sánh là ngày hẹn trả trên phiếu hẹn (lùi thêm khi chờ bổ sung); nếu đã có "
        "văn bản xin lỗi, hẹn lại thì vẫn so với ngày hẹn trả ban đầu."
    )
    resolved = _(
        "Hồ sơ kết thúc xử lý %(period)s và có kết quả giải quyết (đã có kết quả hoặc đã trả "
        "kết quả)"
    ) % {"period": period}
    if spec.count_denied_as_resolved:
        resolved += _(", kể cả văn bản trả lời từ chối")
    else:
        resolved += _(", không tính văn bản trả lời từ chối (tính vào Trả lại hồ sơ)")
    channels = {
        "counter": _("nộp trực tiếp tại bộ phận một cửa"),
        "online": _("nộp trực tuyến trên Cổng dịch vụ công"),
        "postal": _("nộp qua dịch vụ bưu chính công ích"),
    }
    split = _("Bằng Trước hạn + Đúng hạn + Quá hạn.")
    texts: dict[str, str] = {
        "carried_over": _(
            "Hồ sơ tiếp nhận trước 00:00 ngày %(start)s và chưa kết thúc xử lý trước thời điểm "
            "đó (kết thúc trong kỳ, sau kỳ hoặc vẫn đang giải quyết)."
        )
        % {"start": start},
        "received.total": _(
            "Hồ sơ được tiếp nhận %(period)s (không tính hồ sơ mới nộp chưa tiếp nhận, yêu cầu "
            "bổ sung khi tiếp nhận hoặc từ chối tiếp nhận). Bằng Trực tiếp + Trực tuyến + Qua "
            "bưu chính công ích."
        )
        % {"period": period},
        "to_process": _(
            "Bằng Từ kỳ trước chuyển sang + Mới tiếp nhận trong kỳ; và phải bằng Đã giải quyết "
            "+ Trả lại, rút hồ sơ + Đang giải quyết (kiểm tra cân đối)."
        ),
        "resolved.total": f"{resolved}. {split}",
        "returned.total": _("Bằng Trả lại hồ sơ + Rút hồ sơ, dừng xử lý (kết thúc %(period)s).")
        % {"period": period},
        "returned.unresolved": _(
            "Hồ sơ kết thúc %(period)s bằng việc trả lại hồ sơ, không giải quyết"
        )
        % {"period": period}
        + (
            "." if spec.count_denied_as_resolved else _(", kể cả hồ sơ có văn bản trả lời từ chối.")
        ),
        "returned.withdrawn": _("Hồ sơ kết thúc %(period)s vì người nộp xin rút hoặc dừng xử lý.")
        % {"period": period},
        "pending.total": _(
            "Hồ sơ đã tiếp nhận và chưa kết thúc xử lý vào 24:00 ngày %(end)s. Bằng Trong hạn + "
            "Quá hạn + Chờ bổ sung."
        )
        % {"end": end},
        "pending.within_time": _(
            "Đang giải quyết vào cuối kỳ, không chờ bổ sung, ngày hẹn trả (ban đầu) từ ngày "
            "%(end)s trở đi."
        )
        % {"end": end},
        "pending.overdue": _(
            "Đang giải quyết vào cuối kỳ, không chờ bổ sung, ngày hẹn trả (ban đầu) trước ngày "
            "%(end)s."
        )
        % {"end": end},
        "pending.awaiting_supplement": _(
            "Đang giải quyết vào cuối kỳ và đang tạm dừng chờ người nộp bổ sung, hoàn thiện hồ "
            "sơ (thời gian chờ không tính vào thời hạn giải quyết)."
        ),
        "results_by_post": _(
            "Hồ sơ được trả kết quả qua dịch vụ bưu chính công ích %(period)s, kể cả hồ sơ đã "
            "giải quyết ở kỳ trước. Không thuộc phép cộng của tổng số phải giải quyết."
        )
        % {"period": period},
        "online_service.resolved.total": _(
            "Trong số Đã giải quyết: hồ sơ của thủ tục có dịch vụ công trực tuyến (một phần hoặc "
            "toàn trình), nộp qua bất kỳ kênh nào."
        )
        + " "
        + split,
        "online_service.resolved_submitted_online": _(
            "Trong số đã giải quyết có dịch vụ công trực tuyến: hồ sơ nộp trực tuyến."
        ),
        "five_on_spot.resolved.total": _(
            "Trong số Đã giải quyết: hồ sơ giải quyết theo mô hình “5 tại chỗ” (tiếp nhận, thẩm "
            "định, phê duyệt, đóng dấu và trả kết quả ngay tại Trung tâm)."
        )
        + " "
        + split,
        ENDED_UNCLASSIFIED: _(
            "Hồ sơ kết thúc %(period)s ở một trạng thái không phải kết quả nào (dữ liệu lỗi): "
            "nguyên nhân thường gặp khi báo cáo không cân đối."
        )
        % {"period": period},
    }
    for channel, words in channels.items():
        texts[f"received.{channel}"] = _("Hồ sơ được tiếp nhận %(period)s, %(how)s.") % {
            "period": period,
            "how": words,
        }
    sources = {
        "national_portal": _("nộp qua Cổng Dịch vụ công quốc gia"),
        "own_portal": _("nộp qua Cổng dịch vụ công của tỉnh"),
        "counter_assisted": _("nộp trực tuyến tại quầy với sự hỗ trợ của cán bộ"),
        "unrecorded": _("không ghi nơi nộp (thường là hồ sơ nhập từ dữ liệu cũ)"),
    }
    for source, words in sources.items():
        texts[f"received_online.{source}"] = _(
            "Trong số hồ sơ nộp trực tuyến được tiếp nhận %(period)s: %(how)s."
        ) % {"period": period, "how": words}
    for kind in ("early", "on_time", "late"):
        words = _timeliness_words(kind, spec.rule)
        texts[f"resolved.{kind}"] = _("Trong số Đã giải quyết: %(words)s.") % {"words": words}
        texts[f"resolved.{kind}"] += " " + due_note
        texts[f"online_service.resolved.{kind}"] = _(
            "Trong số đã giải quyết có dịch vụ công trực tuyến: %(words)s."
        ) % {"words": words}
        texts[f"five_on_spot.resolved.{kind}"] = _(
            "Trong số đã giải quyết theo mô hình 5 tại chỗ: %(words)s."
        ) % {"words": words}
    return texts[key]


# --- the figures laid out -------------------------------------------------------------------
