"""The optional duration details of motcua.catalogue/1 (docs/decisions/0004): a same-day
cut-off (`duration.same_day_cutoff`) and a limit per submission channel
(`duration_by_channel`), imported, exported, and honoured wherever a dossier is received:
the counter, the API and the import of history; the receipt and the reports read them from
the dossier."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.test import Client

from motcua.api.auth import issue_token
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.dossiers import actions, printing
from motcua.dossiers.models import Dossier
from motcua.integrations.catalogue import export_catalogue, import_catalogue
from motcua.reports.figures import ReportSpec, compute
from tests.conftest import demo_catalogue_text, version_of, vn
from tests.dossiers.test_receive_dossier import receive
from tests.integrations.helpers import run_import, write_lines

pytestmark = pytest.mark.django_db

LAND = "1.013978"  # first land registration: 17 days online, 20 by post, 27 at the counter
BIRTH = "1.001193"  # birth registration: the same day, or the next if received after 15:00


def entry(code: str) -> dict:
    return next(p for p in export_catalogue()["procedures"] if p["code"] == code)


def test_the_details_are_imported_and_exported(catalogue) -> None:
    land, birth = version_of(LAND), version_of(BIRTH)
    assert land.duration_for("online") == (17, "working_days")
    assert land.duration_for("postal") == (20, "working_days")
    assert land.duration_for("counter") == (27, "working_days")
    assert birth.same_day_cutoff == time(15, 0) and birth.duration_for("online") == (
        1,
        "working_days",
    )
    assert entry(LAND)["duration_by_channel"]["online"] == {"value": 17, "unit": "working_days"}
    assert entry(BIRTH)["duration"] == {
        "value": 1,
        "unit": "working_days",
        "same_day_cutoff": "15:00",
    }
    assert "same_day_cutoff" not in entry("3.000333")["duration"]
    exported = json.dumps(export_catalogue(), ensure_ascii=False)
    assert import_catalogue(exported).versions_created == 0  # a round trip changes nothing


def test_an_unquoted_yaml_cut_off_is_read_as_the_time_it_says() -> None:
    text = (
        "format: motcua.catalogue/1\n"
        "units:\n  - {code: T, name: Tỉnh, kind: province_center, parent: null}\n"
        "procedures:\n"
        "  - code: '9.000002'\n    name: Thử\n    agency: T\n"
        "    duration: {value: 1, unit: working_days, same_day_cutoff: 15:30}\n"
    )
    import_catalogue(text, filename="c.yaml")
    assert version_of("9.000002").same_day_cutoff == time(15, 30)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda p: p["duration"].update(same_day_cutoff="25:00"), "same_day_cutoff must be"),
        (lambda p: p["duration"].update(same_day_cutoff="3pm"), "same_day_cutoff must be"),
        (
            lambda p: p.update(duration_by_channel={"kiosk": {"value": 3, "unit": "working_days"}}),
            "unknown channel 'kiosk'",
        ),
        (
            lambda p: p.update(
                duration_by_channel={"online": {"value": 0, "unit": "working_days"}}
            ),
            "duration_by_channel.online.value",
        ),
        (
            lambda p: p.update(duration_by_channel={"online": {"value": 3, "unit": "weeks"}}),
            "duration_by_channel.online.unit",
        ),
        (lambda p: p.update(duration_by_channel=[17, 20]), "must be an object"),
    ],
)
def test_bad_details_reject_the_file(mutate, reason) -> None:
    document = json.loads(demo_catalogue_text())
    mutate(document["procedures"][3])
    with pytest.raises(ValidationFailed) as refused:
        import_catalogue(json.dumps(document, ensure_ascii=False))
    assert any(reason in e["reason"] for e in refused.value.detail["errors"])
    assert not ProcedureVersion.objects.exists()


# --- receiving ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "days", "due"),
    [
        # from Monday 2 June 2025 09:00 (no holiday before mid-July)
        ("online", 17, vn(2025, 6, 25, 9)),
        ("postal", 20, vn(2025, 6, 30, 9)),
        ("counter", 27, vn(2025, 7, 9, 9)),
    ],
)
def test_the_counter_applies_the_channels_duration(commune_officer, channel, days, due) -> None:
    dossier = receive(
        commune_officer, "AH-X01", LAND, channel=channel, received_at=vn(2025, 6, 2, 9)
    )
    assert (dossier.duration_value, dossier.due_at) == (days, due)
    assert printing.receipt_slip(dossier).duration_label == f"{days:02d} ngày làm việc"


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (vn(2025, 6, 2, 9), vn(2025, 6, 2, 17)),
        (vn(2025, 6, 2, 15), vn(2025, 6, 2, 17)),
        (vn(2025, 6, 2, 16), vn(2025, 6, 3, 17)),
        (vn(2025, 8, 29, 16), vn(2025, 9, 3, 17)),  # Friday late, then the 2/9 holidays
    ],
)
def test_the_counter_applies_the_same_day_cut_off(commune_officer, received, due) -> None:
    dossier = receive(commune_officer, "AH-X01", BIRTH, received_at=received)
    assert dossier.due_at == due and dossier.same_day_cutoff == time(15, 0)
    slip = printing.receipt_slip(dossier)
    assert slip.duration_label.startswith("Trong ngày (nhận sau 15:00")
    assert slip.due_explanation[-1].endswith(f"{due:%d/%m/%Y}.")


def test_the_api_receives_with_the_channels_duration_and_says_so(commune_officer) -> None:
    _, token = issue_token(user=commune_officer, name="portal")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    body = {
        "unit": "AH-X01",
        "procedure": LAND,
        "applicant": {"name": "Trần Thị Bình"},
        "channel": "online",
        "components": version_of(LAND).component_names()[:1],
        "received_at": "2025-06-02T09:00:00+07:00",
    }
    response = client.post(
        "/api/v1/dossiers", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 201, response.json()
    clock = response.json()["clock"]
    assert (clock["duration_value"], clock["duration_unit"]) == (17, "working_days")
    assert clock["due_at"] == "2025-06-25T09:00:00+07:00" and clock["same_day_cutoff"] is None
    body |= {"procedure": BIRTH, "channel": "counter", "received_at": "2025-06-02T16:00:00+07:00"}
    body["components"] = version_of(BIRTH).component_names()[:1]
    response = client.post(
        "/api/v1/dossiers", body, content_type="application/json", headers={"Idempotency-Key": "k2"}
    )
    clock = response.json()["clock"]
    assert clock["same_day_cutoff"] == "15:00" and clock["due_at"] == "2025-06-03T17:00:00+07:00"


def test_an_imported_history_gets_the_channels_duration(catalogue, tmp_path, capsys) -> None:
    line = {
        "code": "000.00.01.H99-250602-0001",
        "procedure": LAND,
        "received_by": "AH-X01",
        "channel": "postal",
        "applicant": {"name": "Lê Văn Cường"},
        "events": [{"type": "received", "at": "2025-06-02T09:00:00+07:00"}],
    }
    summary, _ = run_import("dossiers", write_lines(tmp_path / "h.jsonl", [line]), capsys)
    assert summary["imported"] == 1
    dossier = Dossier.objects.get(code=line["code"])
    assert (dossier.duration_value, dossier.due_at) == (20, vn(2025, 6, 30, 9))


def test_the_report_judges_each_dossier_by_its_own_channels_due(commune_officer) -> None:
    system = _system()
    online = receive(
        commune_officer, "AH-X01", LAND, channel="online", received_at=vn(2025, 6, 2, 9)
    )
    counter = receive(commune_officer, "AH-X01", LAND, received_at=vn(2025, 6, 2, 10))
    for dossier in (online, counter):  # both resolved after 20 working days
        actions.record_resolution(dossier=dossier, by=system, at=vn(2025, 6, 30, 10))
    figures = compute(
        ReportSpec(online.receiving_unit, vn(2025, 6, 1).date(), vn(2025, 6, 30).date())
    )
    assert (figures["resolved.late"], figures["resolved.early"]) == (1, 1)


def _system():
    from motcua.accounts.models import Role
    from tests.conftest import make_user

    return make_user("system", "AH", Role.SYSTEM)
