"""Route workflow: states, who may move a route between them, edits and corrections, deadlines.

::

    draft ──submit──▶ agreement ──finalise──▶ finalised ──approve──▶ approved ──start──▶ in_progress
      ▲                  │                      │   │                                    │   ▲   │
      └──────return──────┴──────────────────────┘   └─agree─▶ centre_agreed ─approve─▶   │   │   │complete
                                                     (004: ЦНППМ head)          prolong│   │resume ▼
                                                                                       ▼   │   completed
    any open state ──cancel──▶ cancelled                                             prolonged

(A teacher with a diagnostic and no route is "diagnosed"; ``routes build`` creates the draft.)
After the agreement the route goes back to the developer for its final formatting and registration
(003 §4.3.7–4.3.8: ``finalise``); the head of school then approves it (§4.3.10). Regions that follow
004 §2 first have it agreed with the head of the ЦНППМ (``agree``): ``WorkflowPolicy.centre_agreement``
(setting ``LMS_BRIDGE_CENTRE_HEAD_AGREEMENT``) swaps the approval's source state for that step.
Before approval the draft is edited freely (and audited); after approval every change is a
correction with a reason, an author and a time (003 App.3 §5.11, 004 Прил. 2).
Deadlines (003 §4.3.2, §4.3.6): the draft is due 10 working days after the diagnostic, the
agreement 5 working days after submission.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from lms_bridge.domain import choice, final_events, final_stage
from lms_bridge.domain.calendar import add_months, add_working_days
from lms_bridge.domain.completion import completion_refusal
from lms_bridge.domain.limits import checked_text
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Correction, Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import PermissionDenied, WorkflowError

S = RouteStatus
R = Role
BEFORE_APPROVAL = frozenset({S.AGREEMENT, S.FINALISED, S.CENTRE_AGREED})
OPEN = frozenset({S.DRAFT, *BEFORE_APPROVAL, S.APPROVED, S.IN_PROGRESS, S.PROLONGED})
CLOSED = frozenset({S.COMPLETED, S.CANCELLED})
UNDER_CORRECTION = frozenset({S.APPROVED, S.IN_PROGRESS, S.PROLONGED})
DRAFT_DAYS = 10
AGREEMENT_DAYS = 5
MAX_ROUTE_MONTHS = 24  # 003 §4.4.3: from 6 months to 2 years


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[RouteStatus]
    target: RouteStatus
    roles: frozenset[Role]


@dataclass(frozen=True)
class WorkflowPolicy:
    """Regional choices in the workflow. ``centre_agreement``: the head of the ЦНППМ agrees the
    finalised route before the head of school approves it (004 §2)."""

    centre_agreement: bool = False


DEFAULT_POLICY = WorkflowPolicy()
_BASE: tuple[Transition, ...] = (
    Transition(
        "submit",
        "направить на согласование",
        frozenset({S.DRAFT}),
        S.AGREEMENT,
        frozenset({R.DEVELOPER, R.ADMIN}),
    ),
    Transition(
        "return",
        "вернуть на доработку",
        BEFORE_APPROVAL,
        S.DRAFT,
        frozenset({R.TEACHER, R.CURATOR, R.HEAD, R.DEVELOPER, R.CENTRE_HEAD, R.ADMIN}),
    ),
    Transition(
        "finalise",
        "оформить и зарегистрировать",
        frozenset({S.AGREEMENT}),
        S.FINALISED,
        frozenset({R.DEVELOPER, R.ADMIN}),
    ),
    Transition(
        "agree",
        "согласовать (руководитель ЦНППМ)",
        frozenset({S.FINALISED}),
        S.CENTRE_AGREED,
        frozenset({R.CENTRE_HEAD, R.ADMIN}),
    ),
    Transition("approve", "утвердить", frozenset({S.FINALISED}), S.APPROVED, frozenset({R.HEAD, R.ADMIN})),
    Transition(
        "start",
        "начать реализацию",
        frozenset({S.APPROVED}),
        S.IN_PROGRESS,
        frozenset({R.CURATOR, R.CENTRE, R.ADMIN, R.SYSTEM}),
    ),
    Transition(
        "complete",
        "завершить",
        frozenset({S.IN_PROGRESS, S.PROLONGED}),
        S.COMPLETED,
        frozenset({R.CURATOR, R.CENTRE, R.ADMIN}),
    ),
    Transition(
        "prolong",
        "продлить",
        frozenset({S.IN_PROGRESS}),
        S.PROLONGED,
        frozenset({R.CURATOR, R.CENTRE, R.ADMIN}),
    ),
    Transition(
        "resume",
        "возобновить",
        frozenset({S.PROLONGED}),
        S.IN_PROGRESS,
        frozenset({R.CURATOR, R.CENTRE, R.ADMIN}),
    ),
    Transition("cancel", "отменить", OPEN, S.CANCELLED, frozenset({R.DEVELOPER, R.CENTRE, R.ADMIN})),
)


def _table(policy: WorkflowPolicy) -> dict[str, Transition]:
    """The transitions of one policy: with the ЦНППМ head's agreement the head of school approves
    what the ЦНППМ head agreed; without it there is no ``agree`` and the finalised route is approved."""
    out: dict[str, Transition] = {}
    for t in _BASE:
        if t.action == "agree" and not policy.centre_agreement:
            continue
        if t.action == "approve" and policy.centre_agreement:
            t = replace(t, sources=frozenset({S.CENTRE_AGREED}))
        out[t.action] = t
    return out


_TABLES = {p: _table(p) for p in (WorkflowPolicy(False), WorkflowPolicy(True))}
TRANSITIONS: dict[str, Transition] = _TABLES[DEFAULT_POLICY]
ACTIONS: tuple[str, ...] = tuple(t.action for t in _BASE)  # every action of any policy


_HINTS = {
    ("approve", S.AGREEMENT): "; сначала разработчик оформляет и регистрирует маршрут",
    ("approve", S.FINALISED): "; сначала маршрут согласует руководитель ЦНППМ",
}


def transitions(policy: WorkflowPolicy = DEFAULT_POLICY) -> dict[str, Transition]:
    return _TABLES[policy]


# Who may edit the roadmap in which state.
EDITORS: dict[RouteStatus, frozenset[Role]] = {
    S.DRAFT: frozenset({R.DEVELOPER, R.ADMIN}),
    S.AGREEMENT: frozenset({R.TEACHER, R.CURATOR, R.HEAD, R.DEVELOPER, R.ADMIN}),
    S.FINALISED: frozenset({R.DEVELOPER, R.ADMIN}),  # the developer's final formatting (003 §4.3.8)
    S.APPROVED: frozenset({R.CURATOR, R.ADMIN}),
    S.IN_PROGRESS: frozenset({R.CURATOR, R.ADMIN}),
    S.PROLONGED: frozenset({R.CURATOR, R.ADMIN}),
}


# Who takes the other actions on a route (the functions below enforce them; ``may`` answers for a state).
MARKERS = frozenset({R.TEACHER, R.CURATOR, R.ADMIN, R.SYSTEM})  # completion marks
CURATORS = frozenset({R.CURATOR, R.ADMIN})  # intermediate results, final diagnostics and conclusions
PROPOSERS = frozenset({R.TEACHER})  # proposals of a correction (services/proposals.py)
RESOLVERS = frozenset({R.CURATOR, R.CENTRE, R.ADMIN})  # close a disagreement between a mark and the LMS


def may(route: Route, role: Role, action: str, policy: WorkflowPolicy = DEFAULT_POLICY) -> bool:
    """Whether ``role`` may take ``action`` on ``route`` in its current state: a transition of the
    policy's table, or "mark", "note", "correct", "conclude", "propose", "choose". The one answer the
    page, the API and the CLI give; the functions that apply an action raise the reason when it is not
    allowed. An archived route takes no action."""
    if route.archived_on is not None:
        return False
    under = route.status in UNDER_CORRECTION
    rules = {
        "mark": under and role in MARKERS,
        "note": under and role in CURATORS,
        "correct": role in EDITORS.get(route.status, frozenset()),
        "conclude": route.status in (S.IN_PROGRESS, S.PROLONGED) and role in CURATORS,
        "propose": route.status not in CLOSED and role in PROPOSERS,
        # the reflective-analytical stage (final_events, final_stage)
        "event": route.status in final_events.PLANNING and role in final_events.PLANNERS,
        "event_held": route.status in final_events.HOLDING and role in final_events.REPORTERS,
        "event_confirm": route.status in final_events.PLANNING and role in final_events.CONFIRMERS,
        "product": route.status in final_stage.RESULT_STATES and role in final_stage.AUTHORS,
        "close": under and role in CURATORS,
        "choose": choice.may_choose(route, role),  # the teacher's ДПП among the recommended (000 §2.1 b)
    }
    if action in rules:
        return rules[action]
    t = _TABLES[policy].get(action)
    return t is not None and route.status in t.sources and role in t.roles


def allowed_actions(route: Route, role: Role, policy: WorkflowPolicy = DEFAULT_POLICY) -> list[Transition]:
    if route.archived_on is not None:
        return []
    return [t for t in _TABLES[policy].values() if route.status in t.sources and role in t.roles]


def transition(
    route: Route,
    action: str,
    actor: Actor,
    today: date,
    policy: WorkflowPolicy = DEFAULT_POLICY,
    *,
    new_end: date | None = None,
    max_months: int = MAX_ROUTE_MONTHS,
) -> Route:
    """Apply a workflow action, or raise PermissionDenied / WorkflowError saying why not.

    ``complete`` refuses, naming everything missing at once (``completion.completion_gaps``);
    ``prolong`` needs ``new_end``: later than the current end, at most ``max_months`` after the
    start (003 §4.4.3), and moves the route's deadline with it. ``start`` and ``complete`` record
    the actual dates (004: «отметки о начале и завершении»).
    """
    t = _transition_for(action, policy)
    _check_move(route, t, actor)
    changes: dict[str, object] = {"status": t.target}
    if t.action == "complete":
        if refusal := completion_refusal(route):
            raise WorkflowError(refusal)
        changes["completed_on"] = today
    elif t.action == "prolong":
        changes["end"] = _prolonged_end(route, new_end, today, max_months)
    else:
        changes.update(_recorded(route, t.action, actor, today))
    if t.target in CLOSED:
        changes["closed_on"] = today  # the keeping period runs from here (003 §4.5.4)
    return replace(route, **changes)  # type: ignore[arg-type]


def _recorded(route: Route, action: str, actor: Actor, today: date) -> dict[str, object]:
    """What a transition records besides the status: who and when (submit, approve, start)."""
    if action == "submit":
        return {"submitted_on": today}
    if action == "approve":
        return {"approved_by": actor.name, "approved_on": today}
    if action == "start":
        return {"started_on": today, "start": route.start or today}
    return {}


def _prolonged_end(route: Route, new_end: date | None, today: date, max_months: int) -> date:
    if new_end is None:
        raise WorkflowError("продление требует новой даты окончания маршрута")
    if route.end and new_end <= route.end:
        raise WorkflowError(
            f"новая дата окончания {new_end:%d.%m.%Y} должна быть позже нынешней {route.end:%d.%m.%Y}"
        )
    if new_end <= today:
        raise WorkflowError(f"новая дата окончания {new_end:%d.%m.%Y} уже прошла")
    begin = route.start or route.started_on or today
    limit = add_months(begin, max_months)
    if new_end > limit:
        raise WorkflowError(
            f"маршрут длится не более {max_months} мес. (003 §4.4.3): окончание не позже {limit:%d.%m.%Y}"
        )
    return new_end


def _transition_for(action: str, policy: WorkflowPolicy) -> Transition:
    table = _TABLES[policy]
    t = table.get(action)
    if t is None:
        if action == "agree":
            raise WorkflowError("согласование с руководителем ЦНППМ в этом регионе не предусмотрено")
        raise WorkflowError(f"неизвестное действие «{action}»; возможны: {', '.join(table)}")
    return t


def _check_move(route: Route, t: Transition, actor: Actor) -> None:
    """Refuse a move an archived route, the actor's role or the route's state does not allow."""
    if route.archived_on is not None:
        raise WorkflowError(f"маршрут {route.number} в архиве и не изменяется")
    if actor.role not in t.roles:
        who = ", ".join(sorted(r.label for r in t.roles))
        raise PermissionDenied(f"действие «{t.label}» доступно только: {who}; не {actor.role.label}")
    if route.status not in t.sources:
        hint = _HINTS.get((t.action, route.status), "")
        raise WorkflowError(
            f"маршрут {route.number} в статусе «{route.status.label}»: нельзя {t.label}{hint}"
        )


def _require_editor(route: Route, actor: Actor) -> None:
    editors = EDITORS.get(route.status)
    if editors is None:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}» не изменяется")
    if actor.role not in editors:
        who = ", ".join(sorted(r.label for r in editors))
        raise PermissionDenied(f"в статусе «{route.status.label}» маршрут изменяют: {who}")


def change_activity(
    route: Route,
    actor: Actor,
    now: datetime,
    *,
    new: Activity | None,
    replaces: str | None = None,
    reason: str = "",
) -> Route:
    """Add, replace (``replaces`` = key, ``new`` given) or remove (``new`` None) an activity.

    After approval this is a correction: a reason is required and a log line is written.
    """
    _require_editor(route, actor)
    reason = checked_text("reason", reason)
    new = _checked_activity(new) if new is not None else None
    old = route.activity(replaces) if replaces else None
    if old is None and new is None:
        raise WorkflowError("не указано, что изменить")
    if route.status in UNDER_CORRECTION and not reason:
        raise WorkflowError("после утверждения каждое изменение — корректировка: укажите причину")
    if old and old.done and new is not None and new.key == old.key:
        raise WorkflowError(f"мероприятие «{old.title}» уже выполнено и не заменяется")
    activities = [a for a in route.activities if old is None or a.key != old.key]
    if new is not None:
        activities.append(new)
    updated = replace(route, activities=tuple(activities))
    if route.status in UNDER_CORRECTION:
        line = Correction(
            at=now,
            reason=reason,
            author=str(actor),
            replaced=old.title if old else "",
            new=new.title if new else "",
        )
        updated = replace(updated, corrections=(*route.corrections, line))
    return updated


def _checked_activity(new: Activity) -> Activity:
    return replace(
        new, title=checked_text("title", new.title), organiser=checked_text("organiser", new.organiser)
    )


def mark_activity(
    route: Route,
    key: str,
    actor: Actor,
    on: date,
    *,
    today: date | None = None,
    done: bool = True,
    result: str = "",
    result_form: str = "",
    reason: str = "",
    grade: float | None = None,
    pass_grade: float | None = None,
) -> Route:
    """Record the completion mark of an activity (003 App.3 §5.10) on the day it was done (``on``).

    A formal ДПП item is decided by the LMS final attestation only (000 §2.6: the results job acts
    as SYSTEM); nobody marks it by hand — a course that cannot be finished is closed by a correction
    (``close_activity``). People mark non-formal items: the date is never after ``today`` nor before
    the activity's (or the route's) start. A mark of "not done" needs the reason.
    """
    if route.status not in UNDER_CORRECTION:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}»: отметки не ставятся")
    activity = route.activity(key)
    if actor.role not in MARKERS:
        raise PermissionDenied(f"{actor.role.label} не ставит отметки о выполнении")
    if activity.formal and actor.role is not Role.SYSTEM:
        raise PermissionDenied(
            "курс ДПП отмечается только по итоговой аттестации в СДО (000 §2.6), а не вручную; "
            "если курс не будет пройден, закройте его корректировкой"
        )
    if actor.role is not Role.SYSTEM:
        _check_mark_date(route, activity, on, today or on)
    reason = checked_text("not_done_reason", reason)
    result, result_form = checked_text("result", result), checked_text("result_form", result_form)
    if not done and not reason:
        raise WorkflowError("укажите причину невыполнения")
    source = {Role.SYSTEM: "lms", Role.TEACHER: "teacher"}.get(actor.role, "curator")
    marked = replace(
        activity,
        done=done,
        done_on=on if done else None,
        not_done_reason="" if done else reason,
        result=result or activity.result,
        result_form=result_form or activity.result_form,
        grade=grade if grade is not None else activity.grade,
        pass_grade=pass_grade if pass_grade is not None else activity.pass_grade,
        result_source=source,
    )
    return route.with_activity(marked)


def _check_mark_date(route: Route, activity: Activity, on: date, today: date) -> None:
    if on > today:
        raise WorkflowError(f"дата выполнения {on:%d.%m.%Y} ещё не наступила (сегодня {today:%d.%m.%Y})")
    begin = activity.start or route.started_on or route.start
    if begin is not None and on < begin:
        raise WorkflowError(
            f"дата выполнения {on:%d.%m.%Y} раньше начала мероприятия «{activity.title}» ({begin:%d.%m.%Y})"
        )


def record_failed_attestation(route: Route, key: str, grade: float, pass_grade: float) -> Route:
    """The LMS graded the final attestation below the pass mark: the item stays not done and the
    card says why («итоговая аттестация не пройдена (оценка N при проходном M)»). A later pass
    (``mark_activity`` by SYSTEM) replaces it."""
    activity = route.activity(key)
    if activity.done:
        return route  # a recorded pass is never undone here (sync_results records a disagreement)
    failed = replace(activity, grade=grade, pass_grade=pass_grade, result_source="lms")
    return route.with_activity(failed)


def close_activity(route: Route, key: str, actor: Actor, now: datetime, *, reason: str) -> Route:
    """Close an activity that will not be done, keeping it on the card with its reason: a correction
    (004 Прил. 2) by the curator, so completion no longer waits for it (formal items included)."""
    if actor.role not in (Role.CURATOR, Role.ADMIN):
        raise PermissionDenied("закрыть мероприятие без выполнения может куратор (корректировкой)")
    if route.status not in UNDER_CORRECTION:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}» не корректируется")
    reason = checked_text("reason", reason)
    if not reason:
        raise WorkflowError("корректировка требует причины: почему мероприятие не будет выполнено")
    activity = route.activity(key)
    if activity.done:
        raise WorkflowError(f"мероприятие «{activity.title}» уже выполнено")
    why = activity.not_done_reason or reason.strip()
    closed = replace(activity, closed=True, not_done_reason=why)
    line = Correction(
        at=now,
        reason=reason.strip(),
        author=str(actor),
        replaced=activity.title,
        new="закрыто без выполнения",
    )
    updated = route.with_activity(closed)
    return replace(updated, corrections=(*route.corrections, line))


def record_note(route: Route, key: str, actor: Actor, text: str) -> Route:
    """The curator records an intermediate result of an activity (003 §4.4.5)."""
    if actor.role not in CURATORS:
        raise PermissionDenied("промежуточные результаты фиксирует куратор")
    if route.status not in UNDER_CORRECTION:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}»: записи не вносятся")
    text = checked_text("curator_note", text)
    if not text:
        raise WorkflowError("пустая запись")
    return route.with_activity(replace(route.activity(key), curator_note=text))


def deadline(route: Route) -> date | None:
    """The date by which the route must leave its current state, or None where no deadline applies."""
    if route.status is S.DRAFT:
        return add_working_days(route.diagnostic.date, DRAFT_DAYS)
    if route.status is S.AGREEMENT and route.submitted_on:
        return add_working_days(route.submitted_on, AGREEMENT_DAYS)
    if route.status in (S.IN_PROGRESS, S.PROLONGED):
        return route.end
    return None


def is_overdue(route: Route, today: date) -> bool:
    due = deadline(route)
    return due is not None and today > due
