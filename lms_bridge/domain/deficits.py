"""How deep a teacher's deficits are (003 §4.2.2, §4.4.2: высокий / средний / низкий).

The regulations name the three grades but no rule to derive them: the diagnostic states the grade (a
column of the diagnostics file), or the region's profile states a rule (``DeficitRule``). ``LEGACY_RULE``
is the rule lms-bridge used before profiles existed; it is in no seed, and the Chelyabinsk profile
states it explicitly. It also grades diagnostics stored before the grade was kept with them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from lms_bridge.domain.vocabulary import DeficitLevel, Level


@dataclass(frozen=True)
class DeficitRule:
    """High when any block is at one of ``high_levels`` or there are ``high_codes`` codes or more;
    medium likewise with ``medium_levels`` / ``medium_codes``; low otherwise."""

    high_levels: frozenset[Level] = frozenset()
    high_codes: int | None = None
    medium_levels: frozenset[Level] = frozenset()
    medium_codes: int | None = None

    def level_of(self, levels: Iterable[Level], codes: Collection[str]) -> DeficitLevel:
        present = set(levels)
        if present & self.high_levels or (self.high_codes is not None and len(codes) >= self.high_codes):
            return DeficitLevel.HIGH
        if present & self.medium_levels or (
            self.medium_codes is not None and len(codes) >= self.medium_codes
        ):
            return DeficitLevel.MEDIUM
        return DeficitLevel.LOW


LEGACY_RULE = DeficitRule(
    high_levels=frozenset({Level.LOW}),
    high_codes=5,
    medium_levels=frozenset({Level.BASIC}),
    medium_codes=2,
)
