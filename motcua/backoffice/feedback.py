"""What the desk and the counter tell the user once an action has been taken: what happened and
what comes next, as a Django message shown on the next page (the desk)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.core.clock import local
from motcua.dossiers import work
from motcua.dossiers.models import Dossier
from motcua.workflow.actions import ACTIONS
from motcua.workflow.explain import Lang, format_instant
from motcua.workflow.states import TERMINAL, Status


def _lang() -> Lang:
    return "en" if (get_language() or "").startswith("en") else "vi"


def after_intake(request: HttpRequest, dossier: Dossier) -> None:
    """ "Received dossier X; appointment …; print the slip" after the counter's intake."""
    messages.success(
        request,
        _(
            "Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả lúc %(due)s. "
            "Tiếp theo: in giấy tiếp nhận và hẹn trả, giao cho người nộp."
        )
        % {"code": dossier.code, "due": format_instant(local(dossier.due_at), _lang())},
    )


def after_refusal(request: HttpRequest, dossier: Dossier) -> None:
    """After a paper dossier was refused at the counter: print Form 03 for the applicant."""
    messages.success(
        request,
        _(
            "Đã ghi nhận từ chối tiếp nhận hồ sơ %(code)s. Tiếp theo: in Phiếu từ chối tiếp "
            "nhận (Mẫu 03), giao cho người nộp."
        )
        % {"code": dossier.code},
    )


def after_action(request: HttpRequest, action: str, dossier: Dossier) -> None:
    """ "Done: <action>. The dossier is now <status>. Next: <what it waits for>"."""
    if action == "accept":
        messages.success(
            request,
            _(
                "Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả lúc %(due)s; người nộp đã được "
                "báo mã hồ sơ và ngày hẹn. Có thể in giấy tiếp nhận và hẹn trả."
            )
            % {"code": dossier.code, "due": format_instant(local(dossier.due_at), _lang())},
        )
        return
    label = ACTIONS[action].label.in_language(get_language())
    done = _("Đã thực hiện: %(action)s. Hồ sơ %(code)s nay ở trạng thái «%(status)s».") % {
        "action": label,
        "code": dossier.code,
        "status": dossier.status_label,
    }
    if Status(dossier.status) in TERMINAL:
        after = _("Hồ sơ đã kết thúc, không còn việc phải làm.")
    else:
        after = _("Tiếp theo: %(next)s.") % {"next": work.waiting_label(dossier, get_language())}
    messages.success(request, f"{done} {after}")
