"""Which fee a dossier owes (catalog/fees.py), on the fee tables of real procedures: the
alternatives of a table are never added up, the channel and the case choose among them, and
an undecided choice is printed as alternatives."""

from __future__ import annotations

import json
from typing import Any

import pytest

from motcua.catalog.fees import clean_table, fee_for
from tests.conftest import demo_catalogue_text

TABLES: dict[str, list[dict[str, Any]]] = {
    entry["code"]: entry["fees"] for entry in json.loads(demo_catalogue_text())["procedures"]
}
# The lines as the national database publishes them, without the optional keys the demo
# catalogue adds (case, charge, per): the default reading must not sum alternatives either.
RAW = {
    code: [{k: v for k, v in line.items() if k in ("name", "amount", "channel")} for line in table]
    for code, table in TABLES.items()
}
CRIMINAL_RECORD = "3.000333"  # Phiếu lý lịch tư pháp: 200.000, or 100.000 for some applicants
STUDENTS = "sinh viên, người có công, thân nhân liệt sĩ"


@pytest.mark.parametrize(
    ("code", "channel", "case", "summary", "total"),
    [
        # per channel: the channel decides
        ("1.004222", "counter", None, "20.000 đồng (Lệ phí đăng ký cư trú (nộp trực tiếp))", 20000),
        ("1.004222", "online", None, "10.000 đồng (Lệ phí đăng ký cư trú (nộp trực tuyến))", 10000),
        # a paper dossier by post pays the counter rate when the table has no postal line
        ("1.004222", "postal", None, "20.000 đồng (Lệ phí đăng ký cư trú (nộp trực tiếp))", 20000),
        # a fee owed on every channel plus a counter-only one: two charges, added up
        ("2.001610", "counter", None, "150.000 đồng", 150000),
        ("2.001610", "postal", None, "150.000 đồng", 150000),
        (
            "2.001610",
            "online",
            None,
            "100.000 đồng (Phí công bố nội dung đăng ký doanh nghiệp)",
            100000,
        ),
        # alternatives whose conditions nothing on the dossier records
        ("1.001456", "online", None, "200.000 đồng hoặc 160.000 đồng tùy trường hợp", None),
        ("1.004756", "counter", None, "50.000 đồng hoặc 25.000 đồng tùy trường hợp", None),
        (
            "1.014076",
            "online",
            None,
            "4.000.000 đồng hoặc 1.000.000 đồng hoặc 500.000 đồng hoặc 750.000 đồng hoặc "
            "300.000 đồng tùy trường hợp",
            None,
        ),
        # cases: individual or a list of people, per person
        (
            "1.004194",
            "counter",
            None,
            "15.000 đồng hoặc 10.000 đồng mỗi người tùy trường hợp",
            None,
        ),
        (
            "1.004194",
            "online",
            "",
            "7.000 đồng (Lệ phí đăng ký tạm trú cá nhân, hộ gia đình (nộp trực tuyến))",
            7000,
        ),
        (
            "1.004194",
            "online",
            "đăng ký theo danh sách",
            "5.000 đồng mỗi người "
            "(Lệ phí đăng ký tạm trú theo danh sách (nộp trực tuyến), mỗi người)",
            None,
        ),
        # a single per-copy fee
        (
            "2.000635",
            "counter",
            None,
            "8.000 đồng mỗi bản (Phí cấp bản sao Trích lục hộ tịch (mỗi bản))",
            None,
        ),
    ],
)
def test_the_fee_a_dossier_owes(code, channel, case, summary, total) -> None:
    due = fee_for(TABLES[code], channel, case)
    assert due.summary == summary
    assert due.total == total


def test_the_criminal_record_fee_is_never_the_sum_of_its_alternatives() -> None:
    # the slip used to print 305.000 đồng (200.000 + 100.000 + 5.000)
    due = fee_for(TABLES[CRIMINAL_RECORD], "counter")
    assert due.total is None and due.summary == ""
    assert due.rows() == [
        (
            f"Phí cấp Phiếu lý lịch tư pháp / Phí cấp Phiếu lý lịch tư pháp ({STUDENTS})",
            "200.000 đồng hoặc 100.000 đồng tùy trường hợp",
        ),
        ("Phí cấp thêm Phiếu lý lịch tư pháp", "5.000 đồng mỗi Phiếu, từ Phiếu thứ 3"),
    ]
    general = fee_for(TABLES[CRIMINAL_RECORD], "counter", case="")
    assert general.rows()[0] == ("Phí cấp Phiếu lý lịch tư pháp", "200.000 đồng")
    student = fee_for(TABLES[CRIMINAL_RECORD], "online", case=STUDENTS)
    assert student.charges[0].amount == 100000
    # an extra certificate costs per certificate: never added into a total
    assert general.total is None


def test_the_published_tables_without_annotations_never_sum_alternatives() -> None:
    raw = fee_for(RAW[CRIMINAL_RECORD], "counter")
    assert raw.total is None
    assert raw.summary == "200.000 đồng hoặc 100.000 đồng hoặc 5.000 đồng tùy trường hợp"
    assert fee_for(RAW["1.001456"], "postal").total is None
    assert fee_for(RAW["2.001610"], "counter").total == 150000
    for code, table in RAW.items():
        for channel in ("counter", "online", "postal"):
            due = fee_for(table, channel)
            every_line = sum(line["amount"] for line in table)
            if due.total is not None and len(table) > 1:
                # a total is only ever one line per charge: never all lines of a charge
                assert due.total == sum(c.amount or 0 for c in due.charges), code
                assert all(len({o.amount for o in c.options}) == 1 for c in due.charges), code
            if len({line["amount"] for line in table}) > 1 and not any(
                line.get("channel") for line in table
            ):
                assert due.total != every_line, (code, channel)


def test_no_fee_is_no_fee() -> None:
    due = fee_for([], "counter")
    assert (due.summary, due.rows(), due.total) == ("Không", [], None)


def test_alternatives_of_one_amount_are_no_choice() -> None:
    table = [
        {"name": "Lệ phí (cá nhân)", "amount": 10000},
        {"name": "Lệ phí (tổ chức)", "amount": 10000, "case": "tổ chức"},
    ]
    due = fee_for(table, "online")
    assert due.total == 10000 and due.summary == "10.000 đồng"


def test_a_catalogue_table_is_checked_and_kept_whole() -> None:
    lines, problems = clean_table(
        [
            {
                "name": " Lệ phí ",
                "amount": 20000,
                "channel": "counter",
                "case": "",
                "legal": "TT 75",
            },
            {"name": "x", "amount": 5000, "channel": "fax"},
            {"name": "y", "amount": 5000, "per": 3},
            "20000",
        ]
    )
    assert lines == [{"name": "Lệ phí", "amount": 20000, "channel": "counter", "legal": "TT 75"}]
    assert problems == [
        "fees[1].channel must be one of ['counter', 'online', 'postal'], got 'fax'",
        "fees[2].per must be text, got 3",
        "fees[3] must be an object {name, amount}",
    ]
