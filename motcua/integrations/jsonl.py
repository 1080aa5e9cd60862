"""Streaming JSON Lines, shared by the imports of `motcua.dossiers/1` and `motcua.ratings/1`.

A file is read one line at a time (never whole), so an import's memory stays flat whatever the
file's size: each line is decoded, parsed and handed on, then forgotten. A line that is not
UTF-8, not JSON, not an object, or longer than `MAX_LINE_BYTES` becomes a `BadLine` carrying
its number and reason; the lines around it are unaffected. Blank lines are ignored.

Also here: the run's summary (what the command prints on stdout, every skipped line counted
under its reason), the progress display on standard error, the count of identical lines in a
file (`Occurrences`), and the canonical timestamp handling of the interchange formats."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import IO, Any

from django.db import DataError, IntegrityError, transaction

from motcua.core.clock import local, site_zone
from motcua.core.errors import MotcuaError, ValidationFailed

# A dossier line with a long history is a few kilobytes; anything near this is not a dossier.
MAX_LINE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class BadLine:
    """A line that could not even be read as a JSON object."""

    reason: str


class LineRejected(ValidationFailed):
    """One line of an import is refused: its number and reason go to the report."""

    code = "line_rejected"


@dataclass
class Source:
    """An open JSON Lines input: its binary stream, and its size when known (for progress)."""

    stream: IO[bytes]
    size: int | None
    name: str

    def position(self) -> int | None:
        try:
            return self.stream.tell() if self.size is not None else None
        except OSError:
            return None

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


def open_source(name: str) -> Source:
    """`name` is a path, or `-` for standard input."""
    if name == "-":
        return Source(sys.stdin.buffer, None, "-")
    path = Path(name)
    if not path.is_file():
        raise ValidationFailed(f"Không tìm thấy tệp {name}", code="file_not_found")
    return Source(path.open("rb"), os.path.getsize(path), name)


def read_lines(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """(line number, parsed object or BadLine) for every non-blank line, 1-based."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield number, BadLine(f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        yield number, _parse(raw)


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while True:
        rest = stream.readline(_CHUNK)
        if not rest or rest.endswith(b"\n"):
            return


def _parse(raw: bytes) -> dict[str, Any] | BadLine:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return BadLine(f"not UTF-8 (byte {error.start + 1} of the line)")
    try:
        item = json.loads(text)
    except json.JSONDecodeError as error:
        return BadLine(f"not JSON: {error.msg} (column {error.colno})")
    except (ValueError, RecursionError) as error:  # a number of over 4300 digits, deep nesting
        return BadLine(f"not JSON that can be read: {str(error)[:200]}")
    if not isinstance(item, dict):
        return BadLine("a line must be one JSON object")
    return item


# --- timestamps ---------------------------------------------------------------------------


def parse_moment(raw: Any, what: str) -> datetime:
    """An ISO 8601 timestamp WITH an offset (docs/interchange/README.md#conventions), or reject."""
    if not isinstance(raw, str) or not raw:
        raise LineRejected(f"{what} must be an ISO 8601 timestamp with an offset, got {raw!r}")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise LineRejected(f"{what} is not an ISO 8601 timestamp: {raw!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise LineRejected(f"{what} has no offset (e.g. +07:00): {raw!r}")
    return moment


def format_moment(moment: datetime) -> str:
    """Exports write every moment in the site's time zone, with its offset."""
    return local(moment).isoformat()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a local date (export filters: dates are the site's)."""
    return datetime.combine(day, clock_time.min, tzinfo=site_zone())


def dump_line(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False) + "\n"


def write_lines(write: Callable[[str], object], lines: Iterable[dict[str, Any]]) -> int:
    """Write each of `lines` as one JSON line through `write`; how many were written. The
    exports stream: `lines` is a generator, and memory does not grow with their number."""
    count = 0
    for line in lines:
        write(dump_line(line))
        count += 1
    return count


# --- identical lines -----------------------------------------------------------------------


class Occurrences:
    """How many times each key has come so far in one file: the n-th identical line of a file
    is a record of its own (two kiosk answers in the same minute are two ratings), and n is
    part of its idempotency key, so re-reading the file finds each one again.

    The counts live in a temporary SQLite file, not in Python objects: a file of any length
    keeps the import's memory flat (SQLite's page cache is bounded). Only keys ever counted
    are stored, as 16-byte digests."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def next(self, key: str) -> int:
        """1 the first time `key` is counted, 2 the second time, and so on."""
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        row = self._connection().execute(
            "INSERT INTO seen (key, n) VALUES (?, 1) "
            "ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING n",
            (digest,),
        )
        return int(row.fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._dir = tempfile.TemporaryDirectory(prefix="motcua-import-")
            self._db = sqlite3.connect(os.path.join(self._dir.name, "seen.sqlite3"))
            self._db.executescript(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2048;"
                "CREATE TABLE seen (key BLOB PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
            )
        return self._db


# --- the run's summary and progress -------------------------------------------------------

IMPORTED = "imported"
# A dossier already here whose history the line continues: its later events were replayed.
EXTENDED = "extended"
# What a line's handler returns when it writes nothing, and why; each is counted apart in the
# summary and explained there. Nothing is skipped for any other reason: a line that cannot be
# kept is rejected with its number and reason.
ALREADY_IMPORTED = "already_imported"
SKIP_REASONS: dict[str, str] = {
    ALREADY_IMPORTED: (
        "already in motcua: the same dossier code with the same history, the same rating id, "
        "or (without an id) the n-th identical rating line of a file imported before"
    ),
}


@dataclass
class RunSummary:
    """What an import did, line by line; counts only (the rejected lines go to `on_rejected`
    as they happen, so a file with a million bad lines needs no memory for them).

    `extended`: known dossiers whose history the file continues (their new events were
    replayed). `skipped_because`: each skipped line counted under its reason."""

    format: str
    strict: bool = False
    lines_read: int = 0
    imported: int = 0
    extended: int = 0
    skipped: int = 0
    rejected: int = 0
    committed: bool = True
    rolled_back: int = 0
    skipped_because: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0

    def count(self, outcome: str) -> None:
        """One handled line: IMPORTED, EXTENDED or the reason it was skipped."""
        if outcome == IMPORTED:
            self.imported += 1
        elif outcome == EXTENDED:
            self.extended += 1
        else:
            self.skipped += 1
            self.skipped_because[outcome] += 1

    def finish(self) -> RunSummary:
        self.elapsed = time.monotonic() - self.started
        return self

    def as_dict(self) -> dict[str, Any]:
        elapsed = self.elapsed or (time.monotonic() - self.started)
        return {
            "format": self.format,
            "strict": self.strict,
            "lines_read": self.lines_read,
            "imported": self.imported,
            "extended": self.extended,
            "skipped": self.skipped,
            "skipped_because": dict(sorted(self.skipped_because.items())),
            "skip_reasons": {
                reason: SKIP_REASONS.get(reason, reason) for reason in sorted(self.skipped_because)
            },
            "rejected": self.rejected,
            "committed": self.committed,
            "rolled_back": self.rolled_back,
            "elapsed_seconds": round(elapsed, 3),
            "lines_per_second": round(self.lines_read / elapsed, 1) if elapsed > 0 else None,
        }


Rejection = Callable[[int, str], None]


class Progress:
    """On a terminal, a bar redrawn at most ten times a second; otherwise (a log, a pipe) one
    plain line every `every` lines. Standard library only."""

    WIDTH = 30

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        tty: bool,
        source: Source,
        every: int = 10_000,
    ) -> None:
        self.write, self.tty, self.source, self.every = write, tty, source, every
        self._drawn = 0.0
        self._shown = False

    def update(self, summary: RunSummary, *, final: bool = False) -> None:
        if self.tty:
            moment = time.monotonic()
            if not final and moment - self._drawn < 0.1:
                return
            self._drawn = moment
            self._shown = True
            self.write("\r" + self._bar(summary) + ("\n" if final else ""))
        elif final or (summary.lines_read and summary.lines_read % self.every == 0):
            self.write(self._counts(summary) + "\n")

    def interrupt(self) -> None:
        """Before a rejected line is printed on a terminal: leave the bar's line."""
        if self.tty and self._shown:
            self.write("\n")
            self._shown = False

    def _counts(self, summary: RunSummary) -> str:
        elapsed = time.monotonic() - summary.started
        rate = summary.lines_read / elapsed if elapsed > 0 else 0.0
        return (
            f"{summary.lines_read} lines: {summary.imported} imported, {summary.skipped} "
            f"skipped, {summary.rejected} rejected ({rate:.0f}/s)"
        )

    def _bar(self, summary: RunSummary) -> str:
        position, size = self.source.position(), self.source.size
        if position is None or not size:
            return self._counts(summary)
        done = min(1.0, position / size)
        filled = int(done * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"[{bar}] {done:4.0%} {self._counts(summary)}"


# --- the import loop ----------------------------------------------------------------------


class _StopStrict(Exception):
    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.number, self.reason = number, reason


def describe(error: MotcuaError) -> str:
    """A rejected line's reason: our own validation speaks for itself; a domain refusal keeps
    its stable code in front of its message."""
    if isinstance(error, LineRejected):
        return error.message
    return f"{error.code}: {error.message}"


def _in_savepoint(handle: Callable[[dict[str, Any]], str], item: dict[str, Any]) -> str:
    """One line in its own savepoint: a value the database refuses (too long for a column,
    out of a numeric range, a constraint) undoes that line alone — on PostgreSQL the failed
    statement would otherwise abort the transaction of every line after it — and rejects it."""
    try:
        with transaction.atomic():
            return handle(item)
    except (DataError, IntegrityError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise LineRejected(
            f"the database refused the line ({type(error).__name__}: {first[:200]})"
        ) from None


def run_lines(
    source: Source,
    handle: Callable[[dict[str, Any]], str],
    *,
    summary: RunSummary,
    on_rejected: Rejection,
    progress: Progress | None = None,
) -> RunSummary:
    """Feed every line to `handle` (which returns IMPORTED, EXTENDED or the reason it wrote
    nothing, or raises a MotcuaError to reject it), each line in a savepoint of its own.

    Not strict: a rejected line is reported to `on_rejected` and the import goes on. Strict:
    every line runs inside ONE outer transaction (each line's own transaction becomes a
    savepoint); the first rejected line rolls the whole file back and raises ValidationFailed
    naming it — nothing of the file stays behind."""

    def body() -> None:
        for number, item in read_lines(source.stream):
            summary.lines_read += 1
            try:
                if isinstance(item, BadLine):
                    raise LineRejected(item.reason)
                outcome = _in_savepoint(handle, item)
            except MotcuaError as error:
                summary.rejected += 1
                if summary.strict:
                    raise _StopStrict(number, describe(error)) from None
                if progress is not None:
                    progress.interrupt()
                on_rejected(number, describe(error))
            else:
                summary.count(outcome)
            if progress is not None:
                progress.update(summary)

    try:
        if summary.strict:
            with transaction.atomic():
                body()
        else:
            body()
    except _StopStrict as stop:
        summary.committed = False
        summary.rolled_back = summary.imported + summary.extended
        summary.imported = summary.extended = 0
        summary.finish()
        if progress is not None:
            progress.update(summary, final=True)
        raise ValidationFailed(
            f"line {stop.number}: {stop.reason} — strict mode: nothing of the file was kept",
            code="import_rejected",
            errors=[{"line": stop.number, "reason": stop.reason}],
            summary=summary.as_dict(),
        ) from None
    summary.finish()
    if progress is not None:
        progress.update(summary, final=True)
    return summary
