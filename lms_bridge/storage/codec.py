"""Rows ↔ domain objects. Kept apart from the store so the mapping is read in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from course_map.models import (
    CourseEntry,
    DecidedBy,
    Education,
    EntryKind,
    InternshipSite,
    Prerequisites,
    Source,
)
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Curator, Teacher
from lms_bridge.domain.results import REFLECTION_QUESTIONS, FinalEvent, Product, ProductFile, Reflection
from lms_bridge.domain.route import Activity, Correction, Route, Signature
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
    ActivityLevel,
    Block,
    CuratorKind,
    DiagnosticKind,
    Level,
    ProductKind,
    RouteStatus,
    SignatureParty,
    StaffRole,
)
from lms_bridge.storage.profile_codec import (
    details_from,
    details_json,
    diagnostic_extra,
    diagnostic_extra_from,
    tasks_from,
)

Row = Mapping[Any, Any]  # RowMapping keys may be str or Column


def teacher_row(t: Teacher) -> dict[str, Any]:
    return {
        "email": t.email,
        "last_name": t.last_name,
        "first_name": t.first_name,
        "middle_name": t.middle_name,
        "school": t.school,
        "municipality": t.municipality,
        "position": t.position,
        "subject": t.subject,
        "category": t.category,
        "staff_role": t.staff_role.value,
        "education": t.education,
        "experience_years": t.experience_years,
        "phone": t.phone,
        "attestation_date": t.attestation_date,
        "recent_courses": t.recent_courses,
        "degree": t.degree,
        "academic_title": t.academic_title,
        "awards": t.awards,
        "self_education_theme": t.self_education_theme,
    }


def teacher_from(r: Row) -> Teacher:
    return Teacher(
        email=r["email"],
        last_name=r["last_name"],
        first_name=r["first_name"],
        middle_name=r["middle_name"],
        school=r["school"],
        municipality=r["municipality"],
        position=r["position"],
        subject=r["subject"],
        category=r["category"],
        staff_role=StaffRole(r["staff_role"]),
        education=r["education"],
        experience_years=r["experience_years"],
        phone=r["phone"],
        attestation_date=r["attestation_date"],
        recent_courses=r["recent_courses"],
        degree=r["degree"],
        academic_title=r["academic_title"],
        awards=r["awards"],
        self_education_theme=r["self_education_theme"],
    )


def levels_json(levels: Mapping[Block, Level]) -> dict[str, str]:
    return {b.value: lv.value for b, lv in levels.items()}


def levels_from(data: Mapping[str, str] | None) -> dict[Block, Level]:
    return {Block(b): Level(lv) for b, lv in (data or {}).items()}


def diagnostic_row(d: Diagnostic) -> dict[str, Any]:
    return {
        "kind": d.kind.value,
        "date": d.date,
        "levels": levels_json(d.levels),
        "deficit_codes": list(d.deficit_codes),
        "recommendations": d.recommendations,
        **diagnostic_extra(d.stated_deficit_level, d.route_model),
    }


def diagnostic_from(r: Row, email: str) -> Diagnostic:
    return Diagnostic(
        teacher_email=email,
        kind=DiagnosticKind(r["kind"]),
        date=r["date"],
        levels=levels_from(r["levels"]),
        deficit_codes=tuple(r["deficit_codes"]),
        recommendations=r["recommendations"],
        **diagnostic_extra_from(r),
    )


_ITEM_FIELDS = (
    "key",
    "title",
    "organiser",
    "start",
    "end",
    "lms_course",
    "hours",
    "done",
    "done_on",
    "not_done_reason",
    "result",
    "result_form",
    "grade",
    "pass_grade",
    "result_source",
    "closed",
    "curator_note",
    "head_confirmed_by",
    "centre_confirmed_by",
    "chosen_by",
    "chosen_on",
    "rejected_by",
    "rejection_reason",
)


def item_row(a: Activity) -> dict[str, Any]:
    row = {f: getattr(a, f) for f in _ITEM_FIELDS}
    row.update(
        category=a.category.value,
        level=a.level.value,
        deficit_codes=list(a.deficit_codes),
        options=list(a.options),
    )
    return row


def item_from(r: Row) -> Activity:
    return Activity(
        category=ActivityCategory(r["category"]),
        level=ActivityLevel(r["level"]),
        deficit_codes=tuple(r["deficit_codes"]),
        options=tuple(r["options"] or ()),
        **{f: r[f] for f in _ITEM_FIELDS},
    )


def correction_from(r: Row) -> Correction:
    return Correction(
        at=r["at"], reason=r["reason"], author=r["author"], replaced=r["replaced"], new=r["new"]
    )


_EVENT_FIELDS = (
    "key",
    "form",
    "title",
    "start",
    "end",
    "confirmed",
    "held_on",
    "held_confirmed",
    "link",
    "note",
    "proposed_by",
)


def event_row(e: FinalEvent) -> dict[str, Any]:
    return {**{f: getattr(e, f) for f in _EVENT_FIELDS}, "level": e.level.value}


def event_from(r: Row) -> FinalEvent:
    return FinalEvent(level=ActivityLevel(r["level"]), **{f: r[f] for f in _EVENT_FIELDS})


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def product_json(p: Product | None) -> dict[str, Any] | None:
    if p is None:
        return None
    file = None
    if p.file is not None:
        file = {
            "name": p.file.name,
            "content_type": p.file.content_type,
            "size": p.file.size,
            "sha256": p.file.sha256,
        }
    return {
        "kind": p.kind.value,
        "title": p.title,
        "description": p.description,
        "link": p.link,
        "file": file,
        "entered_on": p.entered_on.isoformat() if p.entered_on else None,
    }


def product_from(data: Mapping[str, Any] | None) -> Product | None:
    if not data:
        return None
    f = data.get("file")
    return Product(
        kind=ProductKind(data["kind"]),
        title=data["title"],
        description=data.get("description", ""),
        link=data.get("link", ""),
        file=ProductFile(f["name"], f["content_type"], f["size"], f["sha256"]) if f else None,
        entered_on=_day(data.get("entered_on")),
    )


def reflection_json(r: Reflection | None) -> dict[str, Any] | None:
    if r is None:
        return None
    data: dict[str, Any] = {key: getattr(r, key) for key, _ in REFLECTION_QUESTIONS}
    data["written_on"] = r.written_on.isoformat() if r.written_on else None
    return data


def reflection_from(data: Mapping[str, Any] | None) -> Reflection | None:
    if not data:
        return None
    answers = {key: data.get(key, "") for key, _ in REFLECTION_QUESTIONS}
    return Reflection(**answers, written_on=_day(data.get("written_on")))


_ROUTE_FIELDS = (
    "number",
    "curator_email",
    "curator_name",
    "developed_on",
    "start",
    "end",
    "final_diagnostic_on",
    "conclusion",
    "next_diagnostic_on",
    "submitted_on",
    "approved_by",
    "approved_on",
    "self_education_theme",
    "final_source",
    "started_on",
    "completed_on",
    "previous_number",
    "closed_on",
    "archived_on",
    "purged_on",
)


def route_row(r: Route) -> dict[str, Any]:
    if r.withheld:  # a copy made for a viewer (domain.access.redact_for) would erase the results
        raise ValueError(f"маршрут {r.number}: копия без результатов диагностики не сохраняется")
    row = {f: getattr(r, f) for f in _ROUTE_FIELDS}
    row.update(
        status=r.status.value,
        final_levels=levels_json(r.final_levels),
        final_kind=r.final_kind.value if r.final_kind else None,
        final_codes=list(r.final_codes) if r.final_codes is not None else None,
        product=product_json(r.product),
        reflection=reflection_json(r.reflection),
        card_details=details_json(r.details, r.educational_tasks),
    )
    return row


def _by_key(key: str) -> tuple[int, str]:
    return len(key), key


def signature_rows(route: Route) -> list[dict[str, Any]]:
    """Every signature of the route: ``correction_no`` 1.. for corrections, 0 for the conclusions."""
    signed = [(i, c.signatures) for i, c in enumerate(route.corrections, start=1)]
    signed.append((0, route.conclusion_signatures))
    return [
        {"correction_no": no, "party": s.party.value, "name": s.name, "on": s.on}
        for no, sigs in signed
        for s in sigs
    ]


def signatures_from(rows: list[Row]) -> dict[int, tuple[Signature, ...]]:
    out: dict[int, list[Signature]] = {}
    for r in rows:
        out.setdefault(r["correction_no"], []).append(
            Signature(SignatureParty(r["party"]), r["name"], r["on"])
        )
    return {no: tuple(sigs) for no, sigs in out.items()}


def route_from(
    r: Row,
    teacher: Teacher,
    diagnostic: Diagnostic,
    items: list[Activity],
    fixes: list[Correction],
    events: list[FinalEvent] | None = None,
    signed: dict[int, tuple[Signature, ...]] | None = None,
) -> Route:
    signed = signed or {}
    return Route(
        teacher=teacher,
        diagnostic=diagnostic,
        status=RouteStatus(r["status"]),
        activities=tuple(sorted(items, key=lambda a: _by_key(a.key))),
        corrections=tuple(replace(c, signatures=signed.get(i, ())) for i, c in enumerate(fixes, start=1)),
        conclusion_signatures=signed.get(0, ()),
        final_events=tuple(sorted(events or (), key=lambda e: _by_key(e.key))),
        final_levels=levels_from(r["final_levels"]),
        final_kind=DiagnosticKind(r["final_kind"]) if r["final_kind"] else None,
        final_codes=tuple(r["final_codes"]) if r["final_codes"] is not None else None,
        product=product_from(r["product"]),
        reflection=reflection_from(r["reflection"]),
        details=details_from(r["card_details"]),
        educational_tasks=tasks_from(r["card_details"]),
        **{f: r[f] for f in _ROUTE_FIELDS},
    )


def curator_row(c: Curator) -> dict[str, Any]:
    return {
        "email": c.email,
        "full_name": c.full_name,
        "kind": c.kind.value,
        "subject": c.subject,
        "school": c.school,
        "municipality": c.municipality,
    }


def curator_from(r: Row) -> Curator:
    return Curator(
        email=r["email"],
        full_name=r["full_name"],
        kind=CuratorKind(r["kind"]),
        subject=r["subject"],
        school=r["school"],
        municipality=r["municipality"],
    )


def entry_row(e: CourseEntry) -> dict[str, Any]:
    return {
        "lms_course": e.lms_course,
        "title": e.title,
        "kind": e.kind.value,
        "deficit_codes": list(e.deficit_codes),
        "blocks": [b.value for b in e.blocks],
        "hours": e.hours,
        "format": e.format,
        "level": e.level.value,
        "final_item": e.final_item,
        "decided_by": e.decided_by.value,
        "pass_grade": e.pass_grade,
        "organiser": e.organiser,
        "start": e.start,
        "end": e.end,
        "weeks": e.weeks,
        "sites": list(e.sites),
        "source": e.source.value if e.source else None,
        "capacity": e.capacity,
        "prerequisites": prerequisites_json(e.prerequisites),
        "internship_site": e.internship_site,
        "annotation": e.annotation,
    }


def prerequisites_json(p: Prerequisites) -> dict[str, Any]:
    return {
        "education": p.education.value if p.education else None,
        "positions": list(p.positions),
        "courses": list(p.courses),
    }


def prerequisites_from(data: Mapping[str, Any] | None) -> Prerequisites:
    if not data:
        return Prerequisites()
    education = data.get("education")
    return Prerequisites(
        Education(education) if education else None,
        tuple(data.get("positions") or ()),
        tuple(data.get("courses") or ()),
    )


def site_row(s: InternshipSite) -> dict[str, Any]:
    return {
        "code": s.code,
        "school": s.school,
        "municipality": s.municipality,
        "topics": list(s.topics),
        "deficit_codes": list(s.deficit_codes),
        "places": s.places,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "tutors": list(s.tutors),
    }


def site_from(r: Row) -> InternshipSite:
    return InternshipSite(
        code=r["code"],
        school=r["school"],
        municipality=r["municipality"],
        topics=tuple(r["topics"]),
        deficit_codes=tuple(r["deficit_codes"]),
        places=r["places"],
        period_start=r["period_start"],
        period_end=r["period_end"],
        tutors=tuple(r["tutors"]),
    )


def entry_from(r: Row) -> CourseEntry:
    return CourseEntry(
        lms_course=r["lms_course"],
        title=r["title"],
        kind=EntryKind(r["kind"]),
        deficit_codes=tuple(r["deficit_codes"]),
        blocks=tuple(Block(b) for b in r["blocks"]),
        hours=r["hours"],
        format=r["format"],
        level=ActivityLevel(r["level"]),
        final_item=r["final_item"],
        decided_by=DecidedBy(r["decided_by"]),
        pass_grade=r["pass_grade"],
        organiser=r["organiser"],
        start=r["start"],
        end=r["end"],
        weeks=r["weeks"],
        sites=tuple(r["sites"] or ()),
        source=Source(r["source"]) if r["source"] else None,
        capacity=r["capacity"],
        prerequisites=prerequisites_from(r["prerequisites"]),
        internship_site=r["internship_site"],
        annotation=r["annotation"],
    )
