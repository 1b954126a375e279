"""A diagnostic result of one person: kind, date, level per block, deficit codes (003 §5.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from lms_bridge.domain.deficits import LEGACY_RULE
from lms_bridge.domain.vocabulary import Block, DeficitLevel, DiagnosticKind, Level, RouteModel


@dataclass(frozen=True)
class Diagnostic:
    teacher_email: str
    kind: DiagnosticKind
    date: date
    levels: Mapping[Block, Level] = field(default_factory=dict)
    deficit_codes: tuple[str, ...] = ()
    recommendations: str = ""
    stated_deficit_level: DeficitLevel | None = None  # as the file gave it, or the profile's rule set it
    route_model: RouteModel = RouteModel.DIAGNOSTIC  # 003 §2.3

    def low_blocks(self) -> list[Block]:
        """Assessed blocks ordered from the lowest level up (routes start from low competencies, 002)."""
        return sorted(self.levels, key=lambda b: self.levels[b].rank)

    @property
    def deficit_level(self) -> DeficitLevel:
        """Depth of the deficits, which decides the curator (003 §4.4.2): the grade stored with the
        diagnostic; for one stored without it, the rule lms-bridge used before (``deficits.LEGACY_RULE``)."""
        if self.stated_deficit_level is not None:
            return self.stated_deficit_level
        return LEGACY_RULE.level_of(self.levels.values(), self.deficit_codes)
