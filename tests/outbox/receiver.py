"""A real webhook receiver on 127.0.0.1 for the outbox specifications (and the benchmark): it
checks each request's signature, answers 200 — or the status it is told to give — and keeps
what it accepted, de-duplicating by idempotency key as a real receiver should."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    key: str
    payload: dict[str, Any]
    at: float  # time.time() when accepted


@dataclass
class Receiver:
    secret: str
    port: int = 0
    accepted: list[Received] = field(default_factory=list)
    keys_seen: list[str] = field(default_factory=list)  # every request, duplicates included
    bad_signatures: int = 0
    refuse: dict[str, int] = field(default_factory=dict)  # key -> status to answer
    accepted_keys: set[str] = field(default_factory=set)
    connections: int = 0  # TCP connections opened to it
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def delivered_keys(self) -> list[str]:
        with self.lock:
            return [item.key for item in self.accepted]

    def handle(self, headers: Any, body: bytes) -> int:
        key = headers.get("Idempotency-Key", "")
        stamp = headers.get("X-Motcua-Timestamp", "")
        mac = hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        with self.lock:
            self.keys_seen.append(key)
            if not hmac.compare_digest(
                "sha256=" + mac.hexdigest(), headers.get("X-Motcua-Signature", "")
            ):
                self.bad_signatures += 1
                return 401
            if key in self.refuse:
                return self.refuse[key]
            if key not in self.accepted_keys:
                self.accepted_keys.add(key)
                self.accepted.append(Received(key, json.loads(body), time.time()))
        return 200


@contextmanager
def receiver_running(
    secret: str, port: int = 0, into: Receiver | None = None
) -> Iterator[Receiver]:
    """Serve `into` (or a new receiver) on 127.0.0.1:`port` (0: any free port) until the end."""
    sink = into or Receiver(secret=secret)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps the connection open between messages

        def setup(self) -> None:
            super().setup()
            with sink.lock:
                sink.connections += 1

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = sink.handle(self.headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
