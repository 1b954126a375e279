"""Blueprint ``applications``: enrolment applications on the web (000 §2.1 c–d, §2.2).

- the head of school sees their school's applications (the teacher's chosen ДПП) with the prerequisites
  check per person, ticks any number of them and files them at once; the ДПП still waiting for the
  teacher's choice are listed apart (no application yet);
- a ЦНППМ specialist sees every application in their scope, confirms the ones the heads filed, or rejects
  one with a reason the head and the teacher see on the card.

Views stay thin: the caller's scope is ``domain.access.scope_filter``; every picked route must be
visible to the caller (else 404, as for the card); the rules are ``services.applications``.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from lms_bridge.domain import access
from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import PermissionDenied, Problem, ValidationError
from lms_bridge.ports import Principal
from lms_bridge.services import applications
from lms_bridge.web.access import actor_of, get_visible_route
from lms_bridge.web.auth import check_csrf, current_principal
from lms_bridge.web.context import web_context

bp = Blueprint("applications", __name__)
VIEWERS = frozenset({Role.HEAD, Role.CENTRE, Role.CENTRE_HEAD, Role.ADMIN})
ACTORS = frozenset({Role.HEAD, Role.CENTRE})


def _principal() -> Principal:
    p = current_principal()
    if p.role not in VIEWERS:
        raise PermissionDenied(
            f"заявки на обучение видят руководитель ОО и специалисты ЦНППМ; роль «{p.role.label}» — нет"
        )
    return p


def _page(p: Principal, outcome: applications.Outcome | None = None, message: str = "") -> str:
    store = web_context().store()
    flt = access.scope_filter(p)
    school = request.args.get("school") or None
    if school and access.may_filter_by_place(p):
        flt = replace(flt, school=school)
    apps = applications.list_applications(store, flt=flt, checked=True)
    return render_template(
        "applications.html",
        p=p,
        apps=apps,
        awaiting=applications.list_awaiting_choice(store, flt),
        acts=p.role in ACTORS,
        outcome=outcome,
        message=message,
        school=school or "",
    )


@bp.get("/applications")
def index() -> str:
    return _page(_principal())


def _picks(form: MultiDict[str, str]) -> list[tuple[str, str]]:
    out = []
    for raw in form.getlist("pick"):
        number, sep, key = raw.partition("|")
        if not sep or not number or not key:
            raise ValidationError([Problem(f"«{raw}» — не заявка (номер|мероприятие)", field="pick")])
        out.append((number, key))
    if not out:
        raise ValidationError([Problem("отметьте хотя бы одну заявку", field="pick")])
    return out


@bp.post("/applications/confirm")
def confirm() -> str:
    p = _principal()
    check_csrf(p)
    picks = _picks(request.form)
    store = web_context().store()
    with store.transaction():
        for number in {n for n, _ in picks}:
            get_visible_route(store, p, number)  # out of scope answers as missing (404)
        outcome = applications.confirm_selected(store, picks, actor_of(p))
    return _page(p, outcome)


@bp.post("/applications/reject")
def reject() -> str:
    p = _principal()
    check_csrf(p)
    f = request.form
    store = web_context().store()
    with store.transaction():
        route = get_visible_route(store, p, f.get("number", ""))
        a = applications.reject(store, route.number, f.get("key", ""), actor_of(p), f.get("reason", ""))
    return _page(p, message=f"Заявка отклонена: {a.teacher}, «{a.title}».")
