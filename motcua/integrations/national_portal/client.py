"""The HTTP side of the connector: every call to the portal goes through `PortalClient`.

Each request carries `X-Motcua-Timestamp` and `X-Motcua-Signature` (`sha256=` + hex
HMAC-SHA256 of `<timestamp>.<body>` under NATIONAL_PORTAL_SECRET; for a GET the body is
empty). The portal answers JSON `{"error_code": 0, "message": …, "result": …}`; anything else
— no answer within NATIONAL_PORTAL_TIMEOUT, a refused connection, a 5xx, a non-zero
error_code — raises `PortalUnavailable` or `PortalRefused`, and the caller writes nothing."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings

from motcua.core.errors import MotcuaError, ValidationFailed
from motcua.outbox.webhook import signature


class PortalUnavailable(MotcuaError):
    code = "portal_unavailable"
    http_status = 503


class PortalRefused(MotcuaError):
    code = "portal_refused"
    http_status = 502


def problems() -> list[str]:
    found = []
    if urlsplit(settings.NATIONAL_PORTAL_URL).scheme not in ("http", "https"):
        found.append("MOTCUA_NATIONAL_PORTAL_URL must be an http(s) URL")
    if not settings.NATIONAL_PORTAL_SECRET:
        found.append("MOTCUA_NATIONAL_PORTAL_SECRET is not set")
    return found


def check_configured() -> None:
    missing = problems()
    if missing:
        raise ValidationFailed("; ".join(missing), code="portal_not_configured")


class PortalClient:
    def __init__(self) -> None:
        check_configured()
        self.base = settings.NATIONAL_PORTAL_URL
        self.secret = settings.NATIONAL_PORTAL_SECRET
        self.timeout = settings.NATIONAL_PORTAL_TIMEOUT

    # --- the endpoints -------------------------------------------------------------------

    def pending_dossiers(self) -> list[dict[str, Any]]:
        """The dossiers submitted on the portal for us (pull)."""
        result = self._call("GET", settings.NATIONAL_PORTAL_PULL_PATH).get("result") or []
        if not isinstance(result, list):
            raise PortalRefused("Cổng trả về danh sách hồ sơ không hợp lệ.")
        return result

    def acknowledge(self, code: str, *, ours: str = "", refused: str = "") -> None:
        """Tell the portal a pulled dossier was taken (`ours`: our code) or refused (`refused`:
        the stable code), so that it stops offering it."""
        body = {"MaHoSo": code, "MaHoSoDonVi": ours, "error_code": refused or "0"}
        self._call("POST", settings.NATIONAL_PORTAL_ACK_PATH, body=body)

    def send_status(self, record: dict[str, Any], *, key: str) -> None:
        self._call("POST", settings.NATIONAL_PORTAL_STATUS_PATH, body=record, key=key)

    def remote_status(self, code: str) -> str | None:
        """The portal's TrangThaiHoSo of dossier `code` (None: it does not know the dossier)."""
        answer = self._call(
            "GET", settings.NATIONAL_PORTAL_REMOTE_STATUS_PATH, query={"MaHoSo": code}
        )
        result = answer.get("result") or []
        return str(result[0].get("TrangThaiHoSo")) if result else None

    def procedures(self) -> list[dict[str, Any]]:
        result = self._call("GET", settings.NATIONAL_PORTAL_CATALOGUE_PATH).get("result") or []
        if not isinstance(result, list):
            raise PortalRefused("Cổng trả về danh mục thủ tục không hợp lệ.")
        return result

    def download(self, url: str, *, limit: int) -> bytes:
        """A submitted file, by its URL on the portal (only under the portal's own address)."""
        absolute = urljoin(self.base + "/", url)
        if urlsplit(absolute).netloc != urlsplit(self.base).netloc:
            raise ValidationFailed("Tệp không nằm trên Cổng.", code="missing_file", url=url)
        try:
            with self._open("GET", absolute, b"") as response:
                content: bytes = response.read(limit + 1)
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                raise PortalUnavailable(f"Cổng trả lời HTTP {error.code}.") from None
            raise ValidationFailed(
                f"Không tải được tệp (HTTP {error.code}).", code="missing_file", url=url
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise PortalUnavailable(f"Không kết nối được Cổng: {error}") from None
        return content

    # --- transport -----------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        key: str = "",
        query: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        url = self.base + path + ("?" + urlencode(query) if query else "")
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        try:
            with self._open(method, url, data, key=key) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise PortalUnavailable(f"Cổng trả lời HTTP {error.code}.") from None
            raise PortalRefused(f"Cổng từ chối (HTTP {error.code}).", http=error.code) from None
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            raise PortalUnavailable(f"Không kết nối được Cổng: {error}") from None
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            raise PortalRefused("Cổng trả lời không phải JSON.") from None
        if not isinstance(answer, dict):
            raise PortalRefused("Cổng trả lời không phải đối tượng JSON.")
        if str(answer.get("error_code", "0")) not in ("0", "00"):
            raise PortalRefused(
                f"Cổng báo lỗi {answer.get('error_code')}: {answer.get('message', '')}",
                error_code=str(answer.get("error_code")),
            )
        return answer

    def _open(self, method: str, url: str, data: bytes, *, key: str = "") -> Any:
        stamp = str(int(time.time()))
        headers = {
            "Accept": "application/json",
            "X-Motcua-Timestamp": stamp,
            "X-Motcua-Signature": signature(self.secret, stamp, data),
        }
        if method == "POST":
            headers["Content-Type"] = "application/json; charset=utf-8"
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(  # noqa: S310  (an http(s) URL: `problems`)
            url, data=data if method == "POST" else None, method=method, headers=headers
        )
        return urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310
