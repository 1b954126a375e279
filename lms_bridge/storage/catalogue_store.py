"""The catalogue's own tables: the register of internship sites (003 App. 4).

Functions over an open connection of the registry's unit of work; ``SqlRouteStore`` exposes them as
``replace_sites`` / ``list_sites`` (the ``RouteStore`` port). The catalogue's activities stay in the
``course_map`` table (``SqlRouteStore.replace_course_map``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from course_map.models import InternshipSite
from lms_bridge.storage import codec
from lms_bridge.storage.tables import internship_sites


def replace_sites(c: Connection, sites: Sequence[InternshipSite]) -> None:
    c.execute(delete(internship_sites))
    if sites:
        c.execute(insert(internship_sites), [codec.site_row(s) for s in sites])


def list_sites(c: Connection) -> list[InternshipSite]:
    q = select(internship_sites).order_by(internship_sites.c.code)
    return [codec.site_from(r) for r in c.execute(q).mappings()]
