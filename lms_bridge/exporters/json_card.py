"""The route card as a JSON-ready dict: English keys (the public contract), enum values as keys,
Russian labels beside them where a person reads the export (``*_label``)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from lms_bridge.domain.access import DIAGNOSTIC_RESULTS
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.results import REFLECTION_QUESTIONS
from lms_bridge.domain.route import Activity, Route, signed_by
from lms_bridge.domain.vocabulary import SignatureParty
from lms_bridge.domain.workflow import deadline


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# long: one dict literal, key by key in the order of the card
def route_to_dict(route: Route) -> dict[str, Any]:
    """The card as a dict. A redacted route (``withheld`` set) has ``null`` for every diagnostic result and
    the derived values, and ``withheld`` says why; a complete one has ``"withheld": null``."""
    assert is_dataclass(route)
    data: dict[str, Any] = _plain(asdict(route))
    done, total = route.progress()
    data["status_label"] = route.status.label
    data["teacher"]["full_name"] = route.teacher.full_name
    data["progress"] = {"done": done, "total": total}
    due = deadline(route)
    data["deadline"] = due.isoformat() if due else None
    data["dynamics"] = {b.value: d for b, d in route.dynamics().items()}
    d = route.diagnostic
    data["diagnostic"]["kind_label"] = d.kind.label
    data["diagnostic"]["deficit_level"] = d.deficit_level.value
    data["diagnostic"]["deficit_level_label"] = d.deficit_level.label
    data["diagnostic"]["level_labels"] = {b.value: lv.label for b, lv in d.levels.items()}
    data["final_level_labels"] = {b.value: lv.label for b, lv in route.final_levels.items()}
    data["block_labels"] = {b.value: b.label for b in (*d.levels, *route.final_levels)}
    data["final_kind_label"] = route.final_kind.label if route.final_kind else None
    gone = route.deficits_gone()
    data["deficits_gone"] = list(gone) if gone is not None else None
    for e, ev in zip(data["final_events"], route.final_events, strict=True):
        e.update(level_label=ev.level.label, held=ev.held, state_label=ev.state_label)
    if route.product is not None:
        data["product"]["kind_label"] = route.product.kind.label
    if route.reflection is not None:
        data["reflection"]["questions"] = dict(REFLECTION_QUESTIONS)
    for c in data["corrections"]:
        for s in c["signatures"]:
            s["party_label"] = SignatureParty(s["party"]).label
    for s in data["conclusion_signatures"]:
        s["party_label"] = SignatureParty(s["party"]).label
    teacher_ack = signed_by(route.conclusion_signatures, SignatureParty.TEACHER)
    # «С выводами ознакомлен(а)»: the teacher's acknowledgement date, null while not given
    data["conclusion_acknowledged_on"] = teacher_ack.on.isoformat() if teacher_ack else None
    for a, src in zip(data["activities"], route.activities, strict=True):
        a["category_label"] = src.category.label
        a["level_label"] = src.level.label
        a["formal"] = src.formal
        a["mark_label"] = src.mark_label
    data["withheld"] = route.withheld or None
    if route.withheld:
        _withhold(data)
    return data


def _withhold(data: dict[str, Any]) -> None:
    """``null`` (not an empty or a computed value) where the results were: an empty list would say «none»."""
    for key in (
        *DIAGNOSTIC_RESULTS[Route],
        "dynamics",
        "final_level_labels",
        "final_kind_label",
        "deficits_gone",
    ):
        data[key] = None
    for key in (*DIAGNOSTIC_RESULTS[Diagnostic], "deficit_level", "deficit_level_label", "level_labels"):
        data["diagnostic"][key] = None
    for a in data["activities"]:
        for key in DIAGNOSTIC_RESULTS[Activity]:
            a[key] = None


def route_summary(route: Route, today: date) -> dict[str, Any]:
    """One line of the registry: no diagnostic details (those stay on the card)."""
    done, total = route.progress()
    due = deadline(route)
    return {
        "number": route.number,
        "teacher": route.teacher.full_name,
        "school": route.teacher.school,
        "municipality": route.teacher.municipality,
        "status": route.status.value,
        "status_label": route.status.label,
        "curator": route.curator_name,
        "done": done,
        "total": total,
        "deadline": due.isoformat() if due else None,
        "overdue": bool(due and today > due),
    }
