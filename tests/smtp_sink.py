"""A real SMTP server for tests and benchmarks (aiosmtpd), recording what it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: email.message.EmailMessage


@dataclass
class SinkHandler:
    """Accepts every mail unless a recipient is listed in ``refuse`` (answered with that code)."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_mail: object = None  # optional callable(Received), run before the mail is accepted

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)
        if callable(self.on_mail):
            self.on_mail(received)
        with self.lock:
            self.messages.append(received)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = SinkHandler()
        self.controller: Controller | None = None

    def start(self) -> SmtpSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def message_ids(self) -> Counter:
        return Counter(r.message["Message-ID"] for r in self.messages)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.messages if address in r.recipients]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Wait until at least ``count`` mails arrived; return them (fail loudly on time-out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"SMTP sink got {len(self.messages)} mails, expected {count} within {timeout}s")
