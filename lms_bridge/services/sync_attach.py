"""Attach: link each active route's teacher (and curator) to their LMS account, show the route card
link in the LMS, and create a learning plan where the LMS adapter offers one.

* People are looked up by the configured field (e-mail by default), many values per call. Moodle's
  lookups are exact: an account whose e-mail differs in case is not found (reported as "no account").
* A person with no account or with several is reported and looked up again on the next run; a person
  linked once is not looked up again.
* The plan (Moodle learning plan named «ИОМ <number>», the card link in its description, the route's
  deficit codes as competencies of one framework) is made through the port's idempotent ``ensure_*``.
* The card link and the plan are recorded as transmissions (kinds ``link``/``plan``) per route: a
  second run sends nothing unless the card URL changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from lms_bridge.errors import LmsAuthError, LmsError
from lms_bridge.ports import Lms, LmsLink, LmsUser, RoutePeople, SyncStore, Transmission
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

FRAMEWORK_IDNUMBER = "lms-bridge-deficits"
FRAMEWORK_NAME = "Дефициты профессиональных компетенций (ИОМ)"


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
    """Per route: the card link in the LMS profile, then the learning plan with the route's deficits
    as competencies (one framework mirrors the deficit codes)."""
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
    competencies: dict[str, int] = {}
    wanted = sorted({c for number, _, _, need_plan in work if need_plan for c in codes_of[number]})
    if wanted:
        try:
            found = lms.ensure_framework(FRAMEWORK_IDNUMBER, FRAMEWORK_NAME, {c: c for c in wanted})
            competencies = {code: comp.id for code, comp in found.items()}
        except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
            raise
        except LmsError as e:  # plans then go without competencies; the card link still goes out
            report.problem("framework", e.errorcode or "lmserror", f"рамка компетенций в СДО: {e}")

    def push(w: tuple[str, int, bool, bool]) -> list[Transmission]:
        number, uid, need_link, need_plan = w
        out = []
        if need_link:
            out.append(
                _attempt(lambda: lms.set_route_link(uid, options.card_url(number)), number, uid, "link")
            )
            out[-1] = replace(out[-1], detail=options.card_url(number))
        if need_plan:
            description = f"Индивидуальный образовательный маршрут {number}: {options.card_url(number)}"
            ids = [competencies[c] for c in codes_of[number] if c in competencies]
            out.append(
                _attempt(lambda: lms.ensure_plan(uid, f"ИОМ {number}", description, ids), number, uid, "plan")
            )
        return out

    batch: list[Transmission] = []
    for _, rows, _ in parallel_map(push, work, options.parallel):
        for t in rows or []:
            if t.state == "done":
                report.counts["card_links" if t.kind == "link" else "plans"] += 1
            else:
                report.problem(t.route_number, t.error_code, f"{t.kind}: {t.error_message}")
        batch += rows or []
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
