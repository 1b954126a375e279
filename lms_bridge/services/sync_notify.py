"""Tell curators when every formal activity (ДПП course) of a route is done (results job, last step).

One LMS message per curator per run lists their routes (a curator follows dozens of teachers; one message
per route would cost thousands of calls), plus an audit entry ``formal-done`` per route. Recorded as a
``notify`` transmission per route, so each route is announced once; a run killed between sending and
recording sends again (at-least-once). The route is not completed here: the curator's final diagnostics
and conclusions come first (003 §4.5.3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from lms_bridge.domain.people import SYSTEM
from lms_bridge.errors import LmsError
from lms_bridge.ports import FormalItem, Lms, LmsLink, SyncStore, Transmission
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.ports import TransmissionState as State
from lms_bridge.services.sync_common import JobReport, SyncOptions, parallel_map

SHOWN = 50  # route numbers listed in one message to a curator


def notify_curators(
    lms: Lms,
    store: SyncStore,
    items: list[FormalItem],
    marked: set[tuple[str, str]],
    links: Mapping[str, LmsLink],
    report: JobReport,
    *,
    options: SyncOptions,
) -> None:
    """Tell the curator of every route whose formal activities are all done, once per route: ONE LMS
    message per curator per run listing their routes (a curator follows dozens of teachers)."""
    told = store.list_transmissions(Kind.NOTIFY)
    due = _due(items, marked, told)
    if options.dry_run:
        for curator, numbers in due.items():
            report.planned.append(f"сообщить куратору {curator or '—'}: {', '.join(numbers[:SHOWN])}")
            report.counts["curators_told"] += len(numbers)
        return

    def tell(curator: str) -> int | None:
        link = links.get(curator)
        if link is None or link.lms_user_id is None:
            return None
        lms.send_message(link.lms_user_id, _message(due[curator], options))
        return link.lms_user_id

    for curator, uid, err in parallel_map(tell, sorted(due), options.parallel):
        _record(store, curator, uid, err, due[curator], told, report)


Told = dict[tuple[str, str, str, str], Transmission]


def _due(items: list[FormalItem], marked: set[tuple[str, str]], told: Told) -> dict[str, list[str]]:
    """Curator e-mail → numbers of their routes whose formal items are all done and not yet told."""
    by_route: dict[str, list[FormalItem]] = defaultdict(list)
    for i in items:
        by_route[i.route_number].append(i)
    due: dict[str, list[str]] = defaultdict(list)
    for number, its in sorted(by_route.items()):
        prev = told.get((number, "", "", Kind.NOTIFY))
        told_before = prev is not None and prev.state == State.DONE
        if all(i.done or (number, i.key) in marked for i in its) and not told_before:
            due[its[0].curator_email].append(number)
    return due


def _record(
    store: SyncStore,
    curator: str,
    uid: int | None,
    err: LmsError | None,
    numbers: list[str],
    told: Told,
    report: JobReport,
) -> None:
    """One transaction per curator: the audit lines (when told) and a transmission per route."""
    state, code, message = State.DONE, "", ""
    if err is not None:
        state, code, message = State.FAILED, err.errorcode or "lmserror", str(err)
        report.problem(curator, code, f"сообщение куратору ({len(numbers)} маршрутов): {err}")
    with store.transaction():
        if state == State.DONE:
            where = "сообщение в СДО" if uid is not None else "куратор без учётной записи СДО: только журнал"
            details = f"все курсы ДПП пройдены; куратор {curator}: {where}"
            store.audit_many(SYSTEM, "formal-done", [(number, details) for number in numbers])
            report.counts["curators_told"] += len(numbers)
        rows = []
        for number in numbers:
            prev = told.get((number, "", "", Kind.NOTIFY))
            attempts = (prev.attempts if prev else 0) + 1
            key = (number, "", "", Kind.NOTIFY)
            rows.append(Transmission(*key, state, uid, None, attempts, code, message, detail=curator))
        store.save_transmissions(rows)


def _message(numbers: list[str], options: SyncOptions) -> str:
    lines = [f"{n}: {options.card_url(n)}" for n in numbers[:SHOWN]]
    more = f"\n… и ещё {len(numbers) - SHOWN}" if len(numbers) > SHOWN else ""
    return (
        f"Все курсы ДПП пройдены (итоговая аттестация в СДО) по маршрутам: {len(numbers)}. "
        "Проведите итоговую диагностику и внесите выводы:\n" + "\n".join(lines) + more
    )
