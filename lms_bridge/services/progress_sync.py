"""``lms-bridge sync progress``: each teacher's route progress as a score on the «Мой маршрут» line item
(LTI AGS), so that Moodle's grader report shows it.

Who gets a score: the platform users who launched a «Мой маршрут» placement that carries a line item
(``views.launch`` records them with their registry e-mail), and, where the platform grants Names and Roles,
the course's members whose e-mail is a teacher with a route in the platform's scope (no launch needed; the
line item itself is learnt from any launch of the placement, e.g. the editor's after saving it). The score
is the share of their latest working route's activities done, 0–100, with a Russian comment (status, done
of total). A score is sent only when it differs from the one last sent; where the platform granted no
``score`` scope nothing is sent.

Safe to kill and re-run: the score about to be sent is recorded first (``pending``) and the send is
recorded after; a run that finds a pending score (the last run stopped in between) reads the user's
result back (``result.readonly``) and does not send again when the platform already has it. Line items are
processed in batches of ``batch`` users, with ``pause`` seconds between batches (the platform's rate).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms_bridge.domain.platforms import PlatformScope
from lms_bridge.domain.route import Route
from lms_bridge.errors import LmsError
from lms_bridge.ports import LaunchStore, LineItemRecord, Platform, ProgressRecord, RouteFilter, RouteStore
from lms_bridge.services.sync_common import JobReport

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RESULTS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MAXIMUM = 100.0


class GradeService(Protocol):
    """A platform's AGS (adapters/lti_ags.AgsClient)."""

    def post_score(
        self, lineitem_url: str, user_id: str, given: float, maximum: float, comment: str
    ) -> None: ...
    def result_of(self, lineitem_url: str, user_id: str) -> float | None: ...
    def members(self, memberships_url: str) -> list[tuple[str, str]]: ...


def route_progress(route: Route) -> tuple[float, str]:
    """(score 0–100, comment): the share of the route's activities done, and its status in words."""
    done, total = route.progress()
    score = round(100.0 * done / total, 1) if total else 0.0
    return (
        score,
        f"Маршрут {route.number}: {route.status.label.lower()}; выполнено {done} из {total} мероприятий",
    )


def _route_of(store: RouteStore, email: str, scope: PlatformScope) -> Route | None:
    """The teacher's latest working route within the platform's scope (what the card launch opens)."""
    own = store.list_routes(RouteFilter(teacher_email=email, within=scope))
    return own[-1] if own else None


class _Run:
    def __init__(self, routes: RouteStore, launches: LaunchStore, now: Callable[[], datetime], dry_run: bool):
        self.routes, self.launches, self.now, self.dry_run = routes, launches, now, dry_run
        self.report = JobReport("progress", dry_run=dry_run)

    def member(
        self, item: LineItemRecord, row: ProgressRecord, platform: Platform, ags: GradeService
    ) -> None:
        route = _route_of(self.routes, row.email, platform.scope)
        if route is None:
            self.report.counts["no_route"] += 1
            return
        score, comment = route_progress(route)
        if row.pending_score is not None and RESULTS_SCOPE in item.scopes:
            stored = ags.result_of(item.lineitem_url, row.user_sub)
            if stored is not None and abs(stored - row.pending_score) < 0.005:
                self.launches.mark_progress_sent(item.id, row.user_sub, self.now())  # it did arrive
                row = self.launches_row(item.id, row.user_sub) or row
        if row.score is not None and abs(row.score - score) < 0.005 and row.comment == comment:
            self.report.counts["unchanged"] += 1
            return
        if self.dry_run:
            self.report.planned.append(f"{route.number}: {score:g} из 100 ({platform.issuer})")
            return
        self.launches.mark_progress_pending(item.id, row.user_sub, route.number, score, comment)
        try:
            ags.post_score(item.lineitem_url, row.user_sub, score, MAXIMUM, comment)
        except LmsError as e:
            self.launches.mark_progress_failed(item.id, row.user_sub, str(e))
            self.report.problem(route.number, "ags", str(e))
            return
        self.launches.mark_progress_sent(item.id, row.user_sub, self.now())
        self.report.counts["scores_sent"] += 1

    def enrol_members(self, item: LineItemRecord, platform: Platform, ags: GradeService) -> None:
        """Names and Roles: the course's members whose e-mail is a teacher with a route in the platform's
        scope get progress too, without launching first (the e-mail links them as a launch would)."""
        granted = platform.services is None or NRPS_SCOPE in platform.services
        if not item.memberships_url or not granted:
            return
        known = {r.user_sub for r in self.launches.list_progress(item.id)}
        try:
            members = ags.members(item.memberships_url)
        except LmsError as e:
            self.report.problem(platform.issuer, "nrps", f"участники курса не прочитаны: {e}")
            return
        for user_id, email in members:
            if user_id not in known and _route_of(self.routes, email, platform.scope) is not None:
                if not self.dry_run:
                    self.launches.record_progress_member(item.id, user_id, email)
                self.report.counts["members_found"] += 1

    def launches_row(self, item_id: int, user_sub: str) -> ProgressRecord | None:
        return next((r for r in self.launches.list_progress(item_id) if r.user_sub == user_sub), None)


# long: the loop over line items and their users, each step a line with its reason
def sync_progress(
    routes: RouteStore,
    launches: LaunchStore,
    platforms: list[Platform],
    grade_service: Callable[[Platform], GradeService | None],
    *,
    now: Callable[[], datetime] = datetime.now,
    batch: int = 50,
    pause: Callable[[], None] = lambda: None,
    dry_run: bool = False,
) -> JobReport:
    """Send changed route progress to every known line item whose platform grants the score scope."""
    run = _Run(routes, launches, now, dry_run)
    by_key = {(p.issuer, p.client_id): p for p in platforms}
    for item in launches.list_line_items():
        platform = by_key.get((item.issuer, item.client_id))
        if platform is None:
            run.report.counts["platform_gone"] += 1
            continue
        if SCORE_SCOPE not in item.scopes:
            run.report.counts["no_ags"] += 1
            continue
        ags = grade_service(platform)
        if ags is None:
            run.report.problem(
                platform.issuer, "no_key", "нет ключа инструмента или адреса токенов платформы"
            )
            continue
        run.enrol_members(item, platform, ags)
        rows = launches.list_progress(item.id)
        for start in range(0, len(rows), batch):
            if start:
                pause()
            for row in rows[start : start + batch]:
                try:
                    run.member(item, row, platform, ags)
                except LmsError as e:  # the result look-up failed: the pending score stays for next run
                    run.report.problem(row.route_number or row.email, "ags", str(e))
    return run.report


def ags_status(platform: Platform, items: list[LineItemRecord]) -> str:
    """In words: does the platform grant the grade service; how many «Мой маршрут» line items are known."""
    mine = [i for i in items if (i.issuer, i.client_id) == (platform.issuer, platform.client_id)]
    granted = platform.services is not None and SCORE_SCOPE in platform.services
    if mine:
        granted = any(SCORE_SCOPE in i.scopes for i in mine)
    if granted:
        return f"журнал оценок (AGS): выдан, линий оценок «Мой маршрут»: {len(mine)}"
    if platform.services is None and not mine:
        return "журнал оценок (AGS): неизвестно (ещё не было запуска с линией оценок)"
    return "журнал оценок (AGS): не выдан — прохождение ИОМ не передаётся"
