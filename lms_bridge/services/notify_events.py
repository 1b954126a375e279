"""``notify events``: tell teachers about upcoming catalogue events that address their deficits (000 §2.8),
and curators once a week about their teachers' events and overdue items. A scheduled job over the ports.

Recorded per teacher × event and per curator × ISO week (``NoticeStore``), so a second run sends nothing
twice. Each batch is written ahead as ``sent`` before the LMS call; a run killed anywhere leaves at most
those rows uncertain, and the next run looks each of them up in the LMS (by its stored text) before it
sends it again. A recipient the LMS refuses (left the LMS, messaging disabled) is reported once and not
retried; a whole call that fails is retried on the next runs, then given up after ``MAX_ATTEMPTS``.
Teachers and curators without an LMS account (``sync attach`` links them) are reported and wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from course_map.models import CourseEntry
from course_map.notices import (
    DigestEvent,
    addressing,
    digest_text,
    event_text,
    iso_week,
    overdue_items,
    upcoming_events,
)
from lms_bridge.domain.access import RouteFilter
from lms_bridge.errors import LmsAuthError, LmsError
from lms_bridge.ports import Lms, LmsLink, NoticeStore, OutMessage, SyncStore
from lms_bridge.ports.notices import FINAL, Notice, NoticeKind, NoticeState
from lms_bridge.services.sync_common import ACTIVE, JobReport, Progress, SyncOptions, Ticker, chunked

MAX_ATTEMPTS = 3  # runs on which a whole LMS call failed before a notice is given up
Planned = tuple[Notice, bool]  # the notice (state SENT) and whether the LMS must be searched first
Known = dict[tuple[str, str], Notice]


def notify_events(
    lms: Lms,
    store: SyncStore,
    notices: NoticeStore,
    *,
    today: date,
    days_before: int,
    options: SyncOptions,
    progress: Progress | None = None,
) -> JobReport:
    """One run: the teachers' event notices, then the curators' digests of this week."""
    report = JobReport("notify", dry_run=options.dry_run)
    events = upcoming_events(store.list_course_map(), today, days_before)
    people = store.list_route_people(ACTIVE)
    links = store.list_links()
    planned = _event_notices(events, people, links, notices.list_notices(NoticeKind.EVENT), options, report)
    known = notices.list_notices(NoticeKind.DIGEST)
    planned += _digests(store, today, events, people, links, known, report)
    if options.dry_run:
        for n, _ in planned:
            report.planned.append(f"сообщение {n.recipient}: {n.text.splitlines()[0]}")
        return report
    _deliver(lms, notices, planned, report, options, Ticker(progress, len(planned)))
    return report


def _event_notices(
    events: Sequence[CourseEntry],
    people: Sequence[tuple[str, str, str, tuple[str, ...]]],
    links: dict[str, LmsLink],
    known: Known,
    options: SyncOptions,
    report: JobReport,
) -> list[Planned]:
    out: dict[tuple[str, str], Planned] = {}
    for number, teacher, _curator, deficits in people:
        for e in addressing(events, deficits):
            key = (teacher, e.lms_course)
            prev = known.get(key)
            if key in out or (prev is not None and prev.state in FINAL):
                continue
            uid = _user(links, teacher, report)
            if uid is None:
                continue
            text = prev.text if prev else event_text(e, number, options.card_url(number))
            attempts = prev.attempts if prev else 0
            notice = Notice(
                NoticeKind.EVENT, teacher, e.lms_course, NoticeState.SENT, text, uid, number, attempts
            )
            out[key] = (notice, prev is not None)
    return list(out.values())


def _digests(
    store: SyncStore,
    today: date,
    events: Sequence[CourseEntry],
    people: Sequence[tuple[str, str, str, tuple[str, ...]]],
    links: dict[str, LmsLink],
    known: Known,
    report: JobReport,
) -> list[Planned]:
    week = iso_week(today)
    curators = sorted({curator for _, _, curator, _ in people if curator})
    out: list[Planned] = []
    for curator in curators:
        prev = known.get((curator, week))
        if prev is not None and prev.state in FINAL:
            continue
        text = prev.text if prev else _digest_text(store, curator, today, week, events)
        if not text:
            continue
        uid = _user(links, curator, report)
        if uid is not None:
            attempts = prev.attempts if prev else 0
            notice = Notice(NoticeKind.DIGEST, curator, week, NoticeState.SENT, text, uid, "", attempts)
            out.append((notice, prev is not None))
    return out


def _digest_text(
    store: SyncStore, curator: str, today: date, week: str, events: Sequence[CourseEntry]
) -> str:
    """The curator's digest, or "" when there is nothing to tell."""
    routes = [r for r in store.list_routes(RouteFilter(curator_email=curator)) if r.status in ACTIVE]
    routes.sort(key=lambda r: r.number)
    found = [
        DigestEvent(r.number, r.teacher.short_name, e)
        for r in routes
        for e in addressing(events, r.diagnostic.deficit_codes)
    ]
    overdue = [o for r in routes for o in overdue_items(r, today)]
    return digest_text(week, found, overdue) if found or overdue else ""


def _user(links: dict[str, LmsLink], email: str, report: JobReport) -> int | None:
    link = links.get(email)
    if link is None or link.lms_user_id is None:
        if email not in {p.subject for p in report.problems}:
            report.problem(email, "nouser", "нет учётной записи СДО (запустите sync attach)", failed=False)
            report.counts["no_lms_user"] += 1
        return None
    return link.lms_user_id


def _deliver(
    lms: Lms,
    notices: NoticeStore,
    planned: list[Planned],
    report: JobReport,
    options: SyncOptions,
    ticker: Ticker,
) -> None:
    for chunk in chunked(planned, options.batch):
        sending = [replace(n, attempts=n.attempts + 1) for n, _ in chunk]
        notices.save_notices(sending)  # written ahead: a kill from here on leaves them to be looked up
        try:
            failures = lms.send_messages(
                [OutMessage(n.lms_user_id or 0, n.text, look) for (n, look) in chunk]
            )
        except LmsAuthError:
            raise
        except LmsError as e:
            notices.save_notices([_failed(n, e, report) for n in sending])
            ticker.advance(len(chunk))
            continue
        refused = {(f.message.user_id, f.message.text): f for f in failures}
        rows = []
        for n in sending:
            f = refused.get((n.lms_user_id or 0, n.text))
            if f is None:
                rows.append(replace(n, state=NoticeState.DONE, error=""))
                report.counts[f"{n.kind}_sent"] += 1
                continue
            why = "нет в СДО (учётная запись удалена)" if f.gone else "не принимает сообщения в СДО"
            rows.append(replace(n, state=NoticeState.REFUSED, error=f"{why}: {f.reason}"))
            report.problem(
                n.recipient, "gone" if f.gone else "cantmessage", f"{why} ({f.reason})", failed=False
            )
            report.counts["refused"] += 1
        notices.save_notices(rows)
        ticker.advance(len(chunk))


def _failed(n: Notice, e: LmsError, report: JobReport) -> Notice:
    state = NoticeState.GAVE_UP if n.attempts >= MAX_ATTEMPTS else NoticeState.FAILED
    code = e.errorcode or "lmserror"
    tail = f"; попыток {n.attempts}, больше не отправляется" if state is NoticeState.GAVE_UP else ""
    report.problem(n.recipient, code, f"сообщение не отправлено: {e}{tail}")
    return replace(n, state=state, error=f"{code}: {e}")
