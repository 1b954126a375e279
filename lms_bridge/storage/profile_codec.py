"""Rows ↔ the parts of the registry the regional profiles added (migration 0014): the card details of a
route, and a diagnostic's grade of deficits and route model."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from lms_bridge.domain.card_details import CardDetails, Stage
from lms_bridge.domain.vocabulary import DeficitLevel, RouteModel

_TEXT = ("region", "additional_info", "academic_year", "tutor_email", "tutor_name")


def details_json(d: CardDetails, tasks: Mapping[str, str]) -> dict[str, Any] | None:
    """The route's card details and educational tasks per deficit, in the one JSON column."""
    if d == CardDetails() and not tasks:
        return None
    out: dict[str, Any] = {f: getattr(d, f) for f in _TEXT if getattr(d, f)}
    if tasks:
        out["educational_tasks"] = dict(tasks)
    if d.stages:
        out["stages"] = [{"title": s.title, "start": _iso(s.start), "end": _iso(s.end)} for s in d.stages]
    return out


def tasks_from(data: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in ((data or {}).get("educational_tasks") or {}).items()}


def details_from(data: Mapping[str, Any] | None) -> CardDetails:
    if not data:
        return CardDetails()
    return CardDetails(
        **{f: str(data.get(f, "")) for f in _TEXT},
        stages=tuple(
            Stage(str(s["title"]), _day(s.get("start")), _day(s.get("end"))) for s in data.get("stages") or ()
        ),
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def diagnostic_extra(grade: DeficitLevel | None, model: RouteModel) -> dict[str, Any]:
    return {"deficit_level": grade.value if grade else None, "route_model": model.value}


def diagnostic_extra_from(r: Any) -> dict[str, Any]:
    """``stated_deficit_level`` and ``route_model`` of a diagnostics row."""
    grade = r["deficit_level"]
    return {
        "stated_deficit_level": DeficitLevel(grade) if grade else None,
        "route_model": RouteModel(r["route_model"] or RouteModel.DIAGNOSTIC.value),
    }
