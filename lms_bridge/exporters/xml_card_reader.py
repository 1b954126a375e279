"""Reading a route card written by ``xml_card.route_to_xml`` (validated against the schema first)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lxml import etree

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.route import Activity, Correction, Route, Signature
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
    ActivityLevel,
    Block,
    DiagnosticKind,
    Level,
    RouteStatus,
    SignatureParty,
    StaffRole,
)
from lms_bridge.exporters.xml_card import NS, validate
from lms_bridge.exporters.xml_results import read_results

_Q = "{" + NS + "}"


def _text(parent: Any, tag: str) -> str:
    el = parent.find(_Q + tag)
    return (el.text or "") if el is not None else ""


def _date(el: Any, name: str) -> date | None:
    value = el.get(name) if el is not None else None
    return date.fromisoformat(value) if value else None


def _codes(el: Any) -> tuple[str, ...]:
    return tuple(d.get("code") for d in el.findall(_Q + "deficit"))


# long: one field per card part, mirroring route_to_xml
def route_from_xml(data: bytes) -> Route:
    """Read a card written by ``route_to_xml``; it is validated against the schema first."""
    validate(data)
    root = etree.fromstring(data)
    teacher = _read_teacher(root.find(_Q + "teacher"))
    d = root.find(_Q + "entryDiagnostic")
    diagnostic = Diagnostic(
        teacher_email=teacher.email,
        kind=DiagnosticKind(d.get("kind")),
        date=date.fromisoformat(d.get("date")),
        levels={Block(lv.get("block")): Level(lv.get("value")) for lv in d.findall(_Q + "level")},
        deficit_codes=_codes(d),
        recommendations=_text(d, "recommendations"),
    )
    roadmap = root.find(_Q + "roadmap")
    curator = root.find(_Q + "curator")
    approval = root.find(_Q + "approval")
    return Route(
        number=root.get("number"),
        teacher=teacher,
        diagnostic=diagnostic,
        status=RouteStatus(root.find(_Q + "status").get("code")),
        curator_email=curator.get("email", "") if curator is not None else "",
        curator_name=(curator.text or "") if curator is not None else "",
        developed_on=_date(root, "developedOn"),
        start=_date(roadmap, "start"),
        end=_date(roadmap, "end"),
        activities=tuple(sorted(map(_read_activity, roadmap.iter(_Q + "activity")), key=_key_order)),
        corrections=tuple(_read_correction(c) for c in root.iter(_Q + "correction")),
        conclusion=_text(root, "conclusion"),
        next_diagnostic_on=_date(root, "nextDiagnosticOn"),
        submitted_on=_date(approval, "submittedOn"),
        approved_by=approval.get("approvedBy", ""),
        approved_on=_date(approval, "approvedOn"),
        self_education_theme=_text(root, "selfEducationTheme"),
        started_on=_date(roadmap, "startedOn"),
        completed_on=_date(roadmap, "completedOn"),
        previous_number=root.get("previousNumber", ""),
        **read_results(root),
        conclusion_signatures=_read_signatures(root.find(_Q + "conclusionSignatures")),
        closed_on=_date(root, "closedOn"),
        archived_on=_date(root, "archivedOn"),
        purged_on=_date(root, "purgedOn"),
        withheld=root.get("withheld", ""),
    )


def _key_order(a: Activity) -> tuple[int, str]:
    """The registry's order of activities (keys "1".."10" as numbers), which the XML groups by category."""
    return len(a.key), a.key


def _read_teacher(el: Any) -> Teacher:
    years = _text(el, "experienceYears")
    attested = _text(el, "attestationDate")
    return Teacher(
        email=el.get("email"),
        staff_role=StaffRole(el.get("staffRole")),
        last_name=_text(el, "lastName"),
        first_name=_text(el, "firstName"),
        middle_name=_text(el, "middleName"),
        school=_text(el, "school"),
        municipality=_text(el, "municipality"),
        position=_text(el, "position"),
        subject=_text(el, "subject"),
        category=_text(el, "category"),
        education=_text(el, "education"),
        experience_years=int(years) if years else None,
        phone=_text(el, "phone"),
        attestation_date=date.fromisoformat(attested) if attested else None,
        recent_courses=_text(el, "recentCourses"),
        degree=_text(el, "degree"),
        academic_title=_text(el, "academicTitle"),
        awards=_text(el, "awards"),
        self_education_theme=_text(el, "selfEducationTheme"),
    )


def _read_activity(el: Any) -> Activity:
    mark = el.find(_Q + "mark")
    app = el.find(_Q + "application")
    grade = mark.get("grade")
    hours = el.get("hours")
    return Activity(
        key=el.get("key"),
        category=ActivityCategory(el.getparent().get("code")),
        title=_text(el, "title"),
        level=ActivityLevel(el.get("level")),
        organiser=_text(el, "organiser"),
        start=_date(el, "start"),
        end=_date(el, "end"),
        deficit_codes=_codes(el),
        lms_course=el.get("lmsCourse"),
        hours=int(hours) if hours else None,
        done=mark.get("done") in ("true", "1"),
        done_on=_date(mark, "on"),
        not_done_reason=mark.get("notDoneReason", ""),
        result=_text(el, "result"),
        result_form=_text(el, "resultForm"),
        grade=float(grade) if grade else None,
        pass_grade=float(mark.get("passGrade")) if mark.get("passGrade") else None,
        result_source=mark.get("source", ""),
        closed=mark.get("closed") in ("true", "1"),
        curator_note=_text(el, "curatorNote"),
        head_confirmed_by=app.get("headConfirmedBy", "") if app is not None else "",
        centre_confirmed_by=app.get("centreConfirmedBy", "") if app is not None else "",
    )


def _read_correction(el: Any) -> Correction:
    return Correction(
        at=datetime.fromisoformat(el.get("at")),
        reason=_text(el, "reason"),
        author=_text(el, "author"),
        replaced=_text(el, "replaced"),
        new=_text(el, "new"),
        signatures=_read_signatures(el),
    )


def _read_signatures(el: Any) -> tuple[Signature, ...]:
    if el is None:
        return ()
    return tuple(
        Signature(SignatureParty(s.get("party")), s.get("name"), date.fromisoformat(s.get("on")))
        for s in el.findall(_Q + "signature")
    )
