"""The reflective-analytical stage of a route (002; 003 §4.5; 004 stage 4; 001 stage 4): the final
diagnostics, the curator's conclusions, the teacher's educational product and reflection.

Final diagnostics come first of all from a real re-diagnostic: a diagnostic imported for a teacher
whose route is being implemented (in progress or prolonged) becomes the route's final diagnostic —
kind, date, levels per block and the deficit codes left — unless it is older than the route's start.
The latest such diagnostic wins. Only when no re-diagnostic was imported may the curator enter the
final levels by hand (``final_source`` «curator», shown as such on the card).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.limits import checked_text
from lms_bridge.domain.people import Actor
from lms_bridge.domain.results import REFLECTION_QUESTIONS, Product, Reflection
from lms_bridge.domain.route import Route
from lms_bridge.domain.signatures import renew_conclusion_signatures
from lms_bridge.domain.vocabulary import Block, DiagnosticKind, Level, Role, RouteStatus
from lms_bridge.errors import PermissionDenied, WorkflowError

IMPLEMENTING = frozenset({RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED})
RESULT_STATES = frozenset({RouteStatus.APPROVED, RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED})
AUTHORS = frozenset({Role.TEACHER, Role.ADMIN})  # the product and the reflection are the teacher's own


def route_start(route: Route) -> date | None:
    """When the route began: the actual start when recorded, else the planned one."""
    return route.started_on or route.start


def takes_as_final(route: Route, diagnostic: Diagnostic) -> bool:
    """Whether an imported diagnostic is this route's final diagnostic (the rules in the docstring)."""
    if route.status not in IMPLEMENTING or diagnostic.teacher_email != route.teacher.email:
        return False
    if diagnostic.date <= route.diagnostic.date:
        return False
    begin = route_start(route)
    if begin is not None and diagnostic.date < begin:
        return False
    # an older re-diagnostic does not replace a later one
    taken_on = route.final_diagnostic_on if route.final_source == "import" else None
    return taken_on is None or diagnostic.date >= taken_on


def apply_final_diagnostic(route: Route, diagnostic: Diagnostic) -> Route:
    """The route with ``diagnostic`` as its final diagnostic (check ``takes_as_final`` first).
    Acknowledgements of conclusions written on another final diagnostic are withdrawn (signatures)."""
    taken = replace(
        route,
        final_levels=dict(diagnostic.levels),
        final_diagnostic_on=diagnostic.date,
        final_kind=diagnostic.kind,
        final_codes=tuple(diagnostic.deficit_codes),
        final_source="import",
    )
    return renew_conclusion_signatures(route, taken)


def enter_final_levels(
    route: Route,
    actor: Actor,
    *,
    levels: Mapping[Block, Level],
    on: date,
    kind: DiagnosticKind = DiagnosticKind.EXPERT,
    codes: tuple[str, ...] | None = None,
) -> Route:
    """The curator enters final levels by hand — only while no re-diagnostic has been imported."""
    _require_curator(actor, "итоговые уровни вносит куратор")
    if route.status not in IMPLEMENTING:
        raise WorkflowError(
            f"маршрут {route.number} в статусе «{route.status.label}»: итоговая диагностика не вносится"
        )
    if route.final_source == "import":
        raise WorkflowError(
            f"итоговая диагностика маршрута {route.number} уже загружена "
            f"({route.final_diagnostic_on:%d.%m.%Y}); вручную она не меняется"
        )
    if not levels:
        raise WorkflowError("укажите итоговый уровень хотя бы одного блока компетенций")
    begin = route_start(route)
    if begin is not None and on < begin:
        raise WorkflowError(
            f"дата итоговой диагностики {on:%d.%m.%Y} раньше начала маршрута {begin:%d.%m.%Y}"
        )
    return replace(
        route,
        final_levels=dict(levels),
        final_diagnostic_on=on,
        final_kind=kind,
        final_codes=codes,
        final_source="curator",
    )


def write_conclusion(
    route: Route,
    actor: Actor,
    *,
    conclusion: str,
    on: date,
    final_levels: Mapping[Block, Level] | None = None,
    next_diagnostic_on: date | None = None,
) -> Route:
    """The curator's conclusions (003 §4.5.3); ``final_levels`` enters final levels by hand at the same
    time (``enter_final_levels``) when no re-diagnostic was imported — levels equal to the route's
    (the page sends them back as shown, imported ones included) change nothing. ``next_diagnostic_on``
    overrides the date set at drafting. Changed conclusions are acknowledged anew
    (``signatures.renew_conclusion_signatures``)."""
    _require_curator(actor, "выводы по маршруту вносит куратор")
    if route.status not in IMPLEMENTING:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}»: выводы не вносятся")
    conclusion = checked_text("conclusion", conclusion)
    if not conclusion:
        raise WorkflowError("выводы не могут быть пустыми")
    written = route
    if final_levels and dict(final_levels) != dict(route.final_levels):
        written = enter_final_levels(route, actor, levels=final_levels, on=on)
    written = replace(
        written, conclusion=conclusion, next_diagnostic_on=next_diagnostic_on or route.next_diagnostic_on
    )
    return renew_conclusion_signatures(route, written)


def set_product(route: Route, actor: Actor, product: Product) -> Route:
    """The teacher enters (or replaces) the educational product (004 §1.2)."""
    _require_teacher(route, actor, "образовательный продукт вносит педагог")
    product = replace(
        product,
        title=checked_text("product_title", product.title),
        description=checked_text("product_description", product.description),
        link=checked_text("product_link", product.link),
    )
    if not product.title:
        raise WorkflowError("укажите название образовательного продукта")
    if not (product.link.strip() or product.file):
        raise WorkflowError("приложите файл образовательного продукта или укажите ссылку на него")
    return replace(route, product=product)


def set_reflection(route: Route, actor: Actor, reflection: Reflection) -> Route:
    """The teacher writes (or rewrites) the self-analysis (003 §4.5.2, 004 stage 4)."""
    _require_teacher(route, actor, "рефлексию (самоанализ) пишет педагог")
    answers = {
        key: checked_text("reflection_answer", getattr(reflection, key)) for key, _ in REFLECTION_QUESTIONS
    }
    reflection = Reflection(**answers, written_on=reflection.written_on)
    if reflection.empty:
        raise WorkflowError("ответьте хотя бы на один вопрос самоанализа")
    return replace(route, reflection=reflection)


def _require_curator(actor: Actor, message: str) -> None:
    if actor.role not in (Role.CURATOR, Role.ADMIN):
        raise PermissionDenied(message)


def _require_teacher(route: Route, actor: Actor, message: str) -> None:
    if actor.role not in AUTHORS:
        raise PermissionDenied(message)
    if route.status not in RESULT_STATES:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}» не изменяется")
