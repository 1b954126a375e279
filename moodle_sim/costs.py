"""Simulator configuration, the cost model, injected faults and the busy-time counters.

Cost model (defaults 0 = as fast as possible): every call costs ``latency_ms`` plus, for each row it
processes (users in a grade report, enrolment rows, looked-up values, grades), ``per_row_ms`` — or the
function's own price from ``row_ms_by_function``. ``LAB_ROW_MS`` holds the lab's measured per-row prices
(NOTES «Timings»), ``LAB_LATENCY_MS`` its per-call cost. The cost is slept outside the state lock, so several
calls can be "busy" at once, like PHP workers.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

FAULT_KINDS = ("http_503", "timeout", "html_error", "slow")


@dataclass(frozen=True)
class SimConfig:
    token: str = "sim-token"
    site_url: str = "http://127.0.0.1:8081"
    latency_ms: float = 0.0
    per_row_ms: float = 0.0
    row_ms_by_function: Mapping[str, float] = field(default_factory=dict)  # overrides per_row_ms
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    random_seed: int = 0
    max_input_vars: int = 1000
    timeout_sleep_s: float = (
        65.0  # a "timeout" fault holds the answer this long (beyond a client's read timeout)
    )
    slow_factor: float = 10.0  # a "slow" fault multiplies the call's cost
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault kinds must be some of {', '.join(FAULT_KINDS)}: {sorted(unknown)}")
        if not 0 <= self.fault_rate <= 1:
            raise ValueError("fault_rate must be within 0..1")
        if self.max_input_vars < 1:
            raise ValueError("max_input_vars must be at least 1")


# Per-row prices measured in the lab (NOTES «Timings», medians of 200-row calls, ms per row):
LAB_LATENCY_MS = 48.0  # one-user grade report 47.7 ms; site info 33 ms
LAB_ROW_MS: Mapping[str, float] = MappingProxyType(
    {
        "gradereport_user_get_grade_items": 8.5,  # (1756 - 48) / 202
        "core_user_get_users_by_field": 4.1,  # 860 / 200
        "enrol_manual_enrol_users": 11.8,  # 2356 / 200
        "enrol_manual_unenrol_users": 9.8,  # 1955 / 200
        "core_enrol_get_enrolled_users": 5.1,  # 1068 / 203
        "core_grades_update_grades": 18.0,  # 3626 / 200
        "core_user_update_users": 12.0,  # like core_user_create_users, 2433 / 200
    }
)


def call_cost_ms(config: SimConfig, wsfunction: str, rows: int) -> float:
    return config.latency_ms + config.row_ms_by_function.get(wsfunction, config.per_row_ms) * rows


class FaultInjector:
    """Draws faults from one seeded generator: the same seed and call order give the same faults."""

    def __init__(self, config: SimConfig) -> None:
        self._rate = config.fault_rate
        self._kinds = config.fault_kinds
        self._rng = random.Random(config.random_seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        if self._rate <= 0:
            return None
        with self._lock:
            hit = self._rng.random() < self._rate
            kind = self._rng.choice(self._kinds)
        return kind if hit else None


class Stats:
    """Simulated server busy time and call counts, for benchmarks (GET /sim/stats)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._busy_ms = 0.0
            self._calls: dict[str, int] = {}
            self._busy_by_function: dict[str, float] = {}
            self._rows: dict[str, int] = {}
            self._faults: dict[str, int] = {}
            self._dropped_fields = 0
            self._in_flight = 0
            self._max_in_flight = 0
            self._entered = 0

    def enter(self) -> None:
        """A web-service request started: counts the calls being served at once (a site's cap is checked
        against the highest count, not against timing)."""
        with self._lock:
            self._in_flight += 1
            self._entered += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def record(self, wsfunction: str, busy_ms: float, rows: int) -> None:
        with self._lock:
            self._busy_ms += busy_ms
            self._calls[wsfunction] = self._calls.get(wsfunction, 0) + 1
            self._busy_by_function[wsfunction] = self._busy_by_function.get(wsfunction, 0.0) + busy_ms
            self._rows[wsfunction] = self._rows.get(wsfunction, 0) + rows

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] = self._faults.get(kind, 0) + 1

    def dropped(self, count: int) -> None:
        with self._lock:
            self._dropped_fields += count

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "busy_ms": round(self._busy_ms, 3),
                "calls": sum(self._calls.values()),
                "calls_by_function": dict(sorted(self._calls.items())),
                "busy_ms_by_function": {k: round(v, 3) for k, v in sorted(self._busy_by_function.items())},
                "rows_by_function": dict(sorted(self._rows.items())),
                "faults": dict(sorted(self._faults.items())),
                "dropped_fields": self._dropped_fields,
                "requests": self._entered,
                "concurrent_max": self._max_in_flight,
            }
