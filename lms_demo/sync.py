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
from moodle_sim.seed import find_course
from moodle_sim.state import STUDENT, SimState

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


def grade_some(state: SimState, routes: list[Route], demo_number: str) -> int:
    """The demo route passes its first course it is enrolled in; one other route of the school fails one.

    Returns how many grades were set.
    """
    by_email = {u.email.lower(): u for u in state.users.values()}
    done = 0
    ordered = sorted(routes, key=lambda r: r.number != demo_number)  # the demo route first
    for route in ordered:
        user = by_email.get(route.teacher.email.lower())
        if user is None:
            continue
        for activity in route.formal_activities:
            course = find_course(state, activity.lms_course or "")
            enrolment = state.enrolments.get((course.id, user.id)) if course else None
            if course is None or enrolment is None or STUDENT not in enrolment.roles:
                continue
            final = next(a for a in state.course_activities(course.id) if a.modname == "assign")
            state.set_grade(final, user.id, PASSING if done == 0 else FAILING)
            done += 1
            break
        if done == 2:
            break
    return done


def sync_demo(
    settings: Settings, state: SimState, routes: list[Route], demo_number: str, say: Callable[[str], None]
) -> list[JobReport]:
    now = datetime.now()
    reports = run_jobs(settings, ["attach", "enrol"], now)
    with state.lock:
        graded = grade_some(state, routes, demo_number)
    reports += run_jobs(settings, ["results"], datetime.now())
    for r in reports:
        counts = "; ".join(f"{LABELS.get(k, k)}: {v}" for k, v in r.counts.items() if v) or "делать нечего"
        notes = f" (замечаний: {len(r.problems)}; подробно — lms-bridge sync {r.job})" if r.problems else ""
        say(f"синхронизация {r.job}: {counts}{notes}")
    say(f"оценок выставлено в симуляторе: {graded}")
    return reports
