"""The curator rule each profile names: 003 §4.4.2 as written (seed), the old ladder, 004's methodist."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lms_bridge.domain.curators import choose_curator
from lms_bridge.domain.people import Curator
from lms_bridge.domain.vocabulary import CuratorKind, DeficitLevel, RouteModel
from tests.conftest import make_diagnostic, make_teacher

TEACHER = make_teacher(school="МБОУ «СШ № 7»", subject="математика")
METHODIST = Curator("m@c.ru", "Методист", CuratorKind.METHODIST)
LECTURER = Curator("l@c.ru", "Преподаватель", CuratorKind.LECTURER, subject="Математика")
OTHER_LECTURER = Curator("o@c.ru", "Преподаватель физики", CuratorKind.LECTURER, subject="физика")
UNION_HEAD = Curator("u@c.ru", "Руководитель ШМО", CuratorKind.UNION_HEAD, school="МБОУ «СШ № 7»")
MENTOR = Curator("n@c.ru", "Наставник", CuratorKind.MENTOR, school="МБОУ «СШ № 7»")
ALL = [METHODIST, LECTURER, OTHER_LECTURER, UNION_HEAD, MENTOR]


def _diag(grade: DeficitLevel, model: RouteModel = RouteModel.DIAGNOSTIC):  # type: ignore[no-untyped-def]
    return replace(make_diagnostic(), stated_deficit_level=grade, route_model=model)


@pytest.mark.parametrize(
    ("grade", "model", "pool", "expected"),
    [
        (DeficitLevel.HIGH, RouteModel.DIAGNOSTIC, ALL, METHODIST),
        (DeficitLevel.MEDIUM, RouteModel.DIAGNOSTIC, ALL, LECTURER),
        (DeficitLevel.LOW, RouteModel.DIAGNOSTIC, ALL, LECTURER),
        (DeficitLevel.HIGH, RouteModel.POST_COURSE, [METHODIST, UNION_HEAD], UNION_HEAD),
        (DeficitLevel.LOW, RouteModel.MENTORING, ALL, MENTOR),
        (DeficitLevel.LOW, RouteModel.MENTORING, [METHODIST, LECTURER], METHODIST),  # no mentor at school
        # 003 §4.4.2 names no one else: the route waits for the developer to assign a curator
        (DeficitLevel.HIGH, RouteModel.DIAGNOSTIC, [LECTURER, MENTOR], None),
        (DeficitLevel.LOW, RouteModel.DIAGNOSTIC, [METHODIST, OTHER_LECTURER], None),
    ],
)
def test_the_seed_rule_as_003_writes_it(
    grade: DeficitLevel, model: RouteModel, pool: list[Curator], expected: Curator | None
) -> None:
    assert choose_curator(TEACHER, _diag(grade, model), pool, {}, "seed") == expected


def test_the_ladder_falls_back_to_whoever_is_registered() -> None:
    assert choose_curator(TEACHER, _diag(DeficitLevel.HIGH), [LECTURER, MENTOR], {}, "ladder") == LECTURER
    assert choose_curator(TEACHER, _diag(DeficitLevel.LOW), [METHODIST, MENTOR], {}, "ladder") == METHODIST


def test_bashkortostan_gives_every_route_a_methodist_least_loaded_first() -> None:
    other = Curator("m2@c.ru", "Другой методист", CuratorKind.METHODIST)
    load = {METHODIST.email: 3, other.email: 1}
    assert choose_curator(TEACHER, _diag(DeficitLevel.LOW), [*ALL, other], load, "methodist") == other
    assert choose_curator(TEACHER, _diag(DeficitLevel.LOW), [LECTURER], {}, "methodist") is None
