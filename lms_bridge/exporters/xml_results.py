"""The reflective-analytical part of the XML card (final public events, final diagnostics, educational
product, reflection), written and read here so ``xml_card`` and ``xml_card_reader`` stay short."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from lms_bridge.domain.results import REFLECTION_QUESTIONS, FinalEvent, Product, ProductFile, Reflection
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityLevel, Block, DiagnosticKind, Level, ProductKind

NS = "urn:lms-bridge:route-card:1"
_Q = "{" + NS + "}"
El = Callable[..., Any]
Opt = Callable[[Any, str, str], None]


def write_results(root: Any, route: Route, el: El, opt: Opt) -> None:
    events = el(root, "finalEvents", held=str(sum(e.held for e in route.final_events)))
    for e in route.final_events:
        ev = el(
            events,
            "finalEvent",
            key=e.key,
            level=e.level.value,
            levelLabel=e.level.label,
            start=e.start,
            end=e.end,
            confirmed=e.confirmed,
            heldOn=e.held_on,
            heldConfirmed=e.held_confirmed,
            state=e.state_label,
        )
        el(ev, "form", e.form)
        el(ev, "title", e.title)
        opt(ev, "link", e.link)
        opt(ev, "note", e.note)
        opt(ev, "proposedBy", e.proposed_by)
    _final_diagnostic(root, route, el)


def _final_diagnostic(root: Any, route: Route, el: El) -> None:
    if route.withheld:  # a copy for the school: the reason stands where the results would be
        el(root, "finalDiagnostic", withheld=route.withheld)
        return
    if not (route.final_levels or route.final_diagnostic_on):
        return
    kind = route.final_kind
    final = el(
        root,
        "finalDiagnostic",
        date=route.final_diagnostic_on,
        kind=kind.value if kind else None,
        kindLabel=kind.label if kind else None,
        source=route.final_source or None,
    )
    dynamics = route.dynamics()
    for b, lv in route.final_levels.items():
        el(final, "level", block=b.value, value=lv.value, label=lv.label, dynamics=dynamics.get(b))
    if route.final_codes is not None:
        left = el(final, "remaining")
        for code in route.final_codes:
            el(left, "deficit", code=code)
        gone = el(final, "gone")
        for code in route.deficits_gone() or ():
            el(gone, "deficit", code=code)


def write_outcome(root: Any, route: Route, el: El, opt: Opt) -> None:
    """The product and the reflection (after the conclusion in the card's order)."""
    if p := route.product:
        pe = el(root, "product", kind=p.kind.value, kindLabel=p.kind.label, enteredOn=p.entered_on)
        el(pe, "title", p.title)
        opt(pe, "description", p.description)
        opt(pe, "link", p.link)
        if p.file:
            f = p.file
            el(pe, "file", name=f.name, contentType=f.content_type, size=str(f.size), sha256=f.sha256)
    if r := route.reflection:
        re_ = el(root, "reflection", writtenOn=r.written_on)
        for key, question in REFLECTION_QUESTIONS:
            el(re_, "answer", getattr(r, key), key=key, question=question)


# --- reading -------------------------------------------------------------------------------------
def _date(el: Any, name: str) -> date | None:
    value = el.get(name) if el is not None else None
    return date.fromisoformat(value) if value else None


def _text(parent: Any, tag: str) -> str:
    found = parent.find(_Q + tag)
    return (found.text or "") if found is not None else ""


def _flag(el: Any, name: str) -> bool:
    return el.get(name) in ("true", "1")


def _codes(el: Any) -> tuple[str, ...]:
    return tuple(d.get("code") for d in el.findall(_Q + "deficit"))


def read_results(root: Any) -> dict[str, Any]:
    """Route keyword arguments of the results part."""
    out: dict[str, Any] = {"final_events": tuple(_read_event(e) for e in root.iter(_Q + "finalEvent"))}
    final = root.find(_Q + "finalDiagnostic")
    if final is not None:
        left = final.find(_Q + "remaining")
        out.update(
            final_levels={
                Block(lv.get("block")): Level(lv.get("value")) for lv in final.findall(_Q + "level")
            },
            final_diagnostic_on=_date(final, "date"),
            final_kind=DiagnosticKind(final.get("kind")) if final.get("kind") else None,
            final_source=final.get("source", ""),
            final_codes=_codes(left) if left is not None else None,
        )
    out["product"] = _read_product(root.find(_Q + "product"))
    out["reflection"] = _read_reflection(root.find(_Q + "reflection"))
    return out


def _read_event(el: Any) -> FinalEvent:
    return FinalEvent(
        key=el.get("key"),
        form=_text(el, "form"),
        title=_text(el, "title"),
        level=ActivityLevel(el.get("level")),
        start=_date(el, "start"),
        end=_date(el, "end"),
        confirmed=_flag(el, "confirmed"),
        held_on=_date(el, "heldOn"),
        held_confirmed=_flag(el, "heldConfirmed"),
        link=_text(el, "link"),
        note=_text(el, "note"),
        proposed_by=_text(el, "proposedBy"),
    )


def _read_product(el: Any) -> Product | None:
    if el is None:
        return None
    f = el.find(_Q + "file")
    file = None
    if f is not None:
        file = ProductFile(f.get("name"), f.get("contentType"), int(f.get("size")), f.get("sha256"))
    return Product(
        kind=ProductKind(el.get("kind")),
        title=_text(el, "title"),
        description=_text(el, "description"),
        link=_text(el, "link"),
        file=file,
        entered_on=_date(el, "enteredOn"),
    )


def _read_reflection(el: Any) -> Reflection | None:
    if el is None:
        return None
    answers = {a.get("key"): a.text or "" for a in el.findall(_Q + "answer")}
    return Reflection(
        **{k: answers.get(k, "") for k, _ in REFLECTION_QUESTIONS}, written_on=_date(el, "writtenOn")
    )
