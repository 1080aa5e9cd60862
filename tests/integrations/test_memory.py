"""Imports stream: memory stays flat whatever the number of lines (tracemalloc).

Each file is imported through the command, its output going to /dev/null as it would to a
terminal or a log, after a warm-up run has filled the look-up caches. A line of these files is
~300-600 bytes of text and more as Python objects: an import that kept anything per line
(the lines, their reasons, model instances, on-commit callbacks) would need megabytes more
for the 18,000 extra lines of the long file. We allow 64 bytes per extra line of peak (the
interpreter's free lists and the garbage collector's rhythm move the peak a little) and
nothing retained once garbage is collected."""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from tests.integrations.helpers import generated_lines

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2_000, 20_000


def write(path: Path, lines: Iterator[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


SLACK_PER_LINE = 64


def measured(kind: str, path: Path) -> tuple[int, int]:
    """(peak, retained) traced memory of `motcua import KIND FILE`, in bytes above what was
    held before it: the highest point during the run, and what is left once the garbage
    collector has run."""
    with open(os.devnull, "w") as null:
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        call_command("import", kind, str(path), stdout=null, stderr=null)
        peak = tracemalloc.get_traced_memory()[1] - before
        gc.collect()
        return peak, tracemalloc.get_traced_memory()[0] - before


def assert_flat(small: tuple[int, int], large: tuple[int, int]) -> None:
    print(f"memory (peak, retained): {SMALL} lines {small}, {LARGE} lines {large}")
    (small_peak, small_kept), (large_peak, large_kept) = small, large
    assert large_peak - small_peak < (LARGE - SMALL) * SLACK_PER_LINE, (small, large)
    assert large_kept < 64 * 1024 and small_kept < 64 * 1024, (small, large)


def mixed_dossiers(count: int, start_day: str) -> Iterator[dict[str, Any]]:
    """One line in 50 a real history replayed through the actions; the others refused (an
    unknown receiving unit, reported on stderr): 20,000 lines in a test's time."""
    for n, line in enumerate(generated_lines(count, start_day=start_day)):
        yield line if n % 50 == 0 else {**line, "received_by": f"GONE-{n % 7}"}


def ratings(count: int, year: int) -> Iterator[dict[str, Any]]:
    answers = ["very_satisfied", "satisfied", "neutral", "dissatisfied"]
    for n in range(count):
        yield {
            "unit": ["AH", "AH-X01", "AH-P02"][n % 3],
            "at": f"{year}-{n // 2000 % 12 + 1:02d}-{n // 80 % 25 + 1:02d}T"
            f"{n % 8 + 8:02d}:{n % 60:02d}:{n // 60 % 60:02d}+07:00",
            "channel": "kiosk",
            "answers": {"overall": answers[n % 4]},
        }


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def test_a_dossier_import_ten_times_longer_needs_no_more_memory(
    catalogue, tmp_path, traced
) -> None:
    measured("dossiers", write(tmp_path / "warm.jsonl", mixed_dossiers(200, "2015-01-05")))
    small = measured("dossiers", write(tmp_path / "s.jsonl", mixed_dossiers(SMALL, "2016-01-04")))
    large = measured("dossiers", write(tmp_path / "l.jsonl", mixed_dossiers(LARGE, "2018-01-01")))
    assert Dossier.objects.count() == (200 + SMALL + LARGE) // 50
    assert_flat(small, large)


def test_a_ratings_import_ten_times_longer_needs_no_more_memory(
    catalogue, tmp_path, traced
) -> None:
    measured("ratings", write(tmp_path / "warm.jsonl", ratings(200, 2019)))
    small = measured("ratings", write(tmp_path / "s.jsonl", ratings(SMALL, 2020)))
    large = measured("ratings", write(tmp_path / "l.jsonl", ratings(LARGE, 2021)))
    assert Rating.objects.count() == 200 + SMALL + LARGE
    assert_flat(small, large)
