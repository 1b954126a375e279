"""A diagnostic result of one person: kind, date, level per block, deficit codes (003 §5.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from lms_bridge.domain.vocabulary import Block, DeficitLevel, DiagnosticKind, Level


@dataclass(frozen=True)
class Diagnostic:
    teacher_email: str
    kind: DiagnosticKind
    date: date
    levels: Mapping[Block, Level] = field(default_factory=dict)
    deficit_codes: tuple[str, ...] = ()
    recommendations: str = ""

    def low_blocks(self) -> list[Block]:
        """Assessed blocks ordered from the lowest level up (routes start from low competencies, 002)."""
        return sorted(self.levels, key=lambda b: self.levels[b].rank)

    @property
    def deficit_level(self) -> DeficitLevel:
        """Depth of the deficits, which decides the curator (003 §4.4.2).

        The regulations name the three grades but not the rule; ours: any block at «низкий»
        or five and more deficit codes is a high deficit level, any block at «базовый» or
        two and more codes is medium, anything else low.
        """
        ranks = [lv.rank for lv in self.levels.values()]
        if (ranks and min(ranks) == Level.LOW.rank) or len(self.deficit_codes) >= 5:
            return DeficitLevel.HIGH
        if (ranks and min(ranks) == Level.BASIC.rank) or len(self.deficit_codes) >= 2:
            return DeficitLevel.MEDIUM
        return DeficitLevel.LOW
