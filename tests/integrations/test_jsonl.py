"""The streaming JSON Lines reader and the progress display shared by the imports."""

from __future__ import annotations

import io

from motcua.integrations import jsonl
from motcua.integrations.jsonl import BadLine, Progress, RunSummary, Source, read_lines


def lines_of(data: bytes) -> list:
    return list(read_lines(io.BytesIO(data)))


def test_lines_are_numbered_as_an_editor_numbers_them() -> None:
    data = b'\xef\xbb\xbf{"a": 1}\n\n  \n{"b": 2}\r\n{"c": 3}'
    assert lines_of(data) == [(1, {"a": 1}), (4, {"b": 2}), (5, {"c": 3})]


def test_a_broken_line_is_reported_and_the_next_one_read() -> None:
    data = b'{"a": 1}\n{"b": \xff}\n{"c":\n[1]\n"x"\n{"d": 4}\n'
    parsed = lines_of(data)
    assert [n for n, _ in parsed] == [1, 2, 3, 4, 5, 6]
    assert parsed[1][1] == BadLine("not UTF-8 (byte 7 of the line)")
    assert parsed[2][1].reason.startswith("not JSON")
    assert parsed[3][1] == parsed[4][1] == BadLine("a line must be one JSON object")
    assert parsed[5] == (6, {"d": 4})


def test_an_over_long_line_is_skipped_without_being_held(monkeypatch) -> None:
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(jsonl, "_CHUNK", 16)
    data = b'{"a": 1}\n{"long": "' + b"x" * 1000 + b'"}\n{"b": 2}\n'
    parsed = lines_of(data)
    assert parsed[0] == (1, {"a": 1})
    assert parsed[1] == (2, BadLine("line longer than 100 bytes"))
    assert parsed[2] == (3, {"b": 2})


def test_progress_on_a_terminal_draws_a_bar() -> None:
    out: list[str] = []
    stream = io.BytesIO(b"x" * 100)
    stream.seek(50)
    progress = Progress(out.append, tty=True, source=Source(stream, 100, "f"))
    summary = RunSummary(format="f", lines_read=10, imported=9, rejected=1)
    progress.update(summary)
    progress.update(summary)  # within a tenth of a second: not redrawn
    assert len(out) == 1 and out[0].startswith("\r[" + "#" * 15 + "-" * 15 + "]  50% 10 lines")
    progress.interrupt()
    progress.update(summary, final=True)
    assert out[1] == "\n" and out[2].endswith("\n")


def test_progress_in_a_log_prints_a_count_every_n_lines() -> None:
    out: list[str] = []
    progress = Progress(out.append, tty=False, source=Source(io.BytesIO(), None, "-"), every=2)
    summary = RunSummary(format="f")
    for _ in range(5):
        summary.lines_read += 1
        summary.imported += 1
        progress.update(summary)
    progress.update(summary, final=True)
    assert [line.split(":")[0] for line in out] == ["2 lines", "4 lines", "5 lines"]
