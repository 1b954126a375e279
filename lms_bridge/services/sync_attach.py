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
from lms_bridge.services.sync_common import (
    ACTIVE,
    DEFAULT_OPTIONS,
    JobReport,
    Progress,
    SyncOptions,
    chunked,
    parallel_map,
    tick,
)
from lms_bridge.services.sync_courses import FRAMEWORK_IDNUMBER, FRAMEWORK_NAME, link_courses


def sync_attach(
    lms: Lms,
    store: SyncStore,
    *,
    now: datetime,
    progress: Progress | None = None,
    options: SyncOptions = DEFAULT_OPTIONS,
    planned_links: Mapping[str, LmsLink] | None = None,
) -> JobReport:
    """``planned_links`` is accepted for a uniform job signature (``sync all --dry-run``); unused here."""
    report = JobReport("attach", options.dry_run)
    people = store.list_route_people(ACTIVE)
    teachers = {p[1] for p in people}
    emails = sorted(teachers | {p[2] for p in people if p[2]})
    links = store.list_links()
    todo = [
        e
        for e in emails
        if not (e in links and links[e].matches == 1 and links[e].field == options.user_field)
    ]
    report.counts["linked_before"] = len(emails) - len(todo)
    lookups = chunked(todo, options.batch)
    routes_todo = len(people)
    total = len(lookups) + routes_todo
    done = 0

    def lookup(values: Sequence[str]) -> dict[str, list[LmsUser]]:
        return lms.find_users(options.user_field, values)

    for values, found, err in parallel_map(lookup, lookups, options.parallel):
        fresh = []
        for email in values:
            if err is not None:
                report.problem(email, err.errorcode or "lmserror", f"поиск в СДО не удался: {err}")
                continue
            matches = (found or {}).get(email, [])
            link = LmsLink(
                email, matches[0].id if len(matches) == 1 else None, options.user_field, len(matches), now
            )
            fresh.append(link)
            links[email] = link
            who = "педагог" if email in teachers else "куратор"
            if len(matches) == 1:
                report.counts["linked"] += 1
            elif not matches:
                report.problem(email, "nouser", f"{who}: нет учётной записи в СДО ({options.user_field})")
            else:
                ids = ", ".join(str(u.id) for u in matches)
                report.problem(email, "severalusers", f"{who}: несколько учётных записей в СДО (id {ids})")
        if options.dry_run:
            report.planned += [f"связать {lk.email} → {lk.lms_user_id}" for lk in fresh if lk.lms_user_id]
            report.planned_links.update((lk.email, lk) for lk in fresh)
        else:
            with store.transaction():
                store.save_links(fresh)
        done += 1
        tick(progress, done, total)

    _card_links(lms, store, people, links, report, now=now, progress=progress, options=options, done=done)
    link_courses(lms, store, report, options=options)
    return report


def _card_links(
    lms: Lms,
    store: SyncStore,
    people: list[RoutePeople],
    links: dict[str, LmsLink],
    report: JobReport,
    *,
    now: datetime,
    progress: Progress | None,
    options: SyncOptions,
    done: int,
) -> None:
    """The card links in the LMS profiles, ``options.batch`` users per call, then per route the learning
    plan with the route's deficits as competencies (one framework mirrors the deficit codes)."""
    total = done + len(people)
    sent = store.list_transmissions("link")
    plans = store.list_transmissions("plan")
    codes_of = {p[0]: p[3] for p in people}
    work: list[tuple[str, int, bool, bool]] = []  # (route, user, needs link, needs plan)
    for number, teacher, _, _ in people:
        link = links.get(teacher)
        if link is None or link.lms_user_id is None:
            done += 1
            tick(progress, done, total)
            continue
        url = options.card_url(number)
        tx = sent.get((number, "", "", "link"))
        need_link = tx is None or tx.state != "done" or tx.detail != url or tx.lms_user_id != link.lms_user_id
        ptx = plans.get((number, "", "", "plan"))
        need_plan = options.plans and (
            ptx is None or ptx.state != "done" or ptx.lms_user_id != link.lms_user_id
        )
        if need_link or need_plan:
            work.append((number, link.lms_user_id, need_link, need_plan))
        else:
            report.counts["card_links_before"] += 1
            done += 1
            tick(progress, done, total)
    if options.dry_run:
        for number, uid, need_link, need_plan in work:
            if need_link:
                report.planned.append(f"ссылка на карту {number} → пользователь СДО {uid}")
            if need_plan:
                report.planned.append(f"план обучения {number} → пользователь СДО {uid}")
        tick(progress, total, total)
        return
    link_rows = [(number, uid) for number, uid, need_link, _ in work if need_link]
    plan_rows = [(number, uid) for number, uid, _, need_plan in work if need_plan]
    total = done + len(link_rows) + len(plan_rows)  # progress: one unit per link and per plan

    def push_links(rows: Sequence[tuple[str, int]]) -> list[LinkFailure]:
        return lms.set_route_links([(uid, options.card_url(number)) for number, uid in rows])

    # card links: many per call (Moodle's core_user_update_users is per row: bad rows come back, good land)
    for rows, failures, err in parallel_map(push_links, chunked(link_rows, options.batch), options.parallel):
        refused = {f.user_id: (f.errorcode, f.message) for f in failures or []}
        txs = []
        for number, uid in rows:
            url = options.card_url(number)
            failed = (err.errorcode or "lmserror", str(err)) if err is not None else refused.get(uid)
            if failed is None:
                report.counts["card_links"] += 1
                txs.append(Transmission(number, "", "", "link", "done", uid, None, 1, detail=url))
                continue
            report.problem(number, failed[0], f"link: {failed[1]}")
            txs.append(Transmission(number, "", "", "link", "failed", uid, None, 1, *failed, detail=url))
        _save(store, txs, sent, plans)  # recorded as soon as the call answered: a kill loses nothing
        done += len(rows)
        tick(progress, done, total)
    if not plan_rows:
        return

    competencies: dict[str, int] = {}
    wanted = sorted({c for number, _ in plan_rows for c in codes_of[number]})
    if wanted:
        try:
            found = lms.ensure_framework(FRAMEWORK_IDNUMBER, FRAMEWORK_NAME, {c: c for c in wanted})
            competencies = {code: comp.id for code, comp in found.items()}
        except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
            raise
        except LmsError as e:  # plans then go without competencies; the card links went out already
            report.problem("framework", e.errorcode or "lmserror", f"рамка компетенций в СДО: {e}")

    def push_plan(row: tuple[str, int]) -> Transmission:
        number, uid = row
        description = f"Индивидуальный образовательный маршрут {number}: {options.card_url(number)}"
        ids = [competencies[c] for c in codes_of[number] if c in competencies]
        return _attempt(lambda: lms.ensure_plan(uid, f"ИОМ {number}", description, ids), number, uid, "plan")

    batch: list[Transmission] = []
    for _, t, _ in parallel_map(push_plan, plan_rows, options.parallel):
        if t is None:  # _attempt turns LMS errors into a failed transmission
            continue
        if t.state == "done":
            report.counts["plans"] += 1
        else:
            report.problem(t.route_number, t.error_code, f"plan: {t.error_message}")
        batch.append(t)
        done += 1
        tick(progress, done, total)
        if len(batch) >= options.batch:
            _save(store, batch, sent, plans)
            batch = []
    _save(store, batch, sent, plans)


def _attempt(call: Callable[[], object], number: str, uid: int, kind: str) -> Transmission:
    try:
        call()
    except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
        raise
    except LmsError as e:
        return Transmission(number, "", "", kind, "failed", uid, None, 1, e.errorcode or "lmserror", str(e))
    return Transmission(number, "", "", kind, "done", uid, None, 1)


def _save(
    store: SyncStore,
    batch: list[Transmission],
    sent: dict[tuple[str, str, str, str], Transmission],
    plans: dict[tuple[str, str, str, str], Transmission],
) -> None:
    if not batch:
        return
    rows = []
    for t in batch:
        before = (sent if t.kind == "link" else plans).get(t.key)
        rows.append(replace(t, attempts=(before.attempts if before else 0) + 1))
    with store.transaction():
        store.save_transmissions(rows)
