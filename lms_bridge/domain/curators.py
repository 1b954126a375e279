"""Choosing a curator, by the rule the region's profile names (docs/profiles.md).

``seed`` — 003 §4.4.2 as the order writes it, by the route model (003 §2.3):
- by the diagnostic: high deficit level → a regional methodist; medium or low → a lecturer of the
  teacher's profile (subject);
- post-course support: a lecturer of the profile, or the head of the school's methodical union;
- within a mentoring programme: a mentor of the school where there is one, else a regional methodist.
Nobody else: when no curator of the named kinds is registered, the route waits for one (the developer
assigns a curator by hand).

``ladder`` — lms-bridge's rule before profiles (in no seed): 003 §4.4.2's first line, then whoever is
registered: methodists, lecturers of the subject, the school's methodical union head or mentor.

``methodist`` — 004: a regional methodist leads every route (a tutor is the second curator, assigned by
the centre).

Among the candidates of the chosen kind the least loaded wins (ties: by name), so load spreads evenly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Curator, Teacher
from lms_bridge.domain.vocabulary import CuratorKind, DeficitLevel, RouteModel

CURATOR_RULES = ("seed", "ladder", "methodist")


def _groups(teacher: Teacher, curators: Sequence[Curator]) -> dict[CuratorKind, list[Curator]]:
    subject = teacher.subject.strip().lower()
    out: dict[CuratorKind, list[Curator]] = {k: [] for k in CuratorKind}
    for c in curators:
        if c.kind is CuratorKind.LECTURER and c.subject.strip().lower() != subject:
            continue
        if c.kind in (CuratorKind.UNION_HEAD, CuratorKind.MENTOR) and c.school != teacher.school:
            continue
        out[c.kind].append(c)
    return out


def _order(diagnostic: Diagnostic, rule: str) -> list[tuple[CuratorKind, ...]]:
    """The kinds to look for, in turn; the kinds of one step are equally good."""
    k = CuratorKind
    high = diagnostic.deficit_level is DeficitLevel.HIGH
    if rule == "methodist":
        return [(k.METHODIST,)]
    if rule == "ladder":
        first = [(k.METHODIST,), (k.LECTURER,)] if high else [(k.LECTURER,), (k.METHODIST,)]
        return [*first, (k.UNION_HEAD, k.MENTOR)]
    model = diagnostic.route_model
    if model is RouteModel.POST_COURSE:
        return [(k.LECTURER, k.UNION_HEAD)]
    if model is RouteModel.MENTORING:
        return [
            (k.MENTOR,),
            (k.METHODIST,),
        ]  # «педагог-наставник … (при наличии), либо региональный методист»
    return [(k.METHODIST,)] if high else [(k.LECTURER,)]


def choose_curator(
    teacher: Teacher,
    diagnostic: Diagnostic,
    curators: Sequence[Curator],
    load: Mapping[str, int],
    rule: str = "ladder",
) -> Curator | None:
    groups = _groups(teacher, curators)
    for kinds in _order(diagnostic, rule):
        group = [c for kind in kinds for c in groups[kind]]
        if group:
            return min(group, key=lambda c: (load.get(c.email, 0), c.full_name))
    return None
