"""The route card as XML, valid against the published schema ``route_card.xsd`` (namespace
``urn:lms-bridge:route-card:1``), and back.

Names are English and codes are the vocabulary's keys (the contract other systems rely on);
the Russian word rides along in ``label`` attributes for a person reading the file.
``xml_card_reader.route_from_xml`` reads a card back, so a card can move between registries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.route import Activity, Route, Signature
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
)
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.exporters.card_text import xml_safe
from lms_bridge.exporters.xml_results import write_outcome, write_results

NS = "urn:lms-bridge:route-card:1"
SCHEMA_FILE = "route_card.xsd"
_Q = "{" + NS + "}"


@cache
def schema() -> Any:
    """The published XSD (``lms_bridge/exporters/route_card.xsd``), parsed once."""
    text = files("lms_bridge.exporters").joinpath(SCHEMA_FILE).read_bytes()
    return etree.XMLSchema(etree.fromstring(text))


def validate(data: bytes) -> None:
    """Raise ValidationError listing every schema violation of ``data``."""
    try:
        doc = etree.fromstring(data)
    except etree.XMLSyntaxError as e:
        raise ValidationError([Problem(str(e))], source="XML") from e
    xsd = schema()
    if not xsd.validate(doc):
        raise ValidationError([Problem(e.message, row=e.line) for e in xsd.error_log], source="XML")


# --- writing --------------------------------------------------------------------------------------
def _el(parent: Any, tag: str, text: str | None = None, **attrs: Any) -> Any:
    el = etree.SubElement(parent, _Q + tag, {k: _attr(v) for k, v in attrs.items() if v not in (None, "")})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _opt(parent: Any, tag: str, text: str) -> None:
    """An element only when there is something to say (empty text is the default on reading)."""
    if text:
        _el(parent, tag, text)


def _attr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")  # xs:decimal has no exponent form
    return xml_safe(str(value))


# long: one element per card part, in the schema's order: read top to bottom
def route_to_xml(route: Route) -> bytes:
    """The card as UTF-8 XML bytes with a declaration."""
    root = etree.Element(
        _Q + "routeCard",
        nsmap={None: NS},
        version="1",
        number=route.number,
    )
    for name, value in (
        ("developedOn", route.developed_on),
        ("nextDiagnosticOn", route.next_diagnostic_on),
        ("closedOn", route.closed_on),
        ("archivedOn", route.archived_on),
        ("purgedOn", route.purged_on),
    ):
        if value:
            root.set(name, value.isoformat())
    if route.previous_number:
        root.set("previousNumber", route.previous_number)
    if route.withheld:  # a redacted copy (domain.access.redact_for): the results are left out, and why
        root.set("withheld", xml_safe(route.withheld))
    _el(root, "status", route.status.label, code=route.status.value)
    _teacher(root, route.teacher)
    if route.curator_email or route.curator_name:
        _el(root, "curator", route.curator_name, email=route.curator_email)
    _el(
        root,
        "approval",
        submittedOn=route.submitted_on,
        approvedBy=route.approved_by,
        approvedOn=route.approved_on,
    )
    _opt(root, "selfEducationTheme", route.self_education_theme)
    _diagnostic(root, route.diagnostic, route.withheld)
    _roadmap(root, route)
    _corrections(root, route)
    write_results(root, route, _el, _opt)
    _opt(root, "conclusion", route.conclusion)
    if route.conclusion_signatures:
        _signatures(_el(root, "conclusionSignatures"), route.conclusion_signatures)
    write_outcome(root, route, _el, _opt)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _teacher(root: Any, t: Teacher) -> None:
    el = _el(root, "teacher", email=t.email, staffRole=t.staff_role.value)
    _el(el, "lastName", t.last_name)
    _el(el, "firstName", t.first_name)
    _opt(el, "middleName", t.middle_name)
    _el(el, "fullName", t.full_name)
    for tag, value in (
        ("school", t.school),
        ("municipality", t.municipality),
        ("position", t.position),
        ("subject", t.subject),
        ("category", t.category),
        ("education", t.education),
        ("experienceYears", "" if t.experience_years is None else str(t.experience_years)),
        ("phone", t.phone),
        ("attestationDate", t.attestation_date.isoformat() if t.attestation_date else ""),
        ("recentCourses", t.recent_courses),
        ("degree", t.degree),
        ("academicTitle", t.academic_title),
        ("awards", t.awards),
        ("selfEducationTheme", t.self_education_theme),
    ):
        _opt(el, tag, value)


def _diagnostic(root: Any, d: Diagnostic, withheld: str) -> None:
    el = _el(
        root,
        "entryDiagnostic",
        kind=d.kind.value,
        kindLabel=d.kind.label,
        date=d.date,
        deficitLevel=None if withheld else d.deficit_level.value,
        withheld=withheld,
    )
    for b, lv in d.levels.items():
        _el(el, "level", block=b.value, value=lv.value, label=lv.label)
    for code in d.deficit_codes:
        _el(el, "deficit", code=code)
    _opt(el, "recommendations", d.recommendations)


def _roadmap(root: Any, route: Route) -> None:
    done, total = route.progress()
    el = _el(
        root,
        "roadmap",
        start=route.start,
        end=route.end,
        durationMonths=route.duration_months,
        startedOn=route.started_on,
        completedOn=route.completed_on,
        done=str(done),
        total=str(total),
    )
    for category in ActivityCategory:
        cat = _el(el, "category", code=category.value, label=category.label)
        for a in route.activities:
            if a.category is category:
                _activity(cat, a)


def _activity(parent: Any, a: Activity) -> None:
    el = _el(
        parent,
        "activity",
        key=a.key,
        level=a.level.value,
        levelLabel=a.level.label,
        formal=a.formal,
        lmsCourse=a.lms_course,
        hours=a.hours,
        start=a.start,
        end=a.end,
    )
    _el(el, "title", a.title)
    _opt(el, "organiser", a.organiser)
    for code in a.deficit_codes:
        _el(el, "deficit", code=code)
    _el(
        el,
        "mark",
        done=a.done,
        on=a.done_on,
        grade=a.grade,
        passGrade=a.pass_grade,
        source=a.result_source,
        notDoneReason=a.not_done_reason,
        closed=a.closed or None,
        label=a.mark_label,
    )
    _opt(el, "result", a.result)
    _opt(el, "resultForm", a.result_form)
    _opt(el, "curatorNote", a.curator_note)
    if a.head_confirmed_by or a.centre_confirmed_by:
        _el(el, "application", headConfirmedBy=a.head_confirmed_by, centreConfirmedBy=a.centre_confirmed_by)


def _corrections(root: Any, route: Route) -> None:
    fixes = _el(root, "corrections")
    for c in route.corrections:
        el = _el(fixes, "correction", at=c.at)
        _el(el, "reason", c.reason)
        _opt(el, "replaced", c.replaced)
        _opt(el, "new", c.new)
        _el(el, "author", c.author)
        _signatures(el, c.signatures)


def _signatures(parent: Any, signatures: tuple[Signature, ...]) -> None:
    for s in signatures:
        _el(parent, "signature", party=s.party.value, partyLabel=s.party.label, name=s.name, on=s.on)
