from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.vocabulary import Block, DiagnosticKind, Level
from lms_bridge.storage.migrate import upgrade
from lms_bridge.storage.store import SqlRouteStore, make_engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[SqlRouteStore]:
    engine = make_engine(db_url)
    yield SqlRouteStore(engine)
    engine.dispose()


def make_teacher(n: int = 1, school: str = "МБОУ «СОШ № 1»", subject: str = "математика") -> Teacher:
    return Teacher(
        email=f"teacher{n}@school.ru",
        last_name=f"Иванова{n}",
        first_name="Мария",
        middle_name="Петровна",
        school=school,
        municipality="г. Челябинск",
        position="учитель",
        subject=subject,
        category="первая",
    )


def make_diagnostic(
    n: int = 1,
    codes: tuple[str, ...] = ("П1.1", "М2.3"),
    on: date = date(2026, 9, 15),
    levels: dict[Block, Level] | None = None,
) -> Diagnostic:
    return Diagnostic(
        teacher_email=f"teacher{n}@school.ru",
        kind=DiagnosticKind.STANDARDIZED,
        date=on,
        levels=levels
        if levels is not None
        else {Block.SUBJECT: Level.LOW, Block.METHODICAL: Level.BASIC, Block.ICT: Level.ADVANCED},
        deficit_codes=codes,
        recommendations="пройти курсы ПК",
    )
