"""Configuration read once and kept in the process for a while: the region
names of ``places`` and the keyword rules of ``suggestions``. Every process
reads it again after ``seconds``; ``forget()`` (a save in this process)
makes the next read fresh at once."""

import threading
import time


class ProcessCache:
    def __init__(self, load, seconds=60):
        self._load, self._seconds = load, seconds
        self._lock = threading.Lock()
        self._value, self._read_at = None, 0.0

    def get(self):
        value = self._value
        if value is None or time.monotonic() - self._read_at > self._seconds:
            with self._lock:
                value = self._load()
                self._value, self._read_at = value, time.monotonic()
        return value

    def forget(self):
        with self._lock:
            self._value = None
