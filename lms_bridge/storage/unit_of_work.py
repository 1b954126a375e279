"""``SqlUnitOfWork``: one database transaction and the repositories that work inside it (the shape of
*Architecture Patterns with Python*, chapters 2 and 6, over SQLAlchemy Core instead of an ORM).

::

    uow = SqlUnitOfWork(engine)
    with uow:                       # one connection, one transaction
        uow.people.save_curators(...)
        uow.audit.add(actor, "curators import", "curators")
    # committed here; an exception inside the block rolls back every repository's writes together

A ``with uow:`` inside another one joins it (nothing commits until the outermost block ends), so a
service can call code that opens its own unit. The repositories exist only inside the block: touching
``uow.people`` outside one raises ``RuntimeError`` naming the mistake, rather than silently writing in a
transaction of its own. A unit is not shared between threads (the web app builds one per request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event

from lms_bridge.storage.audit import SqlAuditRepository
from lms_bridge.storage.catalogue import SqlCatalogueRepository
from lms_bridge.storage.codifier import SqlCodifierRepository
from lms_bridge.storage.diagnostics import SqlDiagnosticsRepository
from lms_bridge.storage.notices import SqlNoticeRepository
from lms_bridge.storage.people import SqlPeopleRepository
from lms_bridge.storage.reports import SqlReportRepository
from lms_bridge.storage.routes import SqlRouteRepository
from lms_bridge.storage.sync import SqlSyncRepository


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # the web app reads while a job writes
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

    return engine


@dataclass(frozen=True)
class _Open:
    """What exists while a unit is open: its connection, transaction and repositories."""

    conn: Connection
    trans: RootTransaction
    diagnostics: SqlDiagnosticsRepository
    routes: SqlRouteRepository
    people: SqlPeopleRepository
    codifier: SqlCodifierRepository
    catalogue: SqlCatalogueRepository
    audit: SqlAuditRepository
    sync: SqlSyncRepository
    notices: SqlNoticeRepository
    reports: SqlReportRepository


class SqlUnitOfWork:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = datetime.now) -> None:
        self.engine = engine
        self.now = clock
        self._route_ids: dict[str, int] = {}  # a route's id never changes: kept from one unit to the next
        self._open: _Open | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        if self._depth == 0:
            conn = self.engine.connect()
            try:
                trans = conn.begin()
            except BaseException:
                conn.close()
                raise
            self._open = _Open(
                conn=conn,
                trans=trans,
                diagnostics=SqlDiagnosticsRepository(conn),
                routes=SqlRouteRepository(conn, self._route_ids),
                people=SqlPeopleRepository(conn),
                codifier=SqlCodifierRepository(conn),
                catalogue=SqlCatalogueRepository(conn),
                audit=SqlAuditRepository(conn, self.now),
                sync=SqlSyncRepository(conn),
                notices=SqlNoticeRepository(conn, self.now),
                reports=SqlReportRepository(conn),
            )
        self._depth += 1
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth or self._open is None:
            return  # an inner block: the outermost one decides
        opened, self._open = self._open, None
        try:
            if exc_type is None:
                opened.trans.commit()
            else:
                opened.trans.rollback()
        finally:
            opened.conn.close()

    @property
    def active(self) -> bool:
        return self._open is not None

    def _current(self, what: str) -> _Open:
        if self._open is None:
            raise RuntimeError(f"uow.{what} is used outside a unit of work: wrap the call in `with uow:`")
        return self._open

    @property
    def connection(self) -> Connection:
        return self._current("connection").conn

    @property
    def diagnostics(self) -> SqlDiagnosticsRepository:
        """Teachers and their diagnostics."""
        return self._current("diagnostics").diagnostics

    @property
    def routes(self) -> SqlRouteRepository:
        """Routes, their numbers, items, files, and what the sync jobs read and mark on them."""
        return self._current("routes").routes

    @property
    def people(self) -> SqlPeopleRepository:
        """Curators and the course map."""
        return self._current("people").people

    @property
    def codifier(self) -> SqlCodifierRepository:
        return self._current("codifier").codifier

    @property
    def catalogue(self) -> SqlCatalogueRepository:
        """The register of internship sites (the catalogue's activities are in the course map)."""
        return self._current("catalogue").catalogue

    @property
    def audit(self) -> SqlAuditRepository:
        return self._current("audit").audit

    @property
    def sync(self) -> SqlSyncRepository:
        """Transmissions, LMS links, result disagreements."""
        return self._current("sync").sync

    @property
    def notices(self) -> SqlNoticeRepository:
        """Event notices sent to teachers and curators' digests (once each)."""
        return self._current("notices").notices

    @property
    def reports(self) -> SqlReportRepository:
        return self._current("reports").reports
