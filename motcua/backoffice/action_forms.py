"""The desk's form for each action, built from the fields its record declares
(`workflow/actions.py`), and the call it makes. Every form carries the dossier version the
user saw, so two people acting at once cannot overwrite each other. Labels are shown in the
page's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.accounts import access
from motcua.catalog.models import Unit, UnitKind
from motcua.core import identity
from motcua.core.errors import ValidationFailed
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from motcua.workflow.actions import ACTIONS, Action, Field, Kind

from .forms import refuse_long_input

ROWS = {Kind.PARAGRAPH: 3, Kind.LINES: 3}
# Fields of action records holding a number `core.identity` checks.
IDENTITY_CHECKS = {"recipient_id_number": identity.normalize_id_number}


class ActionForm(forms.Form):
    """The form of one action on one dossier: the record's fields, and the version seen."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *,
        action: Action,
        dossier: Dossier,
        data: Any = None,
        files: Any = None,
        step_key: str = "",
    ) -> None:
        # Each form on the desk has its own prefix, so field ids never collide.
        prefix = f"step-{step_key}" if step_key else action.name
        super().__init__(
            data=data, files=files, initial={"version": dossier.version}, prefix=prefix
        )
        self.action, self.dossier = action, dossier
        self.takes_file = any(field.kind == Kind.FILE for field in action.fields)
        language = get_language()
        self.label = action.label.in_language(language)
        self.danger = action.danger
        for field in action.fields:
            self.fields[field.name] = _form_field(field, dossier, language)
            if field.kind == Kind.STEP:
                self.fields[field.name].initial = step_key
            elif field.initial_from:
                self.fields[field.name].initial = getattr(dossier, field.initial_from)
            elif field.kind == Kind.FILE and dossier.procedure_version.e_result:
                self.fields[field.name].required = True  # the action refuses it missing
        refuse_long_input(self)

    def clean(self) -> dict[str, Any]:
        """Numbers people type are checked where they are typed, by the same rules as the
        domain's (`core.identity`), so the error shows next to its field."""
        data = super().clean() or {}
        for name, normalize in IDENTITY_CHECKS.items():
            if data.get(name):
                try:
                    data[name] = normalize(data[name])
                except ValidationFailed as failure:
                    self.add_error(name, _(failure.message))
        return data


def _form_field(field: Field, dossier: Dossier, language: str | None) -> forms.Field:
    label = field.label.in_language(language)
    common: dict[str, Any] = {"label": label, "required": field.required}
    if field.kind == Kind.TEXT:
        return forms.CharField(max_length=field.max_length, **common)
    if field.kind == Kind.PARAGRAPH:
        area = forms.Textarea(attrs={"rows": ROWS[Kind.PARAGRAPH]})
        return forms.CharField(max_length=field.max_length, widget=area, **common)
    if field.kind == Kind.LINES:
        return LinesField(field, **common)
    if field.kind == Kind.MOMENT:
        picker = forms.DateTimeInput(attrs={"type": "datetime-local"})
        return forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"], widget=picker, **common)
    if field.kind == Kind.CHOICE:
        choices = actions.VOCABULARIES[field.vocabulary].choices
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if field.kind == Kind.USER:
        assert field.role is not None
        people = access.holders(field.role, dossier.agency)
        return forms.ModelChoiceField(queryset=people, empty_label=_("— Chọn người —"), **common)
    if field.kind == Kind.FILE:
        chooser = forms.FileInput(attrs={"accept": "application/pdf,.pdf"})
        return forms.FileField(widget=chooser, allow_empty_file=True, **common)
    if field.kind == Kind.UNIT:
        return forms.ModelChoiceField(
            queryset=_other_agencies(dossier), empty_label=_("— Chọn đơn vị —"), **common
        )
    return forms.CharField(widget=forms.HiddenInput, **common)  # Kind.STEP


def _other_agencies(dossier: Dossier) -> Any:
    """The agencies of the dossier's province other than its own (a hand-over's choices)."""
    return Unit.objects.filter(
        province_code=dossier.receiving_unit.province_code, kind=UnitKind.AGENCY, is_active=True
    ).exclude(pk=dossier.agency_id)


class LinesField(forms.CharField):
    """A list typed one item a line: blank lines dropped, each line and the count bounded."""

    def __init__(self, field: Field, **options: Any) -> None:
        area = forms.Textarea(attrs={"rows": ROWS[Kind.LINES]})
        super().__init__(widget=area, **options)
        self.item_length, self.max_items = field.max_length, field.max_items

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(
                _("Tối đa %(count)d dòng.") % {"count": self.max_items}, code="max_items"
            )
        if self.item_length is not None and any(len(line) > self.item_length for line in value):
            raise ValidationError(
                _("Mỗi dòng tối đa %(count)d ký tự.") % {"count": self.item_length},
                code="max_length",
            )

    def run_validators(self, value: Any) -> None:
        return None  # the length is checked per line above


def form_for(
    name: str, *, dossier: Dossier, data: Any = None, files: Any = None, step_key: str = ""
) -> ActionForm:
    return ActionForm(
        action=ACTIONS[name], dossier=dossier, data=data, files=files, step_key=step_key
    )


def run_action(action: str, *, dossier: Dossier, by: Any, data: Any, files: Any = None) -> Dossier:
    """Validate the action's form and call its domain function; invalid input raises a
    ValidationFailed naming the fields, and nothing is written."""
    record = ACTIONS[action]
    step_key = _step_key(data) if any(f.kind == Kind.STEP for f in record.fields) else ""
    form = form_for(action, dossier=dossier, data=data, files=files, step_key=step_key)
    if not form.is_valid():
        raise ValidationFailed(
            "Thông tin chưa hợp lệ: " + _errors(form), code="invalid", fields=list(form.errors)
        )
    values = dict(form.cleaned_data)
    seen = Dossier(pk=dossier.pk, version=values.pop("version"))
    for field in record.fields:
        if field.kind == Kind.MOMENT and values.get(field.name) is not None:
            values[field.name] = _local(values[field.name])
        if field.kind == Kind.FILE and not values.get(field.name):
            values[field.name] = None  # no file chosen (or "clear" ticked)
    return actions.perform(action, dossier=seen, by=by, **values)


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
