"""Exporters benchmark: route cards (DOCX, XML, JSON), the registry (CSV, XLSX) and the summary report.

Prints wall and CPU seconds and items per CPU second for each; asserts nothing.
Works on in-memory routes (no database), so it measures the exporters alone.

    python benchmarks/exporters.py           # 200 cards, a registry and report of 30,000 routes
    python benchmarks/exporters.py 50 5000   # cards, routes
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms_bridge.domain.vocabulary import RouteStatus  # noqa: E402
from lms_bridge.exporters.docx_card import route_card_docx  # noqa: E402
from lms_bridge.exporters.json_card import route_summary, route_to_dict  # noqa: E402
from lms_bridge.exporters.registry import registry_csv, registry_xlsx  # noqa: E402
from lms_bridge.exporters.xml_card import route_to_xml  # noqa: E402
from lms_bridge.services.reports import summarise  # noqa: E402
from tests.exporters.sample import ISSUER, full_route  # noqa: E402

TODAY = date(2026, 11, 22)
STATUSES = list(RouteStatus)


def timed(label: str, count: int, work: Callable[[], object]) -> None:
    """Wall time and this process's CPU time (the machine is shared: wall time alone is noisy)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<26} {count:>7} in {wall:6.2f} s wall, {cpu:6.2f} s CPU ({count / cpu:8.0f} /s of CPU)")


def main(cards: int = 200, routes: int = 30_000) -> None:
    base = full_route()
    many = [
        replace(
            base,
            number=f"74-2026-{n:06d}",
            status=STATUSES[n % len(STATUSES)],
            teacher=replace(base.teacher, email=f"t{n}@school.ru", school=f"МОУ «СОШ № {n % 300}»"),
        )
        for n in range(1, routes + 1)
    ]
    sample = many[:cards]
    timed("card DOCX", cards, lambda: [route_card_docx(r, ISSUER) for r in sample])
    timed("card XML", cards, lambda: [route_to_xml(r) for r in sample])
    timed("card JSON", cards, lambda: [json.dumps(route_to_dict(r), ensure_ascii=False) for r in sample])
    rows = [route_summary(r, TODAY) for r in many]
    timed("registry CSV", routes, lambda: registry_csv(rows))
    timed("registry XLSX", routes, lambda: registry_xlsx(rows))
    timed("summary report by school", routes, lambda: summarise(many, by="school"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cards", type=int, nargs="?", default=200, help="DOCX/XML/JSON cards to export")
    parser.add_argument("routes", type=int, nargs="?", default=30_000, help="routes in registry and report")
    args = parser.parse_args()
    main(args.cards, args.routes)
