"""Scope rules: which routes a principal may see. Out-of-scope routes answer exactly like
missing ones (RouteNotFound → 404), so nobody learns that another teacher's route exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import PermissionDenied, Problem, RouteNotFound, ValidationError
from lms_bridge.ports import Principal, RouteFilter, RouteStore
from lms_bridge.services.reports import GROUPINGS, GroupBy

SEES_ALL = frozenset({Role.ADMIN, Role.CENTRE, Role.DEVELOPER})


def scope_filter(p: Principal) -> RouteFilter:
    """The RouteFilter that limits a listing to what ``p`` may see."""
    if p.role in SEES_ALL:
        return RouteFilter()
    if p.role is Role.HEAD:
        return RouteFilter(school=p.school)
    if p.role is Role.CURATOR:
        return RouteFilter(curator_email=p.email)
    if p.role is Role.TEACHER:
        return RouteFilter(teacher_email=p.email)
    raise PermissionDenied(f"роли «{p.role.label}» реестр маршрутов не показывается")


def requested_filter(p: Principal, args: Mapping[str, str]) -> RouteFilter:
    """The caller's scope narrowed by the filters asked for (only staff pick a school or municipality)."""
    flt = scope_filter(p)
    if p.role in SEES_ALL:
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


def can_see(p: Principal, route: Route) -> bool:
    if p.role in SEES_ALL:
        return True
    if p.role is Role.HEAD:
        return bool(p.school) and route.teacher.school == p.school
    if p.role is Role.CURATOR:
        return bool(p.email) and route.curator_email.lower() == p.email.lower()
    if p.role is Role.TEACHER:
        return bool(p.email) and route.teacher.email == p.email.lower()
    return False


def get_visible_route(store: RouteStore, p: Principal, number: str) -> Route:
    route = store.get_route(number)
    if not can_see(p, route):
        raise RouteNotFound(number)
    return route


def actor_of(p: Principal) -> Actor:
    return Actor(p.role, p.name or p.email or p.role.label, p.email, p.school)
