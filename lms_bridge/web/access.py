"""The web side of the access rules (``domain/access.py`` decides): the caller's scope and filters.
Out-of-scope routes answer exactly like missing ones (RouteNotFound → 404), so nobody learns that
another teacher's route exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from lms_bridge.domain import access
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.errors import Problem, RouteNotFound, ValidationError
from lms_bridge.ports import Principal, RouteFilter, RouteStore
from lms_bridge.services.reports import GROUPINGS, GroupBy


def requested_filter(p: Principal, args: Mapping[str, str]) -> RouteFilter:
    """The caller's scope narrowed by the filters asked for (only staff pick a school or municipality)."""
    flt = access.scope_filter(p)
    if access.may_filter_by_place(p):
        flt = replace(flt, municipality=args.get("municipality") or None, school=args.get("school") or None)
    return flt


def requested_status(args: Mapping[str, str]) -> RouteStatus | None:
    raw = args.get("status")
    if not raw:
        return None
    try:
        return RouteStatus.parse(raw)
    except ValueError as e:
        raise ValidationError([Problem(str(e), field="status")]) from None


def requested_grouping(args: Mapping[str, str], default: GroupBy) -> GroupBy:
    by = args.get("by") or default
    for known in GROUPINGS:
        if by == known:
            return known
    raise ValidationError([Problem(f"группировка «{by}»: возможны {', '.join(GROUPINGS)}", field="by")])


def get_visible_route(store: RouteStore, p: Principal, number: str) -> Route:
    route = store.get_route(number)
    if not access.can_see(p, route):
        raise RouteNotFound(number)
    return route


def actor_of(p: Principal) -> Actor:
    return Actor(p.role, p.name or p.email or p.role.label, p.email, p.school)
