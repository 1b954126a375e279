"""Several simulated Moodle sites in one process (issue 12, §1): one mount point per site.

``http://host:port/<name>`` is a whole Moodle of its own — its own state (users, courses, grades), token,
latency, per-row price and faults, its own ``/sim/stats`` (with ``concurrent_max``: the most web-service
calls it served at once). The bridge's client keeps a sub-path, so each site's URL is simply
``http://host:port/<name>``. Used by the tests, ``lms-bridge sim --site`` and ``benchmarks/federal.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from moodle_sim.costs import SimConfig
from moodle_sim.state import SimState


@dataclass(frozen=True)
class SiteSpec:
    """One simulated site: ``teachers`` synthetic teachers (own e-mail domain ``<name>.example.ru``)."""

    name: str
    teachers: int = 0
    latency_ms: float = 0.0
    per_row_ms: float = 0.0
    row_ms_by_function: Mapping[str, float] = field(default_factory=dict)
    fault_rate: float = 0.0
    random_seed: int = 0
    token: str = "sim-token"
    max_input_vars: int = 1000

    @property
    def domain(self) -> str:
        return f"{self.name}.example.ru"


def parse_site(text: str) -> SiteSpec:
    """``NAME[:TEACHERS[:LATENCY_MS[:FAULT_RATE]]]`` as ``lms-bridge sim --site`` takes it."""
    name, *rest = text.split(":")
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(rest) > 3:
        raise ValueError("ожидается ИМЯ[:ПЕДАГОГОВ[:ЗАДЕРЖКА_МС[:ДОЛЯ_СБОЕВ]]], например magn:2000:48")
    teachers = int(rest[0]) if rest and rest[0] else 0
    latency = float(rest[1]) if len(rest) > 1 and rest[1] else 0.0
    faults = float(rest[2]) if len(rest) > 2 and rest[2] else 0.0
    if teachers < 0 or latency < 0 or not 0 <= faults <= 1:
        raise ValueError("педагогов и задержка — не меньше 0, доля сбоев — от 0 до 1")
    return SiteSpec(name, teachers, latency, fault_rate=faults)


def create_multisite_app(
    base_url: str,
    specs: Sequence[SiteSpec],
    *,
    states: Mapping[str, SimState] | None = None,
    blueprints: Sequence[Blueprint] = (),
) -> tuple[Any, dict[str, Flask]]:
    """A WSGI app serving every site under ``/<name>``, and the sites' own apps (for their stats).
    Without ``states`` each site is seeded with its synthetic teachers and courses."""
    from moodle_sim.app import create_sim_app
    from moodle_sim.seed import seed_staff, seed_synthetic

    apps: dict[str, Flask] = {}
    for spec in specs:
        state = (states or {}).get(spec.name)
        if state is None:
            state = SimState()
            if spec.teachers:
                seed_synthetic(state, spec.teachers, spec.random_seed, spec.domain)
            else:
                seed_staff(state)
        config = SimConfig(
            token=spec.token,
            site_url=f"{base_url.rstrip('/')}/{spec.name}",
            latency_ms=spec.latency_ms,
            per_row_ms=spec.per_row_ms,
            row_ms_by_function=spec.row_ms_by_function,
            fault_rate=spec.fault_rate,
            random_seed=spec.random_seed,
            max_input_vars=spec.max_input_vars,
        )
        apps[spec.name] = create_sim_app(config, state, blueprints=blueprints)
    root = Response("lms-bridge simulator: sites " + ", ".join(apps), status=404)
    return DispatcherMiddleware(root, {f"/{name}": app for name, app in apps.items()}), apps
