"""Whom an LMS platform may speak for (issue 10, item 6): pure, no I/O.

A platform's launch is believed about a person only inside the platform's scope, set when the
platform is registered (``lti add-platform --region | --school S | --municipality M``, or
``LMS_BRIDGE_LTI_PLATFORMS``): the whole region, or the listed schools and municipalities. So a
second platform (a municipality's Moodle) cannot claim a teacher, head or curator of another school
by sending their e-mail, and its Administrator role is an administrator of its scope only. A
platform registered with no scope speaks for nobody (its launches are refused with a message that
says how to set one). ЦНППМ staff (``LMS_BRIDGE_LTI_STAFF``) are named with their platform instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def _norm(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v.strip())


@dataclass(frozen=True)
class PlatformScope:
    """The whole region, or the teachers and heads of the listed schools and municipalities."""

    region: bool = False
    schools: frozenset[str] = frozenset()
    municipalities: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, *, region: bool = False, schools: Iterable[str] = (), municipalities: Iterable[str] = ()
    ) -> PlatformScope:
        return cls(region, _norm(schools), _norm(municipalities))

    @property
    def empty(self) -> bool:
        return not (self.region or self.schools or self.municipalities)

    def contains(self, school: str, municipality: str = "") -> bool:
        """Whether a person of this school (and municipality) belongs to the platform."""
        if self.region:
            return True
        return (bool(school) and school.strip() in self.schools) or (
            bool(municipality) and municipality.strip() in self.municipalities
        )

    def describe(self) -> str:
        """Russian, for ``lti platforms`` and messages."""
        if self.region:
            return "весь регион"
        parts = [f"ОО: {', '.join(sorted(self.schools))}"] if self.schools else []
        if self.municipalities:
            parts.append(f"муниципалитеты: {', '.join(sorted(self.municipalities))}")
        return "; ".join(parts) or "никто (область не задана)"


REGION = PlatformScope(region=True)
NOBODY = PlatformScope()
