"""A notification sender for the fault tests, standing in for an SMS
gateway that drops duplicates by message id: each attempt appends the
notification's idempotency key to the file named by
``MINSHENG_SOAK_SENT_LOG`` (one line, appended in one write), after
``MINSHENG_SOAK_SEND_SECONDS`` (default 0.05) — a gateway's round trip, so
that a delivery run lasts long enough to be killed in the middle.

Configured for the worker with
``MINSHENG_SENDER_SMS=tests.soak.recording_sender.record``."""

import os
import time

from casemodels.services.outbox import idempotency_key


def record(notification):
    time.sleep(float(os.environ.get("MINSHENG_SOAK_SEND_SECONDS", "0.05")))
    line = f"{idempotency_key(notification)} {notification.pk}\n".encode()
    fd = os.open(os.environ["MINSHENG_SOAK_SENT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
