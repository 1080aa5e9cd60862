"""One small form per action on the dossier desk, and the call it makes. Every form carries the
dossier version the user saw, so two people acting at once cannot overwrite each other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role, User
from motcua.catalog.models import Unit, UnitKind
from motcua.core.errors import ValidationFailed
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, ReturnChannel


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    label = ""
    danger = False

    action = ""

    def __init__(self, *, dossier: Dossier, data: Any = None, **kwargs: Any) -> None:
        # Each form on the desk has its own prefix, so field ids never collide.
        prefix = kwargs.pop("prefix", None) or self.action or None
        super().__init__(data=data, initial={"version": dossier.version}, prefix=prefix)
        self.dossier = dossier


class NoteForm(ActionForm):
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OpinionForm(ActionForm):
    opinion = forms.CharField(
        label=_("Ý kiến thẩm định"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(ActionForm):
    specialist = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Chuyên viên thụ lý"))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        field = self.fields["specialist"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(
                memberships__role=Role.SPECIALIST,
                memberships__is_active=True,
                memberships__unit__path__in=_ancestor_paths(self.dossier.agency.path),
                is_active=True,
            )
            .distinct()
            .order_by("full_name", "username")
        )


def _ancestor_paths(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class ApproveForm(ActionForm):
    result_number = forms.CharField(label=_("Số văn bản kết quả"), required=False, max_length=60)


class DeliverForm(ActionForm):
    via = forms.ChoiceField(
        label=_("Trả qua"), choices=ReturnChannel.choices, widget=forms.RadioSelect
    )
    postal_item = forms.CharField(label=_("Số hiệu bưu gửi"), required=False, max_length=40)
    recipient = forms.CharField(label=_("Người nhận"), required=False, max_length=200)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields["via"].initial = self.dossier.return_channel


class SupplementForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do yêu cầu bổ sung"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    items = forms.CharField(
        label=_("Giấy tờ cần bổ sung (mỗi dòng một loại)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(
        label=_("Lý do chậm giải quyết"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandOverForm(ActionForm):
    to = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Chuyển tới đơn vị"))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(
            province_code=self.dossier.receiving_unit.province_code,
            kind=UnitKind.AGENCY,
            is_active=True,
        ).exclude(pk=self.dossier.agency_id)


class StepForm(ActionForm):
    step_key = forms.CharField(widget=forms.HiddenInput)
    opinion = forms.CharField(
        label=_("Ý kiến của cơ quan phối hợp"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *, step_key: str = "", **kwargs: Any) -> None:
        super().__init__(prefix=f"step-{step_key}" if step_key else None, **kwargs)
        self.fields["step_key"].initial = step_key


def _form(base: type[ActionForm], label: str, *, danger: bool = False) -> type[ActionForm]:
    return type(base.__name__, (base,), {"label": label, "danger": danger})


def _named(forms_by_action: dict[str, type[ActionForm]]) -> dict[str, type[ActionForm]]:
    for action, form in forms_by_action.items():
        form.action = action
    return forms_by_action


FORMS: dict[str, type[ActionForm]] = _named(
    {
        "transfer": _form(NoteForm, "Chuyển cơ quan giải quyết"),
        "assign": _form(AssignForm, "Phân công thụ lý"),
        "appraise": _form(OpinionForm, "Ghi kết quả thẩm định"),
        "submit_for_approval": _form(NoteForm, "Trình phê duyệt"),
        "send_back": _form(ReasonForm, "Trả lại chuyên viên"),
        "approve": _form(ApproveForm, "Phê duyệt, ký"),
        "refuse": _form(ReasonForm, "Từ chối giải quyết", danger=True),
        "return_result": _form(ActionForm, "Chuyển kết quả về một cửa"),
        "deliver": _form(DeliverForm, "Trả kết quả"),
        "mark_uncollected": _form(ActionForm, "Ghi nhận chưa nhận kết quả"),
        "request_supplement": _form(SupplementForm, "Yêu cầu bổ sung"),
        "receive_supplement": _form(NoteForm, "Xác nhận đã bổ sung"),
        "withdraw": _form(ReasonForm, "Dừng xử lý theo đề nghị rút hồ sơ", danger=True),
        "return_unresolved": _form(ReasonForm, "Trả lại hồ sơ", danger=True),
        "apologise_and_extend": _form(ExtendForm, "Xin lỗi và hẹn lại"),
        "hand_over": _form(HandOverForm, "Chuyển tiếp đơn vị khác"),
        "complete_step": _form(StepForm, "Gửi ý kiến liên thông"),
    }
)


def run_action(action: str, *, dossier: Dossier, by: User, data: Any) -> Dossier:
    """Validate the action's form and call its domain function; invalid input raises a
    ValidationFailed naming the fields, and nothing is written."""
    extra = {"step_key": _step_key(data)} if action == "complete_step" else {}
    form = FORMS[action](dossier=dossier, data=data, **extra)
    if not form.is_valid():
        raise ValidationFailed(
            "Thông tin chưa hợp lệ: " + _errors(form), code="invalid", fields=list(form.errors)
        )
    values = dict(form.cleaned_data)
    seen = Dossier(pk=dossier.pk, version=values.pop("version"))
    return CALLS[action](seen, by, values)


def _step_key(data: Any) -> str:
    for key in data:
        if key.startswith("step-") and key.endswith("-step_key"):
            return str(data[key])
    return ""


def _errors(form: forms.Form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else name}: "
        f"{' '.join(str(e) for e in errors)}"
        for name, errors in form.errors.items()
    )


def _local(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


CALLS: dict[str, Callable[[Dossier, User, dict[str, Any]], Dossier]] = {
    "transfer": lambda d, u, v: actions.transfer_dossier(dossier=d, by=u, note=v["note"]),
    "assign": lambda d, u, v: actions.assign_dossier(dossier=d, by=u, specialist=v["specialist"]),
    "appraise": lambda d, u, v: actions.appraise_dossier(dossier=d, by=u, opinion=v["opinion"]),
    "submit_for_approval": lambda d, u, v: actions.submit_for_approval(
        dossier=d, by=u, note=v["note"]
    ),
    "send_back": lambda d, u, v: actions.send_back(dossier=d, by=u, reason=v["reason"]),
    "approve": lambda d, u, v: actions.approve_dossier(
        dossier=d, by=u, result_number=v["result_number"]
    ),
    "refuse": lambda d, u, v: actions.refuse_dossier(dossier=d, by=u, reason=v["reason"]),
    "return_result": lambda d, u, v: actions.return_result(dossier=d, by=u),
    "deliver": lambda d, u, v: actions.deliver_result(
        dossier=d, by=u, via=v["via"], postal_item=v["postal_item"], recipient=v["recipient"]
    ),
    "mark_uncollected": lambda d, u, v: actions.mark_uncollected(dossier=d, by=u),
    "request_supplement": lambda d, u, v: actions.request_supplement(
        dossier=d, by=u, reason=v["reason"], items=v["items"].splitlines()
    ),
    "receive_supplement": lambda d, u, v: actions.receive_supplement(
        dossier=d, by=u, note=v["note"]
    ),
    "withdraw": lambda d, u, v: actions.withdraw_dossier(dossier=d, by=u, reason=v["reason"]),
    "return_unresolved": lambda d, u, v: actions.return_unresolved(
        dossier=d, by=u, reason=v["reason"]
    ),
    "apologise_and_extend": lambda d, u, v: actions.apologise_and_extend(
        dossier=d, by=u, new_due_at=_local(v["new_due_at"]), reason=v["reason"]
    ),
    "hand_over": lambda d, u, v: actions.hand_over(dossier=d, by=u, to=v["to"], note=v["note"]),
    "complete_step": lambda d, u, v: actions.complete_inter_agency_step(
        dossier=d, by=u, step_key=v["step_key"], opinion=v["opinion"]
    ),
}
