"""The specification lives in the repository: no file points at documents outside it, and every
`docs/….md#anchor` that code, tests or documents cite exists, down to the heading."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("motcua", "tests", "benchmarks", "scripts", "docs")
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".json", ".po", ".yaml", ".yml", ""}
SKIPPED_PARTS = {"__pycache__", "static", "migrations"}
THIS_FILE = Path(__file__).resolve()

# Documents that were never part of the product: the developers' research folder, and section
# numbers of its domain description ("§5.6") that a reader of the product cannot open.
OUTSIDE = re.compile(r"shared/docs|shared/data|\.\./shared|domain\.md|interchange\.md|§\s?\d")
# A repository document cited from anywhere: docs/domain/legal-clock.md#pauses
CITED = re.compile(r"(?<![\w/.-])(docs/[\w./-]+?\.md)(?:#([\w-]+))?")
# A Markdown link inside a document: [text](../domain/reports.md#periods)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def scanned_files() -> list[Path]:
    found = [ROOT / "README.md"]
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path.resolve() == THIS_FILE:
                continue
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                continue
            if path.suffix in TEXT_SUFFIXES:
                found.append(path)
    return found


def lines_of(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return []


def slug(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading: lower case, punctuation dropped, spaces
    to hyphens (`## Same-day cut-off` → `same-day-cut-off`, `## Form II.06a` → `form-ii06a`)."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The anchors of a Markdown file's headings (fenced code blocks skipped)."""
    found, fenced = set(), False
    for line in lines_of(path):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6}\s+(.+?)\s*#*$", line)):
            found.add(slug(match[1]))
    return frozenset(found)


def problem(target: Path, anchor: str | None) -> str | None:
    if not target.is_file():
        return f"{target.relative_to(ROOT)} does not exist"
    if anchor and anchor not in anchors(target):
        return f"{target.relative_to(ROOT)} has no heading for #{anchor}"
    return None


def where(path: Path, number: int) -> str:
    return f"{path.relative_to(ROOT)}:{number}"


def test_nothing_points_outside_the_repository() -> None:
    found = [
        f"{where(path, number)}: {line.strip()}"
        for path in scanned_files()
        for number, line in enumerate(lines_of(path), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "references to documents outside the repository:\n" + "\n".join(found)


def test_every_cited_document_and_heading_exists() -> None:
    cited = [
        (path, number, match[1], match[2])
        for path in scanned_files()
        for number, line in enumerate(lines_of(path), 1)
        for match in CITED.finditer(line)
    ]
    assert len({c[2] for c in cited}) >= 10, "the code cites the specification documents"
    broken = [
        f"{where(path, number)}: {reason}"
        for path, number, target, anchor in cited
        if (reason := problem(ROOT / target, anchor))
    ]
    assert not broken, "\n".join(broken)


def test_every_link_between_documents_resolves() -> None:
    broken = []
    for path in scanned_files():
        if path.suffix != ".md":
            continue
        for number, line in enumerate(lines_of(path), 1):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):
                    continue  # https:, mailto:
                file_part, _, anchor = target.partition("#")
                resolved = (path.parent / file_part).resolve() if file_part else path
                if resolved.is_dir():
                    continue
                reason = problem(resolved, anchor or None)
                if reason:
                    broken.append(f"{where(path, number)}: {reason}")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Pauses", "pauses"),
        ("Same-day cut-off", "same-day-cut-off"),
        ("Form II.06a", "form-ii06a"),
        ("Decision 766 indicators", "decision-766-indicators"),
        ("Form 01", "form-01"),
    ],
)
def test_anchors_are_made_as_markdown_renderers_make_them(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor
