"""`motcua import ratings` / `motcua export ratings` (motcua.ratings/1): each completed form
once (its content's SHA-256 is its key), answers checked against their scales."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from motcua.feedback.models import Rating, RatingScale
from motcua.integrations.ratings import rating_lines
from tests.conftest import vn
from tests.integrations.helpers import code, dossier_line, run_import, write_lines

pytestmark = pytest.mark.django_db


def rating(**fields) -> dict:
    line = {
        "unit": "AH",
        "at": "2021-04-20T09:30:00+07:00",
        "channel": "kiosk",
        "dossier": None,
        "answers": {"overall": "very_satisfied", "attitude": "very_polite"},
    }
    line.update(fields)
    return line


def test_ratings_import_once_and_bad_lines_are_reported(catalogue, tmp_path, capsys) -> None:
    run_import("dossiers", write_lines(tmp_path / "d.jsonl", [dossier_line(1)]), capsys)
    lines = [
        rating(),  # 1: docs/interchange/ratings.md#example
        rating(
            at="2021-04-20T10:00:00+07:00",
            channel="paper",
            dossier=code(number=1),
            answers={"overall": "neutral"},
        ),
        rating(answers={"overall": "delighted"}),  # 3: not a value of the scale
        rating(answers={"speed": "fast"}),  # 4: unknown scale
        rating(unit="ZZ"),  # 5
        rating(at="2021-04-20T09:30:00"),  # 6: no offset
        rating(channel="fax"),  # 7
        rating(dossier="000.00.01.H99-210405-0999"),  # 8: no such dossier
        rating(answers={}),  # 9
        rating(at="2021-04-20T02:30:00+00:00", channel="sms"),  # 10: a different form
        "[1, 2]",  # 11
    ]
    path = write_lines(tmp_path / "r.jsonl", lines)
    summary, err = run_import("ratings", path, capsys)
    reported = {
        int(row.split(":", 1)[0].split()[1]): row
        for row in err.splitlines()
        if row.strip().startswith("line ")
    }
    assert sorted(reported) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert summary["format"] == "motcua.ratings/1"
    assert (summary["imported"], summary["rejected"], summary["skipped"]) == (3, 8, 0)
    for number, reason in [
        (3, "answers.overall: 'delighted' is not a value of the scale"),
        (4, "unknown scale 'speed'"),
        (5, "unknown unit 'ZZ'"),
        (6, "has no offset"),
        (7, "channel must be one of"),
        (8, "unknown dossier '000.00.01.H99-210405-0999'"),
        (9, "answers must be a non-empty object"),
        (11, "a line must be one JSON object"),
    ]:
        assert reason in reported[number], (number, reported[number])
    first = Rating.objects.get(channel="kiosk")
    assert first.at == vn(2021, 4, 20, 9, 30) and first.province_code == "AH"
    assert first.answers == {"attitude": "very_polite", "overall": "very_satisfied"}
    assert len(first.source_key) == 64
    assert Rating.objects.get(channel="paper").dossier.code == code(number=1)

    again, _ = run_import("ratings", path, capsys)
    assert (again["imported"], again["skipped"], again["rejected"]) == (0, 3, 8)
    assert Rating.objects.count() == 3


def test_the_same_form_written_differently_is_the_same_form(catalogue, tmp_path, capsys) -> None:
    run_import("ratings", write_lines(tmp_path / "a.jsonl", [rating()]), capsys)
    respelt = {
        "answers": {"attitude": "very_polite", "overall": "very_satisfied"},
        "channel": "kiosk",
        "at": "2021-04-20T02:30:00Z",
        "unit": "AH",
    }
    summary, _ = run_import("ratings", write_lines(tmp_path / "b.jsonl", [respelt]), capsys)
    assert summary["skipped"] == 1 and Rating.objects.count() == 1


def test_a_site_scale_is_accepted(catalogue, tmp_path, capsys) -> None:
    RatingScale.objects.create(code="speed", name="Tốc độ", values=[["fast", "Nhanh"]])
    path = write_lines(tmp_path / "r.jsonl", [rating(answers={"speed": "fast"})])
    summary, _ = run_import("ratings", path, capsys)
    assert summary["imported"] == 1


def test_strict_ratings_keep_nothing(catalogue, tmp_path, capsys) -> None:
    path = write_lines(tmp_path / "r.jsonl", [rating(), rating(channel="fax")])
    with pytest.raises(CommandError) as caught:
        call_command("import", "ratings", str(path), "--strict")
    assert caught.value.returncode == 2
    assert "line 2: channel must be one of" in capsys.readouterr().err
    assert not Rating.objects.exists()


def test_export_and_filters(catalogue, tmp_path, capsys) -> None:
    Unit = __import__("motcua.catalog.models", fromlist=["Unit"]).Unit
    assert Unit.objects.filter(code="AH-X01").exists()
    lines = [
        rating(at="2021-04-21T09:30:00+07:00"),
        rating(unit="AH-X01", at="2021-04-20T23:30:00+07:00", channel="online"),
        rating(unit="AH-P02", at="2021-04-22T08:00:00+07:00", answers={"overall": "satisfied"}),
    ]
    run_import("ratings", write_lines(tmp_path / "r.jsonl", lines), capsys)
    everything = list(rating_lines())
    assert [r["unit"] for r in everything] == ["AH-X01", "AH", "AH-P02"]  # oldest first
    assert everything[0] == {
        "unit": "AH-X01",
        "at": "2021-04-20T23:30:00+07:00",
        "channel": "online",
        "dossier": None,
        "answers": {"attitude": "very_polite", "overall": "very_satisfied"},
    }
    assert [r["unit"] for r in rating_lines(unit="AH-X01")] == ["AH-X01"]
    assert len(list(rating_lines(unit="AH"))) == 3
    from datetime import date

    assert [r["unit"] for r in rating_lines(since=date(2021, 4, 21))] == ["AH", "AH-P02"]
    assert [r["unit"] for r in rating_lines(until=date(2021, 4, 20))] == ["AH-X01"]
    target = tmp_path / "out.jsonl"
    call_command("export", "ratings", "--output", str(target), "--from", "2021-04-21")
    assert json.loads(capsys.readouterr().out)["lines"] == 2
    assert [json.loads(line)["unit"] for line in target.read_text("utf-8").splitlines()] == [
        "AH",
        "AH-P02",
    ]


# ---- identical lines, ids, and the reasons for every skip ----


def test_two_identical_lines_are_two_ratings_and_a_reimport_adds_none(
    catalogue, tmp_path, capsys
) -> None:
    # the same kiosk, the same minute, the same answer: two people pressed the same button
    path = write_lines(tmp_path / "kiosk.jsonl", [rating(), rating()])
    first, _ = run_import("ratings", path, capsys)
    assert (first["imported"], first["skipped"]) == (2, 0)
    assert Rating.objects.count() == 2

    again, _ = run_import("ratings", path, capsys)
    assert (again["imported"], again["skipped"], again["rejected"]) == (0, 2, 0)
    assert again["skipped_because"] == {"already_imported": 2}
    assert "already in motcua" in again["skip_reasons"]["already_imported"]
    assert Rating.objects.count() == 2


def test_a_longer_file_adds_only_the_occurrences_not_yet_here(catalogue, tmp_path, capsys) -> None:
    run_import("ratings", write_lines(tmp_path / "a.jsonl", [rating(), rating()]), capsys)
    three = write_lines(tmp_path / "b.jsonl", [rating(), rating(), rating()])
    summary, _ = run_import("ratings", three, capsys)
    assert (summary["imported"], summary["skipped"]) == (1, 2)
    assert Rating.objects.count() == 3


def test_identical_lines_apart_in_the_file_are_counted_too(catalogue, tmp_path, capsys) -> None:
    other = rating(at="2021-04-20T10:00:00+07:00", answers={"overall": "neutral"})
    path = write_lines(tmp_path / "r.jsonl", [rating(), other, rating(), other, rating()])
    summary, _ = run_import("ratings", path, capsys)
    assert summary["imported"] == 5
    assert run_import("ratings", path, capsys)[0]["skipped"] == 5
    assert Rating.objects.count() == 5


def test_a_file_with_ids_is_keyed_by_them(catalogue, tmp_path, capsys) -> None:
    lines = [rating(id="K1-000017"), rating(id="K1-000018"), rating(id=19)]
    path = write_lines(tmp_path / "ids.jsonl", lines)
    summary, _ = run_import("ratings", path, capsys)
    assert summary["imported"] == 3
    assert sorted(Rating.objects.values_list("source_id", flat=True)) == [
        "19",
        "K1-000017",
        "K1-000018",
    ]
    # the same ids again, even with the answer corrected at the source: already here
    again = write_lines(tmp_path / "again.jsonl", [rating(id="K1-000017", channel="paper")])
    summary, _ = run_import("ratings", again, capsys)
    assert summary["skipped_because"] == {"already_imported": 1}
    assert Rating.objects.count() == 3
    # the export writes the ids back, so a round trip keeps them
    exported = [line for line in rating_lines() if line.get("id")]
    assert sorted(line["id"] for line in exported) == ["19", "K1-000017", "K1-000018"]


def test_a_bad_id_rejects_the_line(catalogue, tmp_path, capsys) -> None:
    path = write_lines(tmp_path / "r.jsonl", [rating(id=""), rating(id=True), rating(id="x" * 201)])
    summary, err = run_import("ratings", path, capsys)
    assert summary["rejected"] == 3 and not Rating.objects.exists()
    assert "id must be a non-empty string" in err and "longer than 200" in err


def test_the_officer_who_served_is_kept_and_written_back(
    catalogue, counter_officer, commune_officer, tmp_path, capsys
) -> None:
    """`officer` is the login name of someone with a role at the rated unit or under it; the
    report's ratings_by_officer then counts the form, and the export writes it back."""
    lines = [
        rating(officer="counter_officer"),  # 1: served at AH
        rating(unit="AH-X01", officer="commune_officer", at="2021-04-20T09:31:00+07:00"),
        rating(unit="AH-X01", officer="counter_officer"),  # 3: no role at AH-X01 or under
        rating(officer="nobody"),  # 4
        rating(officer=7),  # 5
        rating(officer=" "),  # 6
        rating(at="2021-04-20T09:32:00+07:00"),  # 7: names nobody
    ]
    summary, err = run_import("ratings", write_lines(tmp_path / "r.jsonl", lines), capsys)
    assert (summary["imported"], summary["rejected"]) == (3, 4)
    assert "line 3: unknown officer 'counter_officer' at AH-X01" in err
    assert "line 4: unknown officer 'nobody'" in err
    assert "line 5: officer must be a login name" in err
    by_time = {r.at: r.officer for r in Rating.objects.all()}
    assert sorted(
        (at, officer.username if officer else None) for at, officer in by_time.items()
    ) == [
        (vn(2021, 4, 20, 9, 30), "counter_officer"),
        (vn(2021, 4, 20, 9, 31), "commune_officer"),
        (vn(2021, 4, 20, 9, 32), None),
    ]
    assert [line.get("officer") for line in rating_lines()] == [
        "counter_officer",
        "commune_officer",
        None,
    ]
    # the officer is not part of a line's content key: a file read before keeps its ratings
    again, _err = run_import("ratings", write_lines(tmp_path / "r.jsonl", lines[:2]), capsys)
    assert again["imported"] == 0 and Rating.objects.count() == 3
    capsys.readouterr()
    call_command(
        "report", "--unit", "AH", "--from", "2021-04-20", "--to", "2021-04-20", "--officers"
    )
    by_officer = json.loads(capsys.readouterr().out)["ratings_by_officer"]
    assert {row["key"]: row["total"] for row in by_officer} == {
        "commune_officer": 1,
        "counter_officer": 1,
    }
