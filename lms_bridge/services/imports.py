"""Imports: store what the importers parsed, each file in one unit of work.

``lms_bridge.importers`` and ``course_map.loading`` only parse bytes into domain objects; storing them is
a use case over the ``RouteStore`` port and lives here (so the parsers need no port, and ``course_map``,
which reuses the table readers, never reaches the store through them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course_map.models import CourseEntry
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.errors import Problem
from lms_bridge.importers.diagnostics import ParsedDiagnostics
from lms_bridge.ports import RouteStore
from lms_bridge.services.route_results import take_final_diagnostics


@dataclass(frozen=True)
class ImportResult:
    added: int
    unchanged: int
    rejected: int  # rows not stored (only with partial=True; otherwise the import raises)
    problems: Sequence[Problem] = ()
    finals: Sequence[str] = ()  # routes whose final diagnostic this import gave (re-diagnostics)


def import_diagnostics(
    store: RouteStore, parsed: ParsedDiagnostics, *, partial: bool = False
) -> ImportResult:
    """Store the parsed rows in one unit of work; any bad row rejects the whole file unless ``partial``.

    A diagnostic of a teacher whose route is being implemented becomes that route's final diagnostic
    (``route_results.take_final_diagnostics``) in the same transaction.
    """
    if parsed.problems and not partial:
        raise parsed.error()
    finals: list[str] = []
    with store.transaction():
        saved = store.save_diagnostics(parsed.rows) if parsed.rows else None
        if parsed.rows:
            finals = take_final_diagnostics(store, [d for _, d in parsed.rows])
    return ImportResult(
        added=saved.added if saved else 0,
        unchanged=saved.unchanged if saved else 0,
        rejected=len(parsed.rejected),
        problems=tuple(parsed.problems),
        finals=tuple(finals),
    )


def import_curators(store: RouteStore, curators: Sequence[Curator]) -> int:
    """New curators are added, known ones (by e-mail) updated; returns how many were saved."""
    with store.transaction():
        return store.save_curators(curators)


def replace_course_map(store: RouteStore, entries: Sequence[CourseEntry], actor: Actor) -> None:
    """The whole course map replaced by ``entries`` (audited), or left as it was."""
    with store.transaction():
        store.replace_course_map(entries, actor)
