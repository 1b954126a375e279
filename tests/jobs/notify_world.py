"""A world for the notification job: routes in progress, a catalogue with dated events, LMS links."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.ports import LmsLink
from lms_bridge.services.sync_common import SyncOptions
from lms_bridge.storage.notices import SqlNoticeStore
from lms_bridge.storage.sync_store import SqlSyncStore
from tests.jobs.conftest import COURSE_MAP, CURATOR, make_store

TODAY = date(2026, 12, 2)  # the routes' formal items ended 30.11.2026 undone: overdue
OPTS = SyncOptions(batch=2, parallel=1, public_url="https://iom.example.org")


def event(ref: str, codes: tuple[str, ...], in_days: int, fmt: str = "очная") -> CourseEntry:
    start = TODAY + timedelta(days=in_days)
    return CourseEntry(
        ref,
        f"Семинар {ref}",
        EntryKind.EVENT,
        deficit_codes=codes,
        hours=4,
        format=fmt,
        start=start,
        end=start,
    )


EVENTS = [
    event("EV-SEM", ("М2.3",), 5),  # due: addresses М2.3
    event("EV-WEB", ("П1.1", "М2.3"), 10, "вебинар"),  # due
    event("EV-FAR", ("П1.1",), 40),  # too far ahead
    event("EV-OTHER", ("Ц9.9",), 3),  # nobody's deficit
    event("EV-PAST", ("П1.1",), -1),  # already begun
]
DUE = ("EV-SEM", "EV-WEB")


def notice_world(tmp_path: Path, n: int = 4, name: str = "w") -> tuple[SqlSyncStore, SqlNoticeStore]:
    store = make_store(tmp_path, n, status=RouteStatus.IN_PROGRESS, name=name)
    store.replace_course_map([*COURSE_MAP, *EVENTS], Actor(Role.COURSE_ADMIN, "Админ"))
    return store, SqlNoticeStore(store.uow)


def link_all(store: SqlSyncStore, ids: dict[str, int | None]) -> None:
    at = datetime(2026, 12, 1)
    store.save_links([LmsLink(email, uid, "email", 1 if uid else 0, at) for email, uid in ids.items()])


def with_curator(ids: dict[str, int | None], curator_id: int) -> dict[str, int | None]:
    return {**ids, CURATOR: curator_id}
