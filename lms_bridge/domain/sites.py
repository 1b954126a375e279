"""LMS sites (issue 12, §1): which Moodle site a teacher and a course belong to. Pure, no I/O.

A federation or a large region runs several Moodle sites (regional, municipal). Each site serves
the teachers of the schools and municipalities it names, or the teachers named explicitly; at most
one site is the ``default`` and serves everybody no other site claims. Precedence: an explicit
e-mail, then the school, then the municipality, then the default site. With no sites file there is
one site, ``default``, built from ``LMS_BRIDGE_MOODLE_URL``, serving everybody (as before).

A course map row may name the sites where the course lives (``sites`` column); a row naming none
lives on every site. A teacher is enrolled on their own site only: an item whose course does not
live there is reported (``notonsite``), never sent to another site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lms_bridge.domain.platforms import PlatformScope

DEFAULT_SITE = "default"


def _norm(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v.strip())


@dataclass(frozen=True)
class LmsSite:
    """One Moodle site as the registry knows it (the token itself lives in the environment or a file)."""

    name: str
    url: str
    token_env: str = ""  # the environment variable holding the web-service token
    token_file: str = ""  # or a file holding it (a systemd credential, a Docker/Kubernetes secret)
    max_input_vars: int = 1000
    timezone: str = "Asia/Yekaterinburg"
    cap: int = 4  # concurrent web-service calls this site takes, from all workers together
    schools: frozenset[str] = frozenset()
    municipalities: frozenset[str] = frozenset()
    teachers: frozenset[str] = frozenset()  # explicit e-mails (lower case)
    default: bool = False

    @property
    def scope(self) -> PlatformScope:
        """Whom an LTI platform of this site speaks for: its schools and municipalities (the default
        site with none: the whole region)."""
        if self.default and not (self.schools or self.municipalities):
            return PlatformScope(region=True)
        return PlatformScope.of(schools=self.schools, municipalities=self.municipalities)

    def describe(self) -> str:
        """Russian, for ``lms sites``."""
        parts = []
        if self.schools:
            parts.append(f"ОО: {', '.join(sorted(self.schools))}")
        if self.municipalities:
            parts.append(f"муниципалитеты: {', '.join(sorted(self.municipalities))}")
        if self.teachers:
            parts.append(f"педагогов поимённо: {len(self.teachers)}")
        if self.default:
            parts.append("все остальные (сайт по умолчанию)")
        return "; ".join(parts) or "никто"


class SiteDirectory:
    """The sites, and the rule that puts a teacher on one of them."""

    def __init__(self, sites: Sequence[LmsSite]):
        self.sites: dict[str, LmsSite] = {s.name: s for s in sites}
        self._by_email: dict[str, str] = {}
        self._by_school: dict[str, str] = {}
        self._by_municipality: dict[str, str] = {}
        for s in sites:
            self._by_email.update((e.lower(), s.name) for e in s.teachers)
            self._by_school.update((x, s.name) for x in s.schools)
            self._by_municipality.update((x, s.name) for x in s.municipalities)
        defaults = [s.name for s in sites if s.default]
        self.default = defaults[0] if defaults else (sites[0].name if len(sites) == 1 else None)

    @property
    def names(self) -> list[str]:
        return list(self.sites)

    def site_for(self, email: str, school: str = "", municipality: str = "") -> str | None:
        """The site serving this teacher, or None when no site does (reported, never guessed)."""
        return (
            self._by_email.get(email.lower())
            or self._by_school.get(school.strip())
            or self._by_municipality.get(municipality.strip())
            or self.default
        )

    def sites_of(self, places: Mapping[str, tuple[str, str]]) -> dict[str, str | None]:
        """E-mail → site for every teacher in ``places`` (e-mail → (school, municipality))."""
        return {email: self.site_for(email, *place) for email, place in places.items()}


def course_on_site(course_sites: Sequence[str], site: str) -> bool:
    """Whether a course whose map row names ``course_sites`` lives on ``site`` (none named: everywhere)."""
    return not course_sites or site in course_sites
