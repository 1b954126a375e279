"""Attach: link each active route's teacher (and curator) to their LMS account, show the route card
link in the LMS, and create a learning plan where the LMS adapter offers one.

* People are looked up by the configured field (e-mail by default), many values per call. Moodle's
  lookups are exact: an account whose e-mail differs in case is not found (reported as "no account").
* A person with no account or with several is reported and looked up again on the next run; a person
  linked once is not looked up again.
* Card links go ``options.batch`` users per ``set_route_links`` call; the LMS applies them row by row, so
  a refused row (its code, e.g. ``invaliduserid``) fails alone and the others are recorded done. Each
  batch is recorded when its call answers; a failed or unrecorded link is sent again on the next run.
* The plan (Moodle learning plan named «ИОМ <number>», the card link in its description, the route's
  deficit codes as competencies of one framework) is made through the port's idempotent ``ensure_*``.
* The card link and the plan are recorded as transmissions (kinds ``link``/``plan``) per route: a
  second run sends nothing unless the card URL changed.
* Last, each ДПП course of an active route is linked to the competencies of its deficits
  (``sync_courses``), so that completing the course rates the plan's competencies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from lms_bridge.errors import LmsAuthError, LmsError
from lms_bridge.ports import LinkFailure, Lms, LmsLink, LmsUser, RoutePeople, SyncStore, Transmission
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.ports import TransmissionState as State
from lms_bridge.services.sync_common import (
    ACTIVE,
    DEFAULT_OPTIONS,
    JobReport,
    Progress,
    SyncOptions,
    Ticker,
    chunked,
    parallel_map,
)
from lms_bridge.services.sync_courses import FRAMEWORK_IDNUMBER, FRAMEWORK_NAME, link_courses

Recorded = dict[tuple[str, str, str, str], Transmission]  # transmissions by key, of the kinds at hand
Work = tuple[str, int, bool, bool]  # (route number, LMS user id, needs the link, needs the plan)


def sync_attach(
    lms: Lms,
    store: SyncStore,
    *,
    now: datetime,
    progress: Progress | None = None,
    options: SyncOptions = DEFAULT_OPTIONS,
    planned_links: Mapping[str, LmsLink] | None = None,  # noqa: ARG001 (the SyncJob signature)
) -> JobReport:
    """``planned_links`` is accepted for a uniform job signature (``sync all --dry-run``); unused here."""
    report = JobReport("attach", options.dry_run)
    people = store.list_route_people(ACTIVE)
    links = store.list_links()
    lookups = _lookups(people, links, report, options)
    ticker = Ticker(progress, total=len(lookups) + len(people))
    teachers = {p[1] for p in people}
    _look_up(lms, store, lookups, teachers, links, report, now=now, options=options, ticker=ticker)
    _card_links(lms, store, people, links, report, options=options, ticker=ticker)
    link_courses(lms, store, report, options=options)
    return report


def _lookups(
    people: list[RoutePeople], links: dict[str, LmsLink], report: JobReport, options: SyncOptions
) -> list[Sequence[str]]:
    """Teachers' and curators' e-mails not yet linked to one account by the configured field, in batches."""
    emails = sorted({p[1] for p in people} | {p[2] for p in people if p[2]})
    todo = [
        e
        for e in emails
        if not (e in links and links[e].matches == 1 and links[e].field == options.user_field)
    ]
    report.counts["linked_before"] = len(emails) - len(todo)
    return chunked(todo, options.batch)


def _look_up(
    lms: Lms,
    store: SyncStore,
    lookups: list[Sequence[str]],
    teachers: set[str],
    links: dict[str, LmsLink],
    report: JobReport,
    *,
    now: datetime,
    options: SyncOptions,
    ticker: Ticker,
) -> None:
    """Find the people in the LMS, ``options.batch`` per call; each answer is recorded as it comes."""

    def lookup(values: Sequence[str]) -> dict[str, list[LmsUser]]:
        return lms.find_users(options.user_field, values)

    for values, found, err in parallel_map(lookup, lookups, options.parallel):
        fresh: list[LmsLink] = []
        for email in values:
            if err is not None:
                report.problem(email, err.errorcode or "lmserror", f"поиск в СДО не удался: {err}")
                continue
            who = "педагог" if email in teachers else "куратор"
            fresh.append(_link(email, (found or {}).get(email, []), who, report, now=now, options=options))
        links.update((lk.email, lk) for lk in fresh)
        if options.dry_run:
            report.planned += [f"связать {lk.email} → {lk.lms_user_id}" for lk in fresh if lk.lms_user_id]
            report.planned_links.update((lk.email, lk) for lk in fresh)
        else:
            with store.transaction():
                store.save_links(fresh)
        ticker.advance()


def _link(
    email: str, matches: list[LmsUser], who: str, report: JobReport, *, now: datetime, options: SyncOptions
) -> LmsLink:
    """The link the LMS's answer gives (an account only when exactly one matches), counted or reported."""
    if len(matches) == 1:
        report.counts["linked"] += 1
    elif not matches:
        report.problem(email, "nouser", f"{who}: нет учётной записи в СДО ({options.user_field})")
    else:
        ids = ", ".join(str(u.id) for u in matches)
        report.problem(email, "severalusers", f"{who}: несколько учётных записей в СДО (id {ids})")
    return LmsLink(email, matches[0].id if len(matches) == 1 else None, options.user_field, len(matches), now)


def _card_links(
    lms: Lms,
    store: SyncStore,
    people: list[RoutePeople],
    links: dict[str, LmsLink],
    report: JobReport,
    *,
    options: SyncOptions,
    ticker: Ticker,
) -> None:
    """The card links in the LMS profiles, ``options.batch`` users per call, then per route the learning
    plan with the route's deficits as competencies (one framework mirrors the deficit codes)."""
    ticker.total = ticker.done + len(people)
    recorded = {**store.list_transmissions(Kind.LINK), **store.list_transmissions(Kind.PLAN)}
    work = _work(people, links, recorded, report, options, ticker)
    if options.dry_run:
        for number, uid, need_link, need_plan in work:
            if need_link:
                report.planned.append(f"ссылка на карту {number} → пользователь СДО {uid}")
            if need_plan:
                report.planned.append(f"план обучения {number} → пользователь СДО {uid}")
        ticker.finish()
        return
    link_rows = [(number, uid) for number, uid, need_link, _ in work if need_link]
    plan_rows = [(number, uid) for number, uid, _, need_plan in work if need_plan]
    ticker.total = ticker.done + len(link_rows) + len(plan_rows)  # one unit per link and per plan
    _send_links(lms, store, link_rows, recorded, report, options=options, ticker=ticker)
    if plan_rows:
        codes_of = {p[0]: p[3] for p in people}
        _send_plans(lms, store, plan_rows, codes_of, recorded, report, options=options, ticker=ticker)


def _work(
    people: list[RoutePeople],
    links: dict[str, LmsLink],
    recorded: Recorded,
    report: JobReport,
    options: SyncOptions,
    ticker: Ticker,
) -> list[Work]:
    """Routes whose teacher has an account and whose link or plan is not recorded done for that account
    (and, for the link, that URL); the others count as done now."""
    work: list[Work] = []
    for number, teacher, _, _ in people:
        link = links.get(teacher)
        if link is None or link.lms_user_id is None:
            ticker.advance()
            continue
        uid, url = link.lms_user_id, options.card_url(number)
        tx = recorded.get((number, "", "", Kind.LINK))
        need_link = tx is None or tx.state != State.DONE or tx.detail != url or tx.lms_user_id != uid
        ptx = recorded.get((number, "", "", Kind.PLAN))
        need_plan = options.plans and (ptx is None or ptx.state != State.DONE or ptx.lms_user_id != uid)
        if need_link or need_plan:
            work.append((number, uid, need_link, need_plan))
        else:
            report.counts["card_links_before"] += 1
            ticker.advance()
    return work


def _send_links(
    lms: Lms,
    store: SyncStore,
    rows: list[tuple[str, int]],
    recorded: Recorded,
    report: JobReport,
    *,
    options: SyncOptions,
    ticker: Ticker,
) -> None:
    """Many links per call (Moodle's core_user_update_users is per row: bad rows come back, good land);
    each batch is recorded as soon as its call answered, so a kill loses nothing."""

    def push(batch: Sequence[tuple[str, int]]) -> list[LinkFailure]:
        return lms.set_route_links([(uid, options.card_url(number)) for number, uid in batch])

    for batch, failures, err in parallel_map(push, chunked(rows, options.batch), options.parallel):
        refused = {f.user_id: (f.errorcode, f.message) for f in failures or []}
        txs = []
        for number, uid in batch:
            url = options.card_url(number)
            failed = (err.errorcode or "lmserror", str(err)) if err is not None else refused.get(uid)
            if failed is None:
                report.counts["card_links"] += 1
                txs.append(Transmission(number, "", "", Kind.LINK, State.DONE, uid, None, 1, detail=url))
                continue
            report.problem(number, failed[0], f"link: {failed[1]}")
            txs.append(
                Transmission(number, "", "", Kind.LINK, State.FAILED, uid, None, 1, *failed, detail=url)
            )
        _save(store, txs, recorded)
        ticker.advance(len(batch))


def _send_plans(
    lms: Lms,
    store: SyncStore,
    rows: list[tuple[str, int]],
    codes_of: dict[str, tuple[str, ...]],
    recorded: Recorded,
    report: JobReport,
    *,
    options: SyncOptions,
    ticker: Ticker,
) -> None:
    """A learning plan per route, in parallel, recorded ``options.batch`` at a time."""
    competencies = _framework(lms, sorted({c for number, _ in rows for c in codes_of[number]}), report)

    def push(row: tuple[str, int]) -> Transmission:
        number, uid = row
        description = f"Индивидуальный образовательный маршрут {number}: {options.card_url(number)}"
        ids = [competencies[c] for c in codes_of[number] if c in competencies]
        return _attempt(
            lambda: lms.ensure_plan(uid, f"ИОМ {number}", description, ids), number, uid, Kind.PLAN
        )

    batch: list[Transmission] = []
    for _, t, _ in parallel_map(push, rows, options.parallel):
        if t is None:  # _attempt turns LMS errors into a failed transmission
            continue
        if t.state == State.DONE:
            report.counts["plans"] += 1
        else:
            report.problem(t.route_number, t.error_code, f"plan: {t.error_message}")
        batch.append(t)
        ticker.advance()
        if len(batch) >= options.batch:
            _save(store, batch, recorded)
            batch = []
    _save(store, batch, recorded)


def _framework(lms: Lms, codes: list[str], report: JobReport) -> dict[str, int]:
    """Deficit code → competency id in the one framework; empty when there are no codes or the LMS
    refused (plans then go without competencies; the card links went out already)."""
    if not codes:
        return {}
    try:
        found = lms.ensure_framework(FRAMEWORK_IDNUMBER, FRAMEWORK_NAME, {c: c for c in codes})
    except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
        raise
    except LmsError as e:
        report.problem("framework", e.errorcode or "lmserror", f"рамка компетенций в СДО: {e}")
        return {}
    return {code: comp.id for code, comp in found.items()}


def _attempt(call: Callable[[], object], number: str, uid: int, kind: Kind) -> Transmission:
    try:
        call()
    except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
        raise
    except LmsError as e:
        code = e.errorcode or "lmserror"
        return Transmission(number, "", "", kind, State.FAILED, uid, None, 1, code, str(e))
    return Transmission(number, "", "", kind, State.DONE, uid, None, 1)


def _save(store: SyncStore, batch: list[Transmission], recorded: Recorded) -> None:
    """Record the batch, counting attempts on from what was recorded before this run."""
    if not batch:
        return
    rows = []
    for t in batch:
        before = recorded.get(t.key)
        rows.append(replace(t, attempts=(before.attempts if before else 0) + 1))
    with store.transaction():
        store.save_transmissions(rows)
