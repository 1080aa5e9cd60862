"""The catalogue file (motcua.catalogue/1): imported whole or not at all, idempotent, versioned."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.models import Procedure, ProcedureVersion, Unit
from motcua.core.errors import ValidationFailed
from motcua.integrations.catalogue import export_catalogue, import_catalogue
from tests.conftest import demo_catalogue_text

pytestmark = pytest.mark.django_db


def _document() -> dict:
    return json.loads(demo_catalogue_text())


def _counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Procedure.objects.count(), ProcedureVersion.objects.count()


def test_demo_catalogue_imports_every_unit_and_procedure() -> None:
    summary = import_catalogue(demo_catalogue_text())
    assert summary.units_created == 28
    assert summary.procedures_created == summary.versions_created == 58
    commune_police = Unit.objects.get(code="AH-X01-CA")
    assert commune_police.path == "AH/AH-X01/AH-X01-CA/"
    assert commune_police.province_code == "AH"
    residence = Procedure.objects.get(code="1.004222").current_version()
    assert residence is not None
    assert residence.duration_value == 7 and residence.duration_unit == "working_days"
    assert residence.agency.code == "AH-X01-CA"
    assert {u.code for u in residence.other_agencies.all()} == {"AH-P02-CA"}
    assert residence.name_folded == " dang ky thuong tru"


def test_importing_the_same_file_twice_changes_nothing() -> None:
    import_catalogue(demo_catalogue_text())
    before = _counts()
    summary = import_catalogue(demo_catalogue_text())
    assert _counts() == before
    assert summary.unchanged == 58
    assert summary.versions_created == summary.units_created == summary.units_updated == 0


def test_a_changed_duration_becomes_a_new_version_and_closes_the_old_one() -> None:
    import_catalogue(demo_catalogue_text())
    document = _document()
    entry = next(p for p in document["procedures"] if p["code"] == "1.004222")
    entry["duration"]["value"] = 5
    entry["effective_from"] = "2026-07-01"
    summary = import_catalogue(json.dumps(document, ensure_ascii=False))
    assert summary.versions_created == 1
    versions = list(Procedure.objects.get(code="1.004222").versions.order_by("number"))
    assert [(v.number, v.duration_value) for v in versions] == [(1, 7), (2, 5)]
    assert versions[0].effective_to == date(2026, 6, 30)
    procedure = Procedure.objects.get(code="1.004222")
    assert procedure.current_version(date(2026, 6, 30)) == versions[0]
    assert procedure.current_version(date(2026, 7, 1)) == versions[1]


def test_export_then_import_is_a_round_trip() -> None:
    import_catalogue(demo_catalogue_text())
    exported = export_catalogue()
    assert exported["format"] == "motcua.catalogue/1"
    assert len(exported["units"]) == 28 and len(exported["procedures"]) == 58
    before = _counts()
    summary = import_catalogue(json.dumps(exported, ensure_ascii=False))
    assert summary.unchanged == 58 and _counts() == before


def test_yaml_documents_are_accepted() -> None:
    text = """
format: motcua.catalogue/1
units:
  - {code: TB, name: Trung tâm tỉnh Thái Bình, kind: province_center, parent: null}
  - {code: TB-GTVT, name: Sở Giao thông Vận tải, kind: agency, parent: TB}
procedures:
  - code: "1.000123"
    name: Cấp đổi giấy phép lái xe
    agency: TB-GTVT
    duration: {value: 5, unit: working_days}
    online: full
    five_on_spot: true
    fees: [{name: Lệ phí, amount: 135000}]
"""
    summary = import_catalogue(text, filename="catalogue.yaml")
    assert summary.procedures_created == 1
    assert Procedure.objects.get(code="1.000123").current_version().five_on_spot


def _element_line(text: str, key: str, index: int) -> int:
    """Line of the `{` opening element `index` of a top-level array, in json.dumps(indent=2)."""
    lines = text.splitlines()
    start = lines.index(f'  "{key}": [')
    openings = [n for n, line in enumerate(lines[start:], start + 1) if line == "    {"]
    return openings[index]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d["procedures"][3].update(agency="AH-NOPE"), "unknown agency unit 'AH-NOPE'"),
        (lambda d: d["procedures"][3]["duration"].update(value=0), "duration.value must be"),
        (lambda d: d["procedures"][3]["duration"].update(value=-2), "duration.value must be"),
        (lambda d: d["procedures"][3]["duration"].update(unit="weeks"), "duration.unit must be"),
        (lambda d: d["procedures"][3].update(online="maybe"), "online must be one of"),
        (lambda d: d["procedures"][3].update(code=d["procedures"][2]["code"]), "duplicate code"),
        (lambda d: d["procedures"][3]["fees"].append({"name": "x", "amount": -1}), "fee amount"),
    ],
)
def test_a_bad_procedure_rejects_the_whole_file_naming_its_line(mutate, reason) -> None:
    document = _document()
    mutate(document)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    with pytest.raises(ValidationFailed) as caught:
        import_catalogue(text)
    errors = caught.value.detail["errors"]
    assert any(reason in e["reason"] for e in errors), errors
    bad = next(e for e in errors if reason in e["reason"])
    assert bad["where"] == "procedures[3]"
    assert bad["line"] == _element_line(text, "procedures", 3)
    assert _counts() == (0, 0, 0)  # nothing of the file was written


def test_unknown_parent_and_wrong_format_are_reported() -> None:
    document = _document()
    document["format"] = "motcua.catalogue/9"
    document["units"][5]["parent"] = "NOWHERE"
    with pytest.raises(ValidationFailed) as caught:
        import_catalogue(json.dumps(document, ensure_ascii=False, indent=2))
    reasons = [e["reason"] for e in caught.value.detail["errors"]]
    assert any("format must be" in r for r in reasons)
    assert any("unknown parent unit 'NOWHERE'" in r for r in reasons)
    assert _counts() == (0, 0, 0)


def test_a_syntax_error_names_its_line() -> None:
    text = demo_catalogue_text().replace('"kind": "agency"', '"kind" "agency"', 1)
    with pytest.raises(ValidationFailed) as caught:
        import_catalogue(text)
    assert caught.value.detail["errors"][0]["line"] == _line_of(text, '"kind" "agency"')


def test_text_is_stored_nfc_and_trimmed() -> None:
    document = _document()
    document["procedures"][0]["name"] = "  Đăng ký   thường trú  ".replace(
        "Đăng", "\u0110a\u0306ng"
    )
    import_catalogue(json.dumps(document, ensure_ascii=False))
    version = Procedure.objects.get(code=document["procedures"][0]["code"]).current_version()
    assert version is not None and version.name == "Đăng ký thường trú"


def test_cli_import_and_export(tmp_path, capsys) -> None:
    source = tmp_path / "catalogue.json"
    source.write_text(demo_catalogue_text(), encoding="utf-8")
    call_command("import", "catalogue", str(source))
    assert '"procedures_created": 58' in capsys.readouterr().out
    target = tmp_path / "out.json"
    call_command("export", "catalogue", "--output", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))["procedures"]) == 58


def test_cli_rejects_a_bad_file_with_a_non_zero_status(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "motcua.catalogue/1", "units": [{"code": "X"}]}', "utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import", "catalogue", str(bad))
    assert caught.value.returncode == 2
    assert "invalid_catalogue" in str(caught.value)
    missing = tmp_path / "missing.json"
    with pytest.raises(CommandError, match="file_not_found"):
        call_command("import", "catalogue", str(missing))
    assert _counts() == (0, 0, 0)


def test_a_new_version_must_start_after_the_current_one() -> None:
    import_catalogue(demo_catalogue_text())
    document = _document()
    entry = document["procedures"][0]
    entry["duration"]["value"] += 1
    entry["effective_from"] = "1999-01-01"
    with pytest.raises(ValidationFailed):
        import_catalogue(json.dumps(document, ensure_ascii=False))
    assert ProcedureVersion.objects.count() == 58


def test_every_unit_and_procedure_of_a_reimport_is_counted() -> None:
    import_catalogue(demo_catalogue_text())
    summary = import_catalogue(demo_catalogue_text()).as_dict()
    assert summary["units_unchanged"] == 28 and summary["unchanged"] == 58
    counted = sum(
        summary[k] for k in ("units_created", "units_updated", "units_moved", "units_unchanged")
    )
    assert counted == len(_document()["units"])


def test_a_component_given_with_details_keeps_them() -> None:
    document = _document()
    entry = document["procedures"][0]
    entry["components"] = [
        "Tờ khai (bản chính)",
        {"name": " Giấy chứng sinh ", "kind": "original", "count": 1},
        {"name": "Bản sao CCCD"},
    ]
    import_catalogue(json.dumps(document, ensure_ascii=False))
    version = Procedure.objects.get(code=entry["code"]).current_version()
    assert version is not None
    assert version.components == [
        "Tờ khai (bản chính)",
        {"name": "Giấy chứng sinh", "kind": "original", "count": 1},
        "Bản sao CCCD",
    ]
    assert version.component_names() == ["Tờ khai (bản chính)", "Giấy chứng sinh", "Bản sao CCCD"]
