"""The English interface: the public lookup and the counter's intake page in English once the
visitor switches language, and a complete, compiled catalogue (locale/en/LC_MESSAGES)."""

from __future__ import annotations

import ast
import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from motcua.accounts.models import Role
from tests.conftest import make_user, version_of
from tests.dossiers.test_receive_dossier import CRIMINAL_RECORD, receive
from tests.reports.history import build_march, build_ratings, people

MESSAGES = Path(settings.BASE_DIR) / "motcua" / "locale" / "en" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"


def in_english(client: Client) -> Client:
    """Switch the session's language as the header's "English" button does."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


# ---------------------------------------------------------------------------------------------
# Pages


@pytest.mark.django_db
def test_the_lookup_page_is_in_english(client: Client) -> None:
    page = in_english(client).get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Check the status of a dossier" in page
    assert "Enter the dossier code printed on the Dossier Receipt and Appointment Slip" in page
    assert ">Look up</button>" in page
    assert "Officer sign-in" in page and "Tiếng Việt" in page  # the way back
    for vietnamese in ("Tra cứu tình trạng hồ sơ", "Mã hồ sơ", "Đăng nhập cán bộ"):
        assert vietnamese not in page


@pytest.mark.django_db
def test_the_browser_language_is_enough(client: Client) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Check the status of a dossier" in page
    assert "Tra cứu tình trạng hồ sơ" not in page


@pytest.mark.django_db
def test_an_unknown_code_is_reported_in_english(client: Client, catalogue) -> None:
    response = in_english(client).get("/tra-cuu/000.00.01.H99-250424-9999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No dossier found with code 000.00.01.H99-250424-9999." in page
    assert "Không tìm thấy hồ sơ" not in page


@pytest.mark.django_db
def test_a_dossier_lookup_shows_english_labels_and_explanation(
    client: Client, counter_officer
) -> None:
    dossier = receive(counter_officer)
    page = in_english(client).get(f"/tra-cuu/{dossier.code}/").content.decode()
    for label in (
        "Dossier code",
        "Procedure",
        "Receiving office",
        "Handling agency",
        "Submitted via",
        "Received on",
        "Appointment for the result",
        "How the appointment date was worked out",
        "Applicant details",
        "Lookup code or last 4 digits of your phone",
        "Look up another dossier",
    ):
        assert f"{label}<" in page or f"{label}:" in page, label
    assert ">Received</p>" in page  # the status
    assert "In person at the counter" in page  # the channel
    assert "12/05/2025" in page  # the appointment itself is unchanged
    # The explanation is the English one the dossier stored at intake.
    assert "Received at" in page and "working day" in page
    assert "Saturday 26 April 2025 is a make-up working day" in page
    for vietnamese in (
        "Mã hồ sơ",
        "Ngày hẹn trả kết quả",
        "Cách tính ngày hẹn trả",
        "Mới tiếp nhận",
        "Tiếp nhận lúc",
        "Hẹn trả",
        "4 số cuối",
    ):
        assert vietnamese not in page, vietnamese


@pytest.mark.django_db
def test_the_applicant_details_are_in_english(client: Client, counter_officer) -> None:
    dossier = receive(counter_officer)
    page = (
        in_english(client)
        .post(f"/tra-cuu/{dossier.code}/", {"khoa": dossier.lookup_code})
        .content.decode()
    )
    assert "Nguyễn Văn An" in page  # names are never translated
    assert "Handling steps" in page and "Documents submitted" in page
    assert "Result delivery<" in page and "At the counter" in page
    assert "Lookup code<" in page
    assert "— Your dossier was received</li>" in page  # the step in the citizen's words
    assert "Result expected by 10:00 on Monday 12 May 2025" in page  # what happens next
    assert "Quá trình giải quyết" not in page and "Tại quầy" not in page


@pytest.mark.django_db
def test_the_intake_page_has_english_labels(client: Client, counter_officer) -> None:
    client.force_login(counter_officer)
    in_english(client)
    version = version_of(CRIMINAL_RECORD)
    page = client.get("/quay/tiep-nhan/", {"version": version.pk}).content.decode()
    assert "<h1>Receive a dossier</h1>" in page
    assert "Choose an administrative procedure" in page
    assert "Search by procedure name or code (accents optional)" in page
    for label in (
        "Receiving office",
        "Applicant",
        "Applicant&#x27;s full name",
        "Citizen ID number / tax code",
        "Phone number",
        "Email",
        "Address",
        "Submitted via",
        "Documents received",
        "Number of sets",
        "Handling agency",
        "How the result is delivered",
        "Postal address for the result",
    ):
        assert f">{label}<" in page or f">{label} <" in page, label
    assert "In person at the counter" in page and "By public postal service" in page
    assert "As set by the procedure (automatic)" in page
    assert 'data-testid="receive">Receive a dossier</button>' in page
    for vietnamese in ("Tiếp nhận hồ sơ", "Nơi tiếp nhận", "Họ và tên người nộp", "Kênh nộp"):
        assert vietnamese not in page, vietnamese


@pytest.mark.django_db
def test_the_desk_lists_steps_and_papers_in_english_and_the_papers_stay_vietnamese(
    client: Client, counter_officer
) -> None:
    dossier = receive(counter_officer)
    client.force_login(counter_officer)
    in_english(client)
    page = client.get(f"/quay/ho-so/{dossier.code}/").content.decode()
    assert "<td>Receive and transfer the dossier</td>" in page  # the step's name
    assert "Dossier Receipt and Appointment Slip</a>" in page
    assert "Dossier handling control slip</a>" in page
    for vietnamese in ("Tiếp nhận và chuyển hồ sơ", "Giấy tiếp nhận hồ sơ", "Phiếu kiểm soát"):
        assert vietnamese not in page, vietnamese
    slip = client.get(f"/quay/ho-so/{dossier.code}/mau-01.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(slip.content)).pages).split()
    )
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text  # official papers stay Vietnamese
    assert "Receipt" not in text


@pytest.mark.django_db
def test_the_ratings_and_indicators_read_in_english(
    client: Client, counter_officer, commune_officer, agency_leader
) -> None:
    build_march(people(counter_officer, commune_officer, agency_leader))
    build_ratings()
    client.force_login(make_user("director", "AH", Role.CENTRE_DIRECTOR))
    in_english(client)
    page = client.get("/quay/bao-cao/", {"don-vi": "AH", "nam": "2025", "thang": "3"})
    text = page.content.decode()
    for english in ("Overall satisfaction", "Very satisfied", "Officer&#x27;s attitude"):
        assert english in text, english
    for vietnamese in ("Mức độ hài lòng chung", "Rất hài lòng", "Thái độ của cán bộ"):
        assert vietnamese not in text, vietnamese
    assert " date<" not in text and "motcua&#x27;s data" not in text


@pytest.mark.django_db
def test_vietnamese_stays_the_default(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Tra cứu tình trạng hồ sơ" in page
    assert "Check the status of a dossier" not in page


# ---------------------------------------------------------------------------------------------
# The catalogue


def _quoted(line: str) -> str:
    return ast.literal_eval(line[line.index('"') :])


def po_entries() -> list[tuple[str, str, list[str]]]:
    return _entries(PO.read_text(encoding="utf-8"))


def _entries(text: str) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgstr, flags) of every entry, the header included; a plural entry gives one
    tuple per form, its msgid being (singular, form index) as gettext keys them; a message
    with a context (pgettext) is keyed "context\x04msgid", as in the compiled catalogue. Enough
    for the files makemessages writes here: no obsolete entries."""
    entries: list[dict] = []
    flags: list[str] = []
    context: str | None = None
    field = "msgid"
    for line in text.splitlines():
        if line.startswith("#,"):
            flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("msgctxt "):
            context, field = _quoted(line), "context"
        elif line.startswith("msgid "):
            msgid = _quoted(line)
            if context is not None:
                msgid = f"{context}\x04{msgid}"
            entries.append({"msgid": msgid, "plural": None, "forms": {}, "flags": flags})
            flags, field, context = [], "msgid", None
        elif line.startswith("msgid_plural "):
            field = "plural"
            entries[-1]["plural"] = _quoted(line)
        elif line.startswith("msgstr"):
            field = line.split(" ", 1)[0]  # msgstr or msgstr[N]
            entries[-1]["forms"][field] = _quoted(line)
        elif line.startswith('"'):
            if field == "context" and context is not None:
                context += _quoted(line)
            elif field in ("msgid", "plural"):
                entries[-1][field] += _quoted(line)
            else:
                entries[-1]["forms"][field] += _quoted(line)
    found = []
    for entry in entries:
        if entry["plural"] is None:
            found.append((entry["msgid"], entry["forms"].get("msgstr", ""), entry["flags"]))
            continue
        for name, text in sorted(entry["forms"].items()):
            found.append(((entry["msgid"], int(name[7:-1])), text, entry["flags"]))
    return found


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    entries = po_entries()
    header = [entry for entry in entries if entry[0] == ""]
    messages = [entry for entry in entries if entry[0] != ""]
    assert len(header) == 1 and "Language: en\n" in header[0][1]
    assert len(messages) >= 185
    assert [msgid for msgid, msgstr, _ in messages if not msgstr] == []
    assert [msgid for msgid, _, flags in entries if "fuzzy" in flags] == []
    for key, msgstr, _ in messages:
        msgid = key if isinstance(key, str) else key[0]
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid
        assert msgid.startswith(" ") == msgstr.startswith(" "), msgid
        assert msgid.endswith(" ") == msgstr.endswith(" "), msgid


def test_the_catalogue_holds_every_string_the_sources_mark(tmp_path: Path) -> None:
    """makemessages over a copy of the sources finds no message the catalogue lacks: a string
    marked for translation (in code or a template) but never translated fails here, as an
    empty or fuzzy one fails above."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    source = Path(settings.BASE_DIR) / "motcua"
    copy = tmp_path / "motcua"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo", "migrations", "data"),
    )
    # Settings of its own: the project's LOCALE_PATHS would make it write the real catalogue.
    (tmp_path / "messages_only.py").write_text(
        'SECRET_KEY = "messages"\nUSE_I18N = True\nLOCALE_PATHS = []\n', encoding="utf-8"
    )
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "messages_only",
            "PYTHONPATH": str(tmp_path),
        },
    )
    fresh = (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    untranslated = [
        msgid
        for msgid, msgstr, flags in _entries(fresh)
        if msgid and (not msgstr or "fuzzy" in flags)
    ]
    assert untranslated == []


def _catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalogue.items() if key != ""}


def test_the_compiled_catalogue_holds_every_translation() -> None:
    expected = {msgid: msgstr for msgid, msgstr, _ in po_entries() if msgid}
    assert _catalogue(MO) == expected


def test_the_compiled_catalogue_is_up_to_date(tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(PO)], check=True)
    # Different gettext releases may lay the file out differently; the messages must agree.
    assert fresh.read_bytes() == MO.read_bytes() or _catalogue(fresh) == _catalogue(MO)
