"""The demo's sync: the real jobs, through the real Moodle adapter, over HTTP to the simulator.

attach → enrol, then a few final grades are put into the simulated gradebook (as a course teacher
would), then results — so the cards show enrolments and attestation results that came back from
"Moodle".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lms_bridge import bootstrap
from lms_bridge.cli.sync_jobs import JOBS, LABELS, options_from
from lms_bridge.config import Settings
from lms_bridge.domain.route import Route
from lms_bridge.ports import LmsLink
from lms_bridge.services.sync_common import JobReport
from lms_demo.story import lms_time
from moodle_sim.seed import find_course
from moodle_sim.state import STUDENT, Activity, SimState

PASSING, FAILING = 87.0, 45.0


def run_jobs(settings: Settings, names: list[str], now: datetime) -> list[JobReport]:
    lms = bootstrap.build_lms(settings)
    store = bootstrap.build_store(settings)
    options = options_from(settings, dry_run=False)
    links: dict[str, LmsLink] = {}
    reports = []
    for name in names:
        _title, job = JOBS[name]
        report = job(lms, store, now=now, options=options, planned_links=links)
        links.update(report.planned_links)
        reports.append(report)
    return reports


def _final_assign(state: SimState, route: Route, ref: str) -> tuple[Activity, int] | None:
    """The course's graded final activity and the teacher's user id, when the teacher is enrolled."""
    user = next((u for u in state.users.values() if u.email.lower() == route.teacher.email.lower()), None)
    course = find_course(state, ref)
    if user is None or course is None:
        return None
    enrolment = state.enrolments.get((course.id, user.id))
    if enrolment is None or STUDENT not in enrolment.roles:
        return None
    final = next(a for a in state.course_activities(course.id) if a.modname == "assign")
    return final, user.id


def pass_every_course(state: SimState, route: Route) -> int:
    """The completed story's teacher passes each ДПП course on the day the course ends (as the course
    teacher grades the final attestation in Moodle). Returns how many grades were set."""
    done = 0
    for activity in route.formal_activities:
        found = _final_assign(state, route, activity.lms_course or "")
        if found is not None:
            day = activity.end or activity.start or route.start
            state.set_grade(found[0], found[1], PASSING, at=lms_time(day) if day else None)
            done += 1
    return done


def grade_some(
    state: SimState, routes: list[Route], demo_number: str, graded: set[str], at: int | None = None
) -> int:
    """The demo route passes its first course decided by a grade (``graded``: their LMS references,
    so the card shows the grade) it is enrolled in; one other route of the school fails one.

    Returns how many grades were set.
    """
    done = 0
    ordered = sorted(routes, key=lambda r: r.number != demo_number)  # the demo route first
    for route in ordered:
        for activity in route.formal_activities:
            found = _final_assign(state, route, activity.lms_course or "")
            if found is None or activity.lms_course not in graded:
                continue
            state.set_grade(found[0], found[1], PASSING if done == 0 else FAILING, at=at)
            done += 1
            break
        if done == 2:
            break
    return done


def sync_demo(
    settings: Settings,
    state: SimState,
    routes: list[Route],
    demo_number: str,
    say: Callable[[str], None],
    *,
    now: datetime | None = None,
    completed: Route | None = None,
    graded: set[str] | None = None,
) -> list[JobReport]:
    """attach and enrol, grades, results — at ``now`` (the demo's day). ``completed``: the route whose
    courses are all passed (the story's honest completion); the others get one pass and one fail in
    courses decided by a grade (``graded``; every course when None)."""
    now = now or datetime.now()
    reports = run_jobs(settings, ["attach", "enrol"], now)
    with state.lock:
        others = [r for r in routes if completed is None or r.number != completed.number]
        refs = graded if graded is not None else {a.lms_course or "" for r in routes for a in r.activities}
        count = grade_some(state, others, demo_number, refs, at=lms_time(now.date()))
        count += pass_every_course(state, completed) if completed else 0
    reports += run_jobs(settings, ["results"], now)
    for r in reports:
        counts = "; ".join(f"{LABELS.get(k, k)}: {v}" for k, v in r.counts.items() if v) or "делать нечего"
        notes = f" (замечаний: {len(r.problems)}; подробно — lms-bridge sync {r.job})" if r.problems else ""
        say(f"синхронизация {r.job}: {counts}{notes}")
    say(f"оценок выставлено в симуляторе: {count}")
    return reports
