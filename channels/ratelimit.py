"""Token buckets keyed by sender or client address, with a bounded number of keys."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Tuple


class RateLimiter:
    """`burst` requests at once per key, refilled at `rate` a second; the least recently used keys are
    forgotten beyond `max_keys`, so memory stays bounded whatever the number of senders."""

    def __init__(self, rate: float, burst: float, max_keys: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self.clock = clock
        self.buckets: OrderedDict[str, Tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Take one token from the key's bucket; False when it is empty."""
        now = self.clock()
        tokens, last = self.buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self.buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self.buckets) > self.max_keys:
            self.buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until the key's bucket holds a token again."""
        tokens, _ = self.buckets.get(key, (self.burst, 0.0))
        return max(1, int((1 - tokens) / self.rate + 0.999)) if self.rate > 0 else 60
