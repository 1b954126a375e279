"""The unit of work: what the repositories write inside one ``with uow:`` lands together or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from course_map.models import CourseEntry
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.domain.vocabulary import CuratorKind, Role
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.storage.unit_of_work import SqlUnitOfWork, make_engine

ADMIN = Actor(Role.COURSE_ADMIN, "Админ")
CURATOR = Curator("methodist@ipk.ru", "Смирнова О.В.", CuratorKind.METHODIST)


class Boom(Exception):
    pass


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def stored(engine: Engine) -> tuple[list[Curator], list[str]]:
    """What another unit (another connection) sees: curators and audit actions."""
    with SqlUnitOfWork(engine) as uow:
        return uow.people.list_curators(), [e.action for e in uow.audit.lines()]


def test_a_unit_commits_every_repository_together(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.people.save_curators([CURATOR])
        uow.audit.add(ADMIN, "curators import", "curators")
    assert stored(engine) == ([CURATOR], ["curators import"])


def import_curators_then_fail(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.people.save_curators([CURATOR])
        uow.audit.add(ADMIN, "curators import", "curators")
        raise Boom


def test_a_failure_rolls_back_the_writes_of_two_repositories(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with pytest.raises(Boom):
        import_curators_then_fail(uow)
    assert stored(engine) == ([], [])
    with uow:  # the same unit works again after a rollback
        uow.people.save_curators([CURATOR])
    assert stored(engine) == ([CURATOR], [])


def audit_in_inner_unit_then_fail(uow: SqlUnitOfWork) -> None:
    with uow:
        with uow:
            uow.audit.add(ADMIN, "second", "curators")
        raise Boom  # after the inner block ended: its write goes too


def test_a_nested_unit_joins_the_outer_one(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.people.save_curators([CURATOR])
        with uow:
            uow.audit.add(ADMIN, "curators import", "curators")
        assert stored(engine) == ([], [])  # the inner block committed nothing of its own
    assert stored(engine) == ([CURATOR], ["curators import"])

    with pytest.raises(Boom):
        audit_in_inner_unit_then_fail(uow)
    assert stored(engine) == ([CURATOR], ["curators import"])


def test_a_repository_outside_a_unit_is_a_clear_error(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with pytest.raises(RuntimeError, match=r"uow\.people is used outside a unit of work.*with uow"):
        uow.people.list_curators()
    with uow:
        repo = uow.audit
    with pytest.raises(RuntimeError, match=r"uow\.audit is used outside"):
        _ = uow.audit
    assert repo is not None  # a repository kept past its unit has no connection to use:
    with pytest.raises(Exception, match="closed"):
        repo.lines()


def test_the_store_facade_runs_its_calls_in_the_unit_of_work(engine: Engine) -> None:
    store = SqlRouteStore(engine)
    entry = CourseEntry("PK-MATH", "Предметные компетенции учителя математики", hours=36)

    def import_then_fail() -> None:
        with store.transaction():
            store.save_curators([CURATOR])
            store.replace_course_map([entry], ADMIN)
            raise Boom

    with pytest.raises(Boom):
        import_then_fail()
    assert (store.list_curators(), store.list_course_map(), store.list_audit()) == ([], [], [])
    store.replace_course_map([entry], ADMIN)  # outside a transaction: a unit of its own
    assert [e.action for e in store.list_audit()] == ["course-map import"]
    assert store.list_course_map() == [entry]
