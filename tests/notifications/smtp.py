"""A real SMTP server on 127.0.0.1 for the specifications (aiosmtpd, in its own thread).

It can hold every session at a stage (`hold_at`: "EHLO", before anything is handed over, or
"DATA", once the whole message has arrived and before the server answers) until `release` is
set; it can refuse the recipient (`recipient_reply`) or the message (`reply`), or hang up
when told the recipient."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening on it (just released by the OS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Delivery:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    """Collects every message the server accepts, parsed as it arrived on the wire. A message
    counts as received once it has fully arrived and is not refused, before the server
    answers, as a real server queues it: a client that dies waiting for the answer has still
    delivered it."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Delivery] = field(default_factory=list)
    reply: str = "250 Message accepted for delivery"
    recipient_reply: str = "250 OK"
    hang_up_at_recipient: bool = False
    hold_at: str = ""
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        await self._hold("EHLO")
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.hang_up_at_recipient:
            server.transport.abort()
        if self.recipient_reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.recipient_reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        if self.reply.startswith("250"):  # queued on arrival, before the answer
            self.received.append(Delivery(envelope.mail_from, list(envelope.rcpt_tos), message))
        await self._hold("DATA")
        return self.reply

    async def _hold(self, stage: str) -> None:
        if self.hold_at != stage:
            return
        self.holding.set()
        while not self.release.is_set():
            await asyncio.sleep(0.02)

    def message_ids(self) -> list[str]:
        return [str(delivery.message["Message-ID"]).strip() for delivery in self.received]


@contextmanager
def smtp_server(port: int | None = None, **behaviour: Any) -> Iterator[SmtpSink]:
    sink = SmtpSink(port=port or free_port(), **behaviour)
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        sink.release.set()
        controller.stop()
