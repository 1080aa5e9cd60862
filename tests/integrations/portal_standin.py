"""A stand-in for the national public service portal, served for real on 127.0.0.1 by the tests.

It offers dossiers to pull (and forgets one once it is acknowledged), serves their files, takes
status records (checking each request's signature and dropping a repeat by its
Idempotency-Key, as the portal should), answers the remote status of a dossier (the last status
it took, unless told otherwise) and serves the procedure catalogue. It pushes a dossier to
a push endpoint, signed (`push`). It can be told to be slow
(`delay`), to answer every request with a status (`fail_with`, e.g. 503), or to offer every
dossier twice (`double`)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class StandIn:
    secret: str
    port: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # served at /tep/<name>
    procedures: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # accepted, in arrival order
    keys_seen: list[str] = field(default_factory=list)  # every status request, repeats too
    acks: list[dict[str, Any]] = field(default_factory=list)
    remote: dict[str, str] = field(default_factory=dict)  # MaHoSo -> status it claims
    fail_with: int | None = None
    delay: float = 0.0
    double: bool = False
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def offer(self, dossier: dict[str, Any]) -> None:
        with self.lock:
            self.pending.append(dossier)

    def push(self, url: str, dossier: dict[str, Any]) -> tuple[int, Any]:
        """POST one dossier to a push endpoint (`url`), signed as the portal signs; the
        answer's status and JSON body."""
        body = json.dumps(dossier, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        mac = hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        target = urlsplit(url)
        client = http.client.HTTPConnection(target.netloc, timeout=30)
        try:
            client.request(
                "POST",
                target.path,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Motcua-Timestamp": stamp,
                    "X-Motcua-Signature": "sha256=" + mac.hexdigest(),
                },
            )
            response = client.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            client.close()

    def records_of(self, code: str) -> list[dict[str, Any]]:
        """The status records taken for dossier `code` (MaHoSo), in order."""
        with self.lock:
            return [dict(s) for s in self.statuses if s["MaHoSo"] == code]

    def codes_of(self, code: str) -> list[str]:
        """The statuses taken for dossier `code` (MaHoSo), in order."""
        with self.lock:
            return [s["TrangThaiHoSo"] for s in self.statuses if s["MaHoSo"] == code]

    def events_of(self, code: str) -> list[str]:
        with self.lock:
            return [s["SuKien"] for s in self.statuses if s["MaHoSo"] == code]

    # --- the endpoints ------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any]:
        """What the portal does with a request, then answers after `delay` seconds (a slow
        portal has done the work and is late to say so: a client that gave up sends again)."""
        result = self._handle(method, target, headers, body)
        if self.delay:
            time.sleep(self.delay)
        return result

    def _handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any]:
        if self.fail_with:
            return self.fail_with, {"error_code": "-1", "message": "lỗi máy chủ"}
        if not self._signed(headers, body):
            with self.lock:
                self.bad_signatures += 1
            return 401, {"error_code": "-1", "message": "sai chữ ký"}
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        with self.lock:
            if method == "GET" and path == "/hoso/moi":
                offered = [*self.pending, *self.pending] if self.double else list(self.pending)
                return 200, {"error_code": "0", "result": offered}
            if method == "POST" and path == "/hoso/danhan":
                ack = json.loads(body)
                self.acks.append(ack)
                self.pending = [d for d in self.pending if d["MaHoSo"] != ack["MaHoSo"]]
                return 200, {"error_code": "0", "message": "thành công"}
            if method == "POST" and path == "/hoso/dongbo":
                key = headers.get("Idempotency-Key", "")
                self.keys_seen.append(key)
                if key not in {s["_key"] for s in self.statuses}:
                    self.statuses.append({**json.loads(body), "_key": key})
                return 200, {"error_code": "0", "message": "thành công"}
            if method == "GET" and path == "/hoso/trangthai":
                code = query.get("MaHoSo", [""])[0]
                known = self.remote.get(code) or next(
                    (s["TrangThaiHoSo"] for s in reversed(self.statuses) if s["MaHoSo"] == code),
                    None,
                )
                result = [{"MaHoSo": code, "TrangThaiHoSo": known}] if known else []
                return 200, {"error_code": "0", "result": result}
            if method == "GET" and path == "/thutuc":
                return 200, {"error_code": "0", "result": self.procedures}
            if method == "GET" and path.startswith("/tep/"):
                content = self.files.get(path.removeprefix("/tep/"))
                return (200, content) if content is not None else (404, {"error_code": "-1"})
        return 404, {"error_code": "-1", "message": "không có"}

    def _signed(self, headers: Any, body: bytes) -> bool:
        stamp = headers.get("X-Motcua-Timestamp", "")
        mac = hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        return hmac.compare_digest(
            "sha256=" + mac.hexdigest(), headers.get("X-Motcua-Signature", "")
        )


@contextmanager
def standin_running(secret: str, port: int = 0, into: StandIn | None = None) -> Iterator[StandIn]:
    """Serve `into` (or a new stand-in) on 127.0.0.1:`port` (0: any free port) until the end."""
    portal = into or StandIn(secret=secret)

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, content = portal.answer(method, self.path, self.headers, body)
            raw = content if isinstance(content, bytes) else json.dumps(content).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except OSError:  # the client gave up waiting (a timeout test)
                pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    portal.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
