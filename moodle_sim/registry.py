"""The wsfunction registry: the ``Call`` every handler gets, and lookups shared by the handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moodle_sim import views
from moodle_sim.state import Course, SimState, User
from moodle_sim.wserrors import missing_record

Params = dict[str, Any]


@dataclass
class Call:
    state: SimState
    site: views.Site
    rows: int = 0  # rows processed, for the per-row cost
    notes: list[str] = field(default_factory=list)  # PHP notices printed before the JSON (non-JSON body)


Handler = Callable[[Call, Params], Any]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def get_user(state: SimState, user_id: int) -> User:
    u = state.users.get(user_id)
    if u is None:
        raise missing_record()
    return u


def get_course(state: SimState, course_id: int) -> Course:
    c = state.courses.get(course_id)
    if c is None:
        raise missing_record()
    return c
