"""``SqlCatalogueRepository``: the catalogue's own table, the register of internship sites (003 App. 4).

The catalogue's activities stay in the ``course_map`` table (``SqlPeopleRepository``); ``SqlRouteStore``
exposes the register as ``replace_sites`` / ``list_sites`` (the ``RouteStore`` port).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from course_map.models import InternshipSite
from lms_bridge.storage import codec
from lms_bridge.storage.tables import internship_sites


class SqlCatalogueRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def replace_sites(self, sites: Sequence[InternshipSite]) -> None:
        self._c.execute(delete(internship_sites))
        if sites:
            self._c.execute(insert(internship_sites), [codec.site_row(s) for s in sites])

    def list_sites(self) -> list[InternshipSite]:
        q = select(internship_sites).order_by(internship_sites.c.code)
        return [codec.site_from(r) for r in self._c.execute(q).mappings()]
