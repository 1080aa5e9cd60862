"""`motcua deadline` prints the due date and its explanation; bad input exits with a code."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> str:
    call_command("deadline", *args)
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "due"),
    [
        (["--received", "2025-04-24T10:00+07:00", "--duration", "3d"], "2025-04-28T10:00:00+07:00"),
        (
            ["--received", "2025-04-24T10:00+07:00", "--duration", "3d", "--convention", "days"],
            "2025-04-28T17:00:00+07:00",
        ),
        (["--received", "2026-02-14T20:00+07:00", "--duration", "5d"], "2026-02-27T17:00:00+07:00"),
        (
            [
                "--received",
                "2025-05-05T09:00+07:00",
                "--duration",
                "10d",
                "--pause",
                "2025-05-07T14:00+07:00/2025-05-19T09:00+07:00",
            ],
            "2025-05-28T16:00:00+07:00",
        ),
        (
            [
                "--received",
                "2025-05-05T09:00+07:00",
                "--duration",
                "10d",
                "--restart",
                "--pause",
                "2025-05-07T14:00+07:00/2025-05-19T09:00+07:00",
            ],
            "2025-06-02T09:00:00+07:00",
        ),
        (["--received", "2025-04-24T03:00Z", "--duration", "3d"], "2025-04-28T10:00:00+07:00"),
    ],
)
def test_worked_examples_as_json(capsys, args, due) -> None:
    result = json.loads(run(capsys, *args))
    assert result["due_at"] == due
    assert result["explanation"][-1].startswith("Hẹn trả")


def test_text_format_and_english(capsys) -> None:
    text = run(
        capsys,
        "--received",
        "2025-04-24T10:00+07:00",
        "--duration",
        "3d",
        "--format",
        "text",
        "--lang",
        "en",
    )
    assert "26/04/2025" in text or "26 April 2025" in text
    assert text.strip().splitlines()[-1].startswith("Due")


def test_custom_sessions(capsys) -> None:
    result = json.loads(
        run(
            capsys,
            "--received",
            "2025-04-24T16:00+07:00",
            "--duration",
            "1d",
            "--sessions",
            "07:30-12:00,13:00-16:30",
        )
    )
    assert result["due_at"] == "2025-04-25T16:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--received", "2025-04-24T10:00", "--duration", "3d"], "timestamp_without_offset"),
        (["--received", "24/04/2025", "--duration", "3d"], "invalid_timestamp"),
        (["--received", "2025-04-24T10:00+07:00", "--duration", "0d"], "invalid_duration"),
        (["--received", "2025-04-24T10:00+07:00", "--duration=-3d"], "invalid_duration"),
        (
            ["--received", "2025-04-24T10:00+07:00", "--duration", "3d", "--pause", "x"],
            "invalid_pause",
        ),
        (
            [
                "--received",
                "2025-04-24T10:00+07:00",
                "--duration",
                "3d",
                "--sessions",
                "17:00-07:00",
            ],
            "invalid_sessions",
        ),
        (
            ["--received", "2025-04-24T10:00+07:00", "--duration", "3d", "--unit", "NOPE"],
            "unknown_unit",
        ),
    ],
)
def test_bad_input_exits_with_a_stable_code(args, code) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("deadline", *args)
    assert caught.value.returncode == 2
    assert str(caught.value).startswith(code)


VALID = "2025-04-24T10:00+07:00"


@pytest.mark.parametrize(
    "args",
    [
        ["--received", "0001-01-01T00:00+07:00", "--duration", "3d"],
        ["--received", "0001-01-01T00:00-07:00", "--duration", "1h"],
        ["--received", "1969-12-31T23:59+00:00", "--duration", "3d"],
        ["--received", "9999-12-31T10:00+07:00", "--duration", "3d"],
        ["--received", "9999-12-31T23:59-07:00", "--duration", "3d"],
        ["--received", "2200-01-01T07:00+07:00", "--duration", "3d"],
        ["--received", VALID, "--duration", "99999999999d"],
        ["--received", VALID, "--duration", "999999999h"],
        ["--received", VALID, "--duration", "2000000d"],
        ["--received", "2199-12-30T10:00+07:00", "--duration", "5d"],
        ["--received", VALID, "--duration", "3d", "--pause", f"0001-01-01T00:00+07:00/{VALID}"],
        [
            "--received",
            VALID,
            "--duration",
            "3d",
            "--pause",
            "2025-04-25T10:00+07:00/9999-12-31T23:59-07:00",
        ],
        [
            "--received",
            VALID,
            "--duration",
            "3d",
            "--pause",
            "2025-04-25T10:00+07:00/2199-12-31T20:00+07:00",
        ],
    ],
)
def test_times_out_of_range_exit_with_a_code_not_a_traceback(args) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("deadline", *args)
    assert caught.value.returncode == 2
    assert str(caught.value).startswith("timestamp_out_of_range")


def test_the_last_supported_days_still_compute(capsys) -> None:
    result = json.loads(run(capsys, "--received", "2199-12-01T10:00+07:00", "--duration", "3d"))
    assert result["due_at"].startswith("2199-12-")


def test_a_same_day_cut_off(capsys) -> None:
    args = ["--received", "2025-04-29T16:00+07:00", "--duration", "1d", "--same-day-cutoff"]
    assert json.loads(run(capsys, *args, "15:00"))["due_at"] == "2025-05-05T17:00:00+07:00"
    assert json.loads(run(capsys, *args, "16:30"))["due_at"] == "2025-04-29T17:00:00+07:00"
    with pytest.raises(CommandError) as caught:
        call_command("deadline", *args, "3pm")
    assert str(caught.value).startswith("invalid_same_day_cutoff")


# --- the other commands that take a date --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--unit", "AH", "--from", "0001-01-01", "--to", "9999-12-31"],
        ["report", "--unit", "AH", "--from", "2025-01-01", "--to", "9999-12-31"],
        ["report", "--unit", "AH", "--period", "0001-Q1"],
        ["report", "--unit", "AH", "--period", "2500-12"],
        ["export", "dossiers", "--from", "0001-01-01"],
        ["export", "ratings", "--to", "9999-12-31"],
        ["export", "catalogue", "--on", "0001-01-01"],
        ["units", "merge", "AH", "--into", "AH", "--at", "9999-12-31"],
    ],
)
def test_dates_out_of_range_exit_with_a_code_not_a_traceback(catalogue, args) -> None:
    with pytest.raises(CommandError) as caught:
        call_command(*args)
    assert caught.value.returncode == 2
    assert str(caught.value).startswith("date_out_of_range"), str(caught.value)
