"""Signing PDFs issued by motcua: the lookup QR stamped on the first page, then a PAdES
signature with the agency's certificate (docs/domain/e-results.md).

The certificate and its key come from files the environment names (`settings.SIGNING`):
either a PKCS#12 archive, or a PEM certificate and a PEM key, with the CA certificates of its
chain and the passphrase. Nothing secret is ever stored in the database or the repository.

The original PDF is never rewritten: the stamp and the signature are one incremental update
appended to the bytes received, so whatever the agency signed on paper is still there, byte for
byte, at the start of the file."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers

from motcua.core.errors import ValidationFailed
from motcua.dossiers.papers.barcodes import QR_BORDER, QR_SIZE_MM, qr_matrix

logger = logging.getLogger(__name__)
T = TypeVar("T")

MM = 72 / 25.4  # PDF points per millimetre
MARGIN_MM = 6  # from the page's lower right corner
TEXT_SIZE = 5.5  # points: the URL printed under the QR
A4 = (0.0, 0.0, 595.28, 841.89)
FIELD_NAME = "MotcuaSignature"


@dataclass(frozen=True)
class SigningConfig:
    """Where the signing material is: `pkcs12`, or `certificate` and `key` (PEM), with
    `chain` (PEM CA certificates) and the `passphrase` of the archive or the key."""

    pkcs12: str = ""
    certificate: str = ""
    key: str = ""
    chain: tuple[str, ...] = ()
    passphrase: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.pkcs12 or (self.certificate and self.key))


def config() -> SigningConfig:
    raw = getattr(settings, "SIGNING", None) or {}
    return SigningConfig(
        pkcs12=raw.get("pkcs12", ""),
        certificate=raw.get("certificate", ""),
        key=raw.get("key", ""),
        chain=tuple(raw.get("chain", ()) or ()),
        passphrase=raw.get("passphrase", ""),
    )


def is_configured() -> bool:
    return config().configured


def not_configured() -> ValidationFailed:
    return ValidationFailed(
        "Chưa cấu hình chứng thư số để ký kết quả điện tử. Liên hệ quản trị hệ thống.",
        code="signing_not_configured",
    )


@lru_cache(maxsize=4)
def _load(material: SigningConfig) -> signers.SimpleSigner:
    passphrase = material.passphrase.encode() if material.passphrase else None
    if material.pkcs12:
        signer = signers.SimpleSigner.load_pkcs12(
            material.pkcs12, ca_chain_files=list(material.chain) or None, passphrase=passphrase
        )
    else:
        signer = signers.SimpleSigner.load(
            material.key,
            material.certificate,
            ca_chain_files=list(material.chain) or None,
            key_passphrase=passphrase,
        )
    if signer is None:  # pyHanko logs why (a wrong passphrase, a damaged file)
        raise _unreadable()
    return signer


def signer() -> signers.SimpleSigner:
    material = config()
    if not material.configured:
        raise not_configured()
    for path in (material.pkcs12, material.certificate, material.key, *material.chain):
        if path and not Path(path).is_file():
            logger.error("signing material %s is not a readable file", path)
            raise _unreadable()
    return _load(material)


def _unreadable() -> ValidationFailed:
    return ValidationFailed(
        "Không đọc được chứng thư số đã cấu hình. Liên hệ quản trị hệ thống.",
        code="signing_material_unreadable",
    )


def stamp_and_sign(pdf: bytes, *, url: str, caption: str, reason: str, location: str = "") -> bytes:
    """`pdf` with the QR of `url` and the `caption` line on its first page, signed (PAdES
    B-B, SHA-256) for `reason`. A PDF that cannot be read (damaged, encrypted) is refused."""
    chosen = signer()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise ValidationFailed(
                "Tệp PDF có mật khẩu: hãy xuất lại tệp không đặt mật khẩu.",
                code="result_pdf_encrypted",
            )
        _stamp_qr(writer, url=url, caption=caption)
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason[:200] or None,
            location=location[:200] or None,
        )
        out = in_own_loop(signers.async_sign_pdf(writer, metadata, signer=chosen))
    except ValidationFailed:
        raise
    except (PdfError, KeyError, ValueError, TypeError, IndexError) as error:
        logger.info("could not stamp and sign a PDF: %s", error)
        raise ValidationFailed(
            "Không đọc được tệp PDF (tệp hỏng hoặc không đúng chuẩn).",
            code="result_pdf_unreadable",
        ) from None
    return bytes(out.getbuffer())


def in_own_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to its end: here, or in a thread of its own when the caller
    already runs an event loop (an async view, a test driving a browser), where asyncio.run
    may not be called."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def _stamp_qr(writer: IncrementalPdfFileWriter, *, url: str, caption: str) -> None:
    """Draw the QR (vector rectangles, the same matrix, size and border as the papers' QR)
    and the caption
    at the first page's lower right corner, on a white square, above the page's content.

    The page's own content is wrapped in q … Q so that whatever state it leaves behind (a
    scale, a colour) does not move or tint the stamp."""
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    x0, y0, x1, _y1 = _box(page)
    side = QR_SIZE_MM * MM
    left = x1 - MARGIN_MM * MM - side
    bottom = y0 + MARGIN_MM * MM + TEXT_SIZE * 2.6
    matrix = qr_matrix(url)
    modules = len(matrix) + 2 * QR_BORDER
    cell = side / modules
    ops = [b"Q", b"q", b"1 g", f"{left:.2f} {bottom:.2f} {side:.2f} {side:.2f} re f".encode()]
    ops.append(b"0 g")
    for row, cells in enumerate(matrix):
        y = bottom + side - (row + QR_BORDER + 1) * cell
        for start, length in _runs(cells):
            x = left + (start + QR_BORDER) * cell
            ops.append(f"{x:.3f} {y:.3f} {cell * length:.3f} {cell:.3f} re".encode())
    ops.append(b"f")
    text_left = max(x0 + MARGIN_MM * MM, x1 - MARGIN_MM * MM - _text_width(url))
    for line, text in enumerate((url, caption)):
        y = y0 + MARGIN_MM * MM + TEXT_SIZE * (1.3 - 1.2 * line)
        ops.append(
            b"BT /MotcuaQRFont %.1f Tf %.2f %.2f Td (%s) Tj ET"
            % (TEXT_SIZE, text_left, y, _pdf_string(text))
        )
    ops.append(b"Q")
    font = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
            }
        )
    )
    resources = generic.DictionaryObject(
        {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/MotcuaQRFont"): font})}
    )
    opening = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
    writer.add_stream_to_page(0, opening, prepend=True)
    stamp = writer.add_object(generic.StreamObject(stream_data=b"\n".join(ops) + b"\n"))
    writer.add_stream_to_page(0, stamp, resources=resources)


def _runs(cells: tuple[bool, ...]) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules in a row: one rectangle per run, so
    no hairline shows between neighbouring modules when the page is rendered."""
    runs: list[tuple[int, int]] = []
    for column, dark in enumerate(cells):
        if not dark:
            continue
        if runs and runs[-1][0] + runs[-1][1] == column:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((column, 1))
    return runs


def _box(page: generic.DictionaryObject) -> tuple[float, float, float, float]:
    """The page's visible box (CropBox, else MediaBox, looked up through its parents)."""
    node: generic.PdfObject | None = page
    while node is not None:
        node = node.get_object()
        for key in ("/CropBox", "/MediaBox"):
            if key in node:  # type: ignore[operator]
                box = node[key].get_object()  # type: ignore[index]
                x0, y0, x1, y1 = (float(value) for value in box)
                return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
        node = node.get("/Parent")  # type: ignore[union-attr]
    return A4


def _text_width(text: str) -> float:
    return len(text) * TEXT_SIZE * 0.5  # Helvetica's average advance, near enough to place it


def _pdf_string(text: str) -> bytes:
    """ASCII text as a PDF literal string: anything else becomes '?', and the three
    characters a literal string gives meaning to are escaped."""
    data = text.encode("ascii", "replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
