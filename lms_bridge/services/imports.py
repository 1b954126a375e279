"""Imports: store what the importers parsed, each file in one unit of work.

``lms_bridge.importers`` and ``course_map.loading`` only parse bytes into domain objects; storing them is
a use case over the ``RouteStore`` port and lives here (so the parsers need no port, and ``course_map``,
which reuses the table readers, never reaches the store through them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from course_map.models import CourseEntry, InternshipSite
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.errors import Problem, ValidationError
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
    warnings: Sequence[Problem] = ()  # stored rows to look at (a code missing from the codifier)


MAX_PROBLEMS = 1_000  # problems kept for the report; the rest are counted


@dataclass
class _Tally:
    source: str
    added: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0  # problems beyond MAX_PROBLEMS, counted only
    finals: list[str] = field(default_factory=list)  # routes given their final diagnostic
    warnings: list[Problem] = field(default_factory=list)

    def note(self, part: ParsedDiagnostics) -> None:
        self.source = part.source
        self.rejected += len(part.rejected)
        self.warnings.extend(part.warnings[: MAX_PROBLEMS - len(self.warnings)])
        room = MAX_PROBLEMS - len(self.problems)
        self.problems.extend(part.problems[:room])
        self.omitted += max(0, len(part.problems) - room)

    def reported(self) -> list[Problem]:
        kept = sorted(self.problems, key=lambda p: p.row or 0)
        if self.omitted:
            kept.append(Problem(f"и ещё {self.omitted} ошибок (показаны первые {MAX_PROBLEMS})"))
        return kept


def import_diagnostics(
    store: RouteStore,
    parsed: ParsedDiagnostics | Iterable[ParsedDiagnostics],
    *,
    partial: bool = False,
) -> ImportResult:
    """Store the parsed rows in one unit of work; any bad row rejects the whole file unless ``partial``.

    ``parsed`` is one parsed file or its batches (``importers.diagnostics.parse_batches``, which streams
    the file): each batch is stored as it comes, and a bad row in a later batch rolls back what the
    earlier ones stored, so memory stays flat and the file is still all or nothing. The problems kept
    for the report are capped at ``MAX_PROBLEMS``, with a count of the rest. A diagnostic of a teacher
    whose route is being implemented becomes that route's final diagnostic
    (``route_results.take_final_diagnostics``) in the same transaction.
    """
    tally = _Tally("")
    with store.transaction():
        for part in [parsed] if isinstance(parsed, ParsedDiagnostics) else parsed:
            tally.note(part)
            if part.rows and (partial or not tally.problems):
                saved = store.save_diagnostics(part.rows)
                tally.added, tally.unchanged = tally.added + saved.added, tally.unchanged + saved.unchanged
                tally.finals += take_final_diagnostics(store, [d for _, d in part.rows])
        if tally.problems and not partial:
            raise ValidationError(tally.reported(), source=tally.source)  # rolls the transaction back
    finals = tuple(dict.fromkeys(tally.finals))
    return ImportResult(
        tally.added, tally.unchanged, tally.rejected, tuple(tally.reported()), finals, tuple(tally.warnings)
    )


def import_curators(store: RouteStore, curators: Sequence[Curator]) -> int:
    """New curators are added, known ones (by e-mail) updated; returns how many were saved."""
    with store.transaction():
        return store.save_curators(curators)


def replace_course_map(store: RouteStore, entries: Sequence[CourseEntry], actor: Actor) -> None:
    """The whole catalogue replaced by ``entries`` (audited), or left as it was. An internship must name
    a site of the register (the parser checks it too, with the row; this holds for every caller)."""
    with store.transaction():
        sites = {s.code for s in store.list_sites()}
        unknown = [e for e in entries if e.internship_site and e.internship_site not in sites]
        if unknown:
            raise ValidationError(
                [
                    Problem(f"стажировочной площадки «{e.internship_site}» нет в реестре ({e.lms_course})")
                    for e in unknown
                ]
            )
        store.replace_course_map(entries, actor)


def replace_sites(store: RouteStore, sites: Sequence[InternshipSite], actor: Actor) -> None:
    """The register of internship sites replaced by ``sites`` (audited), or left as it was when a
    catalogue internship still names a site the new register drops."""
    with store.transaction():
        codes = {s.code for s in sites}
        orphans = [e for e in store.list_course_map() if e.internship_site and e.internship_site not in codes]
        if orphans:
            raise ValidationError(
                [
                    Problem(
                        f"площадку «{e.internship_site}» нельзя убрать: на ней стажировка каталога "
                        f"«{e.title}» "
                        f"({e.lms_course}); сначала уберите стажировку из каталога",
                        field="Код площадки",
                    )
                    for e in orphans
                ]
            )
        store.replace_sites(sites, actor)
