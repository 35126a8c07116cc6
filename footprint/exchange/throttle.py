"""Throttling of failed logins at the token endpoint, per client id and per network address.

A secret check costs ~16 MiB of memory and ~50 ms (scrypt, see :mod:`footprint.exchange.auth`),
so guessing must be slowed before the check runs, and parallel checks bounded: after
``max_failures`` failures of one key (a client id or an address) within ``window_s`` seconds
that key is refused at once (HTTP 429 with ``Retry-After``) until its oldest failure leaves the
window, and at most ``parallel_checks`` secret checks run at a time. Memory is bounded: at most
``max_keys`` keys are tracked (least recently failed forgotten first), each with at most
``max_failures`` timestamps.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from math import ceil

#: failures of one client id or one address allowed within the window before 429
MAX_FAILURES = 5
#: seconds a failure counts for
WINDOW_S = 60.0
#: keys (client ids and addresses) tracked at most
MAX_KEYS = 10_000
#: secret checks (scrypt) running at once
PARALLEL_CHECKS = 2


class LoginThrottle:
    """Failed-login counts per key in a sliding window; thread-safe."""

    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        max_keys: int = MAX_KEYS,
        parallel_checks: int = PARALLEL_CHECKS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1 or window_s <= 0 or max_keys < 1 or parallel_checks < 1:
            raise ValueError("throttle limits must be positive")
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        #: held while a secret is checked, so memory stays bounded under parallel guessing
        self.checking = threading.BoundedSemaphore(parallel_checks)

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until any of ``keys`` may try again, or None if none is throttled."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if times is not None and len(times) >= self.max_failures:
                    wait = max(wait, times[0] + self.window_s - now)
        return max(1, ceil(wait)) if wait > 0 else None

    def failed(self, keys: Iterable[str]) -> None:
        """Count one failed login for each of ``keys``."""
        now = self._clock()
        with self._lock:
            for key in keys:
                times = self._failures.pop(key, None) or deque(maxlen=self.max_failures)
                times.append(now)
                self._failures[key] = times
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` (a client id that has just logged in)."""
        with self._lock:
            self._failures.pop(key, None)

    def tracked(self) -> int:
        """How many keys have failures on record (bounded by ``max_keys``)."""
        with self._lock:
            return len(self._failures)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times
