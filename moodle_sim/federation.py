"""A simulated federation (issue 12): several simulated sites and the registry that matches them.

Each site's teachers are the simulator's synthetic teachers of that site (e-mail domain
``<site>.example.ru``, municipality = the site's name in the registry), each with a route of
``per_teacher`` formal items on the site's synthetic courses (``DPP-SYN-0001`` …, the same refs on every
site, with different ids: the course map names no sites, so every course lives everywhere), applications
confirmed, so attach → enrol → results has work at every site. Used by tests and ``benchmarks/federal.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from moodle_sim.multisite import SiteSpec


def sites_file(path: Path, base_url: str, specs: Sequence[SiteSpec], caps: dict[str, int]) -> Path:
    """The bridge's sites file for these simulated sites (tokens in ``SIM_TOKEN_<NAME>``)."""
    blocks = [
        f'[[site]]\nname = "{s.name}"\nurl = "{base_url}/{s.name}"\ntoken_env = "{token_env(s.name)}"\n'
        f'cap = {caps.get(s.name, 2)}\nmax_input_vars = {s.max_input_vars}\nmunicipalities = ["{s.name}"]\n'
        for s in specs
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def token_env(site: str) -> str:
    return f"SIM_TOKEN_{site.upper().replace('-', '_')}"


def seed_registry(db_url: str, specs: Sequence[SiteSpec], per_teacher: int = 3) -> int:
    """Routes for every simulated teacher of every site; the number of formal items."""
    from course_map.models import CourseEntry
    from lms_bridge.domain.people import Actor
    from lms_bridge.domain.vocabulary import Role
    from lms_bridge.storage.migrate import upgrade
    from lms_bridge.storage.store import make_engine
    from lms_bridge.storage.sync_store import SqlSyncStore
    from moodle_sim.seed import synthetic_course_count

    upgrade(db_url)
    store = SqlSyncStore(make_engine(db_url))
    most = max(synthetic_course_count(s.teachers) for s in specs)
    refs = [f"DPP-SYN-{i:04d}" for i in range(1, most + 1)]
    admin = Actor(Role.ADMIN, "federation")
    store.replace_course_map(
        [CourseEntry(r, f"Синтетический курс {r}", hours=36, pass_grade=60) for r in refs], admin
    )
    items = 0
    for index, spec in enumerate(specs):
        people, routes = _site_routes(index, spec, refs[: synthetic_course_count(spec.teachers)], per_teacher)
        items += sum(len(r.activities) for r in routes)
        store.save_diagnostics(people)
        store.add_routes(routes, admin)
    store.engine.dispose()
    return items


def _site_routes(
    index: int, spec: SiteSpec, refs: list[str], per_teacher: int
) -> tuple[list[Any], list[Any]]:
    from lms_bridge.domain.diagnostics import Diagnostic
    from lms_bridge.domain.people import Teacher
    from lms_bridge.domain.route import Activity, Route
    from lms_bridge.domain.vocabulary import ActivityCategory, Block, DiagnosticKind, Level, RouteStatus
    from moodle_sim.seed import synthetic_teachers

    people, routes = [], []
    for n, p in enumerate(synthetic_teachers(spec.teachers, spec.random_seed, spec.domain), start=1):
        t = Teacher(
            p.email.lower(), p.last_name, p.first_name, school=f"Школа № {n % 97}", municipality=spec.name
        )
        d = Diagnostic(
            t.email, DiagnosticKind.STANDARDIZED, date(2026, 9, 15), {Block.SUBJECT: Level.LOW}, ("П1.1",)
        )
        people.append((t, d))
        acts = tuple(
            Activity(
                key=str(k + 1),
                category=ActivityCategory.KNOWLEDGE,
                title=f"Курс {refs[(n + k) % len(refs)]}",
                start=date(2026, 10, 5),
                end=date(2026, 12, 25),
                lms_course=refs[(n + k) % len(refs)],
                head_confirmed_by="Руководитель",
                centre_confirmed_by="ЦНППМ",
            )
            for k in range(min(per_teacher, len(refs)))
        )
        number = f"{10 + index}-2026-{n:06d}"  # a region code per site: numbers stay unique
        routes.append(
            Route(
                number,
                t,
                d,
                status=RouteStatus.APPROVED,
                curator_email="ivan.petrov@example.com",
                activities=acts,
            )
        )
    return people, routes
