"""The simulator's Moodle-like pages: the course page that embeds the tool and «Мои курсы».

Both carry the demo's user switcher (no passwords: ``user=`` picks who you are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, current_app, render_template, request

from moodle_sim.app import EXTENSION as SIM_EXTENSION
from moodle_sim.lti_claims import DEMO_ROLE_LABELS

if TYPE_CHECKING:
    from moodle_sim.lti import LtiPlatform


@dataclass(frozen=True)
class CourseRow:
    """A ДПП course of the simulated site on the user's «Мои курсы» page."""

    fullname: str
    shortname: str
    grade: float | None
    passed: bool | None
    completed: bool


def simulated_courses(user_id: int) -> list[CourseRow]:
    """The user's courses in the simulator this blueprint is mounted on (none when mounted elsewhere)."""
    ctx = current_app.extensions.get(SIM_EXTENSION)
    if ctx is None:
        return []
    state = ctx.state
    rows = []
    with state.lock:
        for course in state.user_courses(user_id):
            final = next((a for a in state.course_activities(course.id) if a.modname == "assign"), None)
            grade = state.grades.get((final.item_id, user_id)) if final else None
            passed = grade.raw >= final.gradepass if final and grade and final.gradepass > 0 else None
            completed = (course.id, user_id) in state.course_completions
            rows.append(
                CourseRow(course.fullname, course.shortname, grade.raw if grade else None, passed, completed)
            )
    return rows


# long: the platform's pages registered on one blueprint
def add_pages(bp: Blueprint, platform: LtiPlatform) -> None:
    def page(template: str, switch_url: str, **values: Any) -> str:
        """A page with the navbar and the demo user switcher (``switch_url`` + ``user=...``)."""
        ref = request.args.get("user", "")
        user = platform.find_user(ref) if ref else None
        people = sorted(
            platform.users.values(), key=lambda u: (list(DEMO_ROLE_LABELS).index(u.demo_role), u.id)
        )
        first = min(platform.courses, default=0)
        return render_template(
            template,
            site_name=platform.site_name,
            home_url=f"/course/view.php?id={first}" + (f"&user={user.username}" if user else ""),
            switch_url=switch_url,
            user=user,
            unknown_user=ref if ref and user is None else "",
            people=people,
            role_labels=DEMO_ROLE_LABELS,
            **values,
        )

    @bp.get("/course/view.php")
    def course_view() -> str:
        course = platform.courses.get(request.args.get("id", type=int) or 0)
        if course is None:
            abort(404)
        return page(
            "sim_lti/course.html",
            f"/course/view.php?id={course.id}&",
            course=course,
            activities=platform.course_activities(course.id),
        )

    @bp.get("/my/courses.php")
    def my_courses() -> str:
        user = platform.find_user(request.args.get("user", ""))
        return page(
            "sim_lti/my_courses.html",
            "/my/courses.php?",
            platform_courses=sorted(platform.courses.values(), key=lambda c: c.id),
            lms_courses=simulated_courses(user.id) if user else [],
        )
