"""Regenerate examples/diagnostics.xlsx and examples/diagnostics.xml from examples/diagnostics.csv, and
examples/codifier.xlsx from examples/codifier.csv.

Run with the project installed: ``.venv/bin/python examples/make_examples.py``. The three files
then hold the same rows, so each import format can be tried on the same data (and the tests check they read the same).
"""

from __future__ import annotations

import csv
from pathlib import Path

from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Font

from lms_bridge.importers.xml_reader import SCALARS

HERE = Path(__file__).resolve().parent
LEVEL_PREFIX = "level_"


def read_rows() -> tuple[list[str], list[dict[str, str]]]:
    with (HERE / "diagnostics.csv").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_xlsx(header: list[str], rows: list[dict[str, str]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Диагностика"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row[h] for h in header])
    ws.freeze_panes = "A2"
    wb.save(HERE / "diagnostics.xlsx")


def write_xml(rows: list[dict[str, str]]) -> None:
    root = etree.Element("diagnostics", version="1")
    for row in rows:
        el = etree.SubElement(root, "diagnostic")
        for key in SCALARS:
            if row[key]:
                etree.SubElement(el, key).text = row[key]
        levels = {k[len(LEVEL_PREFIX) :]: v for k, v in row.items() if k.startswith(LEVEL_PREFIX) and v}
        if levels:
            lv = etree.SubElement(el, "levels")
            for block, level in levels.items():
                etree.SubElement(lv, block).text = level
        codes = [c.strip() for c in row["deficit_codes"].split(";") if c.strip()]
        if codes:
            cs = etree.SubElement(el, "deficit_codes")
            for code in codes:
                etree.SubElement(cs, "code").text = code
        if row["recommendations"]:
            etree.SubElement(el, "recommendations").text = row["recommendations"]
    tree = etree.ElementTree(root)
    tree.write(str(HERE / "diagnostics.xml"), encoding="UTF-8", xml_declaration=True, pretty_print=True)


def write_codifier_xlsx() -> None:
    """examples/codifier.xlsx: the same codifier as codifier.csv, for the XLSX import."""
    with (HERE / "codifier.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Кодификатор"
    for line in table:
        ws.append(line)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wb.save(HERE / "codifier.xlsx")


def main() -> None:
    header, rows = read_rows()
    write_xlsx(header, rows)
    write_xml(rows)
    write_codifier_xlsx()
    print(f"{len(rows)} rows → diagnostics.xlsx, diagnostics.xml; codifier.csv → codifier.xlsx")


if __name__ == "__main__":
    main()
