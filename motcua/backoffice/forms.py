"""The counter's intake form: what the officer types, validated and normalised (NFC, trimmed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureVersion, Unit
from motcua.core import identity
from motcua.core.errors import ValidationFailed
from motcua.core.text import (
    TextTooLong,
    clean_lower,
    clean_text,
    clean_upper,
    column_length,
    fitted,
)
from motcua.dossiers.models import Channel, Dossier, ReturnChannel

TOO_LONG = _("Dài quá: tối đa %(limit_value)d ký tự, đã nhập %(show_value)d.")


def refuse_long_input(form: forms.Form) -> None:
    """Let people type past a field's limit and be told, rather than have the browser cut
    what they type without a word (the `maxlength` attribute): the limit stays checked on the
    server, with a message saying how long is allowed."""
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)
        if isinstance(field, forms.CharField) and field.max_length is not None:
            field.error_messages.setdefault("max_length", TOO_LONG)


def checked(normalize: Any, value: str) -> str:
    """`value` through one of `core.identity`'s checks, its refusal as the field's error."""
    try:
        return str(normalize(value))
    except ValidationFailed as failure:
        raise forms.ValidationError(_(failure.message), code=failure.code) from None


class IntakeForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Nơi tiếp nhận"), empty_label=None
    )
    version = forms.ModelChoiceField(
        queryset=ProcedureVersion.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Chọn thủ tục hành chính."),
            "invalid_choice": _("Thủ tục không tồn tại."),
        },
    )
    applicant_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=200,
        error_messages={"required": _("Cần nhập họ tên người nộp hồ sơ.")},
    )
    applicant_id_number = forms.CharField(
        label=_("Số CCCD / mã số thuế"),
        max_length=20,
        required=False,
        help_text=_("CCCD 12 chữ số; CMND 9 chữ số; mã số thuế 10 chữ số; hộ chiếu."),
    )
    applicant_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        help_text=_("Số Việt Nam, ví dụ 0912 345 678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@vidu.vn.")},
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    channel = forms.ChoiceField(
        label=_("Kênh nộp"),
        choices=Channel.choices,
        initial=Channel.COUNTER,
        widget=forms.RadioSelect,
    )
    postal_handover_at = forms.DateTimeField(
        label=_("Thời điểm ký biên bản giao nhận (hồ sơ qua bưu chính)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    components = forms.MultipleChoiceField(
        label=_("Thành phần hồ sơ đã nhận"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sets_count = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=50, initial=1)
    agency = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Cơ quan giải quyết"),
        required=False,
        empty_label=_("Theo thủ tục (tự xác định)"),
    )
    return_channel = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=ReturnChannel.choices,
        initial=ReturnChannel.COUNTER,
        widget=forms.RadioSelect,
    )
    postal_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=300, required=False
    )
    # filled only to refuse a paper dossier at reception (Form 03), instead of receiving it
    refusal_reason = forms.CharField(
        label=_("Lý do từ chối tiếp nhận"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, units: Any, version: ProcedureVersion | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        refuse_long_input(self)
        if version is not None:
            components = self.fields["components"]
            assert isinstance(components, forms.MultipleChoiceField)
            components.choices = [(n, n) for n in version.component_names()]
            agencies = Unit.objects.filter(
                pk__in=[version.agency_id, *version.other_agencies.values_list("pk", flat=True)]
            )
            agency_field = self.fields["agency"]
            assert isinstance(agency_field, forms.ModelChoiceField)
            agency_field.queryset = agencies

    def clean_applicant_phone(self) -> str:
        return checked(identity.normalize_phone, self.cleaned_data["applicant_phone"])

    def clean_applicant_id_number(self) -> str:
        return checked(identity.normalize_id_number, self.cleaned_data["applicant_id_number"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, normalise in (
            ("applicant_name", clean_text),
            ("applicant_id_number", clean_upper),
            ("applicant_email", clean_lower),
            ("applicant_address", clean_text),
            ("postal_address", clean_text),
        ):
            if name in data:
                data[name] = self._fitted(name, data[name], normalise)
        handover = data.get("postal_handover_at")
        if handover is not None and handover.tzinfo is None:
            data["postal_handover_at"] = handover.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        if data.get("channel") != Channel.POSTAL:
            data["postal_handover_at"] = None
        return data

    def _fitted(self, name: str, value: str, normalise: Callable[[str | None], str]) -> str:
        """The text as it will be stored; too long once normalised, an error on the field."""
        limit = column_length(Dossier, name)  # each is stored in this column
        try:
            return fitted(value, max_length=limit, field=name, normalise=normalise)
        except TextTooLong as error:
            self.add_error(
                name,
                _("Quá dài: tối đa %(max)d ký tự sau khi chuẩn hoá (đang có %(length)d ký tự).")
                % {"max": limit, "length": error.detail["length"]},
            )
            return value
