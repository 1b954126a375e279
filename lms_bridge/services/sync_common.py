"""What the three sync jobs share: the report they return, a bounded parallel map over LMS calls,
and date → unix-time conversion for enrolment dates.

Threads only talk to the LMS; every store write happens on the calling thread (the store keeps one
connection per unit of work and SQLite wants one writer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import DiagnosticKind, RouteStatus
from lms_bridge.errors import LmsAuthError, LmsError
from lms_bridge.ports import Lms, LmsLink, RouteStore, SyncStore

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Called with (done, total) after each unit of work; a CLI draws a bar, a test may raise to 'kill' a run."""

ACTIVE = (RouteStatus.APPROVED, RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED)


@dataclass(frozen=True)
class JobProblem:
    subject: str  # route number, e-mail or course
    code: str  # the LMS's errorcode, or our own (nouser, severalusers, nocourse, nopassgrade, ...)
    message: str


@dataclass
class JobReport:
    """What a run did. ``counts`` keys are stable identifiers; the CLI prints Russian labels."""

    job: str
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[JobProblem] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)  # dry run: what would be done
    planned_links: dict[str, LmsLink] = field(default_factory=dict)  # dry run: links attach would record

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def problem(self, subject: str, code: str, message: str, *, failed: bool = True) -> None:
        self.problems.append(JobProblem(subject, code, message))
        if failed:
            self.counts["failed"] += 1


def tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


@dataclass
class Ticker:
    """A job's progress: ``advance`` after each unit of work reports (done, total) to ``progress``."""

    progress: Progress | None
    total: int = 0
    done: int = 0

    def advance(self, units: int = 1) -> None:
        self.done += units
        tick(self.progress, self.done, self.total)

    def finish(self) -> None:
        tick(self.progress, self.total, self.total)


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def parallel_map(
    fn: Callable[[T], R], items: Iterable[T], workers: int
) -> Iterator[tuple[T, R | None, LmsError | None]]:
    """Run ``fn`` over ``items`` on ``workers`` threads, yielding (item, result, LMS error) as each ends.

    At most ``2 × workers`` calls are in flight. ``LmsError`` is caught per item (the job reports it and
    goes on), except ``LmsAuthError`` (bad token, missing permission: every call would fail), which stops
    the run like anything else that is not an LMS answer. Closing the generator (the consumer failed
    or was killed) cancels what has not started.
    """
    it = iter(items)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lms") as ex:
        pending: dict[Future[R], T] = {ex.submit(fn, x): x for x in islice(it, 2 * max(1, workers))}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    item = pending.pop(fut)
                    for nxt in islice(it, 1):
                        pending[ex.submit(fn, nxt)] = nxt
                    try:
                        result = fut.result()
                    except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
                        raise
                    except LmsError as e:
                        yield item, None, e
                    else:
                        yield item, result, None
        finally:
            for fut in pending:
                fut.cancel()


def day_start(d: date, tz: ZoneInfo) -> int:
    """Unix time of 00:00 on ``d`` in the LMS's time zone (Moodle's timestart)."""
    return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())


def day_end(d: date, tz: ZoneInfo) -> int:
    """Unix time of the last second of ``d`` (Moodle's timeend: access ends after the end date)."""
    return day_start(d + timedelta(days=1), tz) - 1


def from_unix(ts: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(ts, tz).date()


@dataclass(frozen=True)
class SyncOptions:
    """Job settings (from ``Settings`` in the CLI; defaults suit tests)."""

    public_url: str = "http://localhost:8000"
    user_field: str = "email"  # how teachers are found in the LMS: email | username
    role_id: int = 5  # student
    parallel: int = 4
    batch: int = 100  # lookup values, enrol rows, card links per call; marks per commit
    timezone: str = "Asia/Yekaterinburg"
    plans: bool = True  # attach also makes a learning plan per route (Moodle competencies enabled)
    dry_run: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def card_url(self, number: str) -> str:
        return f"{self.public_url.rstrip('/')}/card/{number}"


DEFAULT_OPTIONS = SyncOptions()


class SyncJob(Protocol):
    """A sync job: a plain function over the ports that records what it did and returns a report.

    Every job takes the same keywords so ``sync all`` can run them in a row; ``planned_links`` carries
    the links a dry-run ``attach`` would have recorded to the later jobs (ignored by jobs that need none).
    """

    def __call__(
        self,
        lms: Lms,
        store: SyncStore,
        *,
        now: datetime,
        progress: Progress | None = None,
        options: SyncOptions = DEFAULT_OPTIONS,
        planned_links: Mapping[str, LmsLink] | None = None,
    ) -> JobReport: ...


def shell_route(
    number: str,
    status: RouteStatus,
    activities: Sequence[Activity] = (),
    *,
    start: date | None = None,
    teacher_email: str = "",
) -> Route:
    """A route holding only what the workflow rules read (status, start, the activities at hand).

    The jobs run the domain rules (``mark_activity``, ``transition``) on it instead of loading whole
    routes (teacher, diagnostic, every item, corrections) for thousands of routes per run; the store then
    writes back only the columns those rules change (``save_item_marks``, ``save_statuses``).
    """
    teacher = Teacher(teacher_email, "", "")
    diagnostic = Diagnostic(teacher_email, DiagnosticKind.STANDARDIZED, date.min)
    return Route(number, teacher, diagnostic, status=status, start=start, activities=tuple(activities))


class CommitBatches:
    """Group the store writes of several courses into one commit of about ``limit`` rows.

    Each commit is an fsync on SQLite; committing per course made a 600-course run spend seconds on
    them. A kill loses at most the open batch, which the next run redoes (the LMS side is checked before
    anything is re-sent).
    """

    def __init__(self, store: RouteStore, limit: int):
        self.store = store
        self.limit = max(1, limit)
        self.rows = 0
        self._stack = ExitStack()
        self._open = False

    def __enter__(self) -> CommitBatches:
        self._stack.__enter__()
        return self

    def begin(self) -> None:
        if not self._open:
            self._stack.enter_context(self.store.transaction())
            self._open = True

    def added(self, rows: int) -> None:
        self.rows += rows
        if self.rows >= self.limit:
            self.flush()

    def flush(self) -> None:
        self._stack.close()
        self._open = False
        self.rows = 0

    def __exit__(self, *exc: object) -> bool | None:
        return self._stack.__exit__(*exc)  # type: ignore[arg-type]
