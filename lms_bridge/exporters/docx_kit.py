"""Small python-docx building blocks for printed forms: A4 page, plain black fonts, bordered tables.

python-docx has no API for a few things a form needs (theme fonts that override a style's font,
repeated header rows, cell shading, table-wide borders), so those touch the XML here and only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from lms_bridge.exporters.card_text import xml_safe

FONT = "Times New Roman"  # what regional forms are typed in; LibreOffice falls back to Liberation Serif
# Table paragraph styles by id. Cells name their style by id in the XML: python-docx's lookup by name
# scans every style each time, which made a card take a quarter of a second.
CELL_STYLE = "CardCell"
CELL_STYLE_NAME = "Ячейка таблицы"
DENSE_STYLE = "CardCellDense"  # the roadmap: six columns on a portrait page
WIDTH_CM = 18.0  # A4 less the 2 + 1 cm margins
BLACK = RGBColor(0, 0, 0)
Doc = Any  # docx.document.Document (untyped package)


def new_document(title: str, author: str) -> Doc:
    """An A4 portrait document with Russian-office margins and black Times New Roman styles."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Cm(2), Cm(1)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _restyle(doc.styles["Normal"], size=12)
    doc.styles["Normal"].paragraph_format.space_after = Pt(3)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 12)):
        style = doc.styles[name]
        _restyle(style, size=size, bold=True)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    cell = doc.styles.add_style(CELL_STYLE_NAME, WD_STYLE_TYPE.PARAGRAPH)
    cell.style_id = CELL_STYLE
    cell.base_style = doc.styles["Normal"]
    _restyle(cell, size=10)
    dense = doc.styles.add_style("Ячейка плотной таблицы", WD_STYLE_TYPE.PARAGRAPH)
    dense.style_id = DENSE_STYLE
    dense.base_style = cell
    _restyle(dense, size=9)
    cell.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.language = "ru-RU"
    return doc


def _restyle(style: Any, *, size: int, bold: bool | None = None) -> None:
    font = style.font
    font.name, font.size, font.color.rgb = FONT, Pt(size), BLACK
    if bold is not None:
        font.bold = bold
    # Built-in headings name theme fonts, which win over w:ascii; drop them so Times is used.
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:cs"), FONT)
    rfonts.set(qn("w:eastAsia"), FONT)
    border = style.element.pPr.find(qn("w:pBdr")) if style.element.pPr is not None else None
    if border is not None:  # the Title style underlines itself in blue
        style.element.pPr.remove(border)


def paragraph(
    doc: Doc,
    text: str = "",
    *,
    bold: bool = False,
    size: int | None = None,
    center: bool = False,
    indent_cm: float | None = None,
    before: float | None = None,
    after: float | None = None,
) -> Any:
    p = doc.add_paragraph()
    if text:
        run = p.add_run(xml_safe(text))
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
    fmt = p.paragraph_format
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent_cm is not None:
        fmt.left_indent = Cm(indent_cm)
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    return p


def labelled(doc: Doc, label: str, value: str) -> Any:
    """«Label: value» with the label in bold, as forms print a filled-in field."""
    p = doc.add_paragraph()
    p.add_run(f"{label}: ").bold = True
    p.add_run(xml_safe(value))
    return p


def table(
    doc: Doc, widths_cm: Sequence[float], header: Sequence[str] | None = None, *, style: str = CELL_STYLE
) -> Any:
    """A bordered table with fixed column widths; the header row is shaded, bold and repeats on
    every page the table runs onto."""
    t = doc.add_table(rows=0, cols=len(widths_cm))
    t._tbl.tblPr.style = "TableGrid"  # the template's «Table Grid», by id (see CELL_STYLE)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for col, w in zip(t.columns, widths_cm, strict=True):
        col.width = Cm(w)
    if header is not None:
        cells = add_row(t, header, bold=True, style=style)
        for c in cells:
            shade(c, "D9D9D9")
        tr_pr = t.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
    return t


def add_row(t: Any, values: Sequence[str], *, bold: bool = False, style: str = CELL_STYLE) -> list[Any]:
    """Append a row; ``\\n`` in a value starts a new paragraph inside the cell."""
    row = t.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row is not torn across pages
    for cell, value, col in zip(row.cells, values, t.columns, strict=True):
        cell.width = col.width  # Word reads widths from the cells, LibreOffice from the grid
        write(cell, value, bold=bold, style=style)
    return list(row.cells)


def write(cell: Any, text: str, *, bold: bool = False, italic: bool = False, style: str = CELL_STYLE) -> None:
    """Replace a cell's content with ``text`` (one paragraph per line) in a table style."""
    lines = xml_safe(text).split("\n") if text else [""]
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for run in list(first.runs):
        run._r.getparent().remove(run._r)
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p._p.get_or_add_pPr().style = style
        if line:
            run = p.add_run(line)
            run.bold = bold or None
            run.italic = italic or None


def add_line(cell: Any, text: str, *, style: str = CELL_STYLE) -> None:
    """One more paragraph at the end of a cell."""
    p = cell.add_paragraph(xml_safe(text))
    p._p.get_or_add_pPr().style = style


def shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def no_borders(t: Any) -> None:
    """Signature blocks and title fields are laid out in a table that prints without lines."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    t._tbl.tblPr.append(borders)


def border_bottom(cell: Any) -> None:
    """A single line under a cell: where a signature or a name is written by hand."""
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    cell._tc.get_or_add_tcPr().append(borders)


def footer(doc: Doc, text: str) -> None:
    """«text · стр. N из M» at the foot of every page but the title page."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.style = doc.styles[CELL_STYLE_NAME]
    p.add_run(f"{xml_safe(text)} · стр. ")
    _field(p, "PAGE")
    p.add_run(" из ")
    _field(p, "NUMPAGES")


def _field(p: Any, instr: str) -> None:
    """A Word field (page number, page count) the viewer fills in."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    field.append(run)
    p._p.append(field)


def page_break(doc: Doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
