"""Small hostile workbooks, written by hand (a few KB each), for the tests and for
``benchmarks/benchmark_hostile.py``: a value in a far cell, an ``.ods`` of huge repeats,
thousands of sheets, a register on a very hidden sheet."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

HEADER = ["Ref", "Title", "Directorate", "Type", "Financial year", "Planned", "Delivered",
          "Forecast", "RAG", "Owner", "Mitigation", "Note"]  # fmt: skip
ROW = ["R1", "Saving 1", "Adults", "Tactical", "2021-22", 100, 40, 90, "G", "Head", "", ""]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _cell(ref: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list], extra: str = "") -> str:
    """A worksheet of ``rows`` from A1, then ``extra`` (more ``<row>`` elements) in sheetData."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(_cell(f"{get_column_letter(c)}{r}", v) for c, v in enumerate(values, start=1))
        + "</row>"
        for r, values in enumerate(rows, start=1)
    )
    return f'<worksheet xmlns="{_MAIN}"><sheetData>{body}{extra}</sheetData></worksheet>'


def write_xlsx(path: Path, sheets: list[tuple[str, str, str]]) -> Path:
    """An .xlsx of ``(name, state, worksheet XML)`` sheets (state: visible, hidden,
    veryHidden), compressed."""
    entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"'
        + (f' state="{state}"' if state != "visible" else "")
        + "/>"
        for i, (name, state, _xml) in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{entries}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}">{rels}</Relationships>'
        )
        for i, (_name, _state, xml) in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return path


def far_cell_xlsx(path: Path, ref: str, value="x") -> Path:
    """A good one-saving register with one more value at ``ref`` (e.g. ``XFD1048576``)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    extra = f'<row r="{row}">{_cell(ref, value)}</row>'
    return write_xlsx(path, [("Tracker", "visible", sheet_xml([HEADER, ROW], extra))])


def many_sheets_xlsx(path: Path, count: int) -> Path:
    """A register on the first sheet and ``count - 1`` small sheets after it."""
    small = sheet_xml([["note"]])
    sheets = [("Tracker", "visible", sheet_xml([HEADER, ROW]))]
    sheets += [(f"S{i}", "visible", small) for i in range(2, count + 1)]
    return write_xlsx(path, sheets)


def very_hidden_xlsx(path: Path, state: str = "veryHidden") -> Path:
    """A visible cover sheet with no register, and the register on a sheet of ``state``."""
    return write_xlsx(
        path,
        [
            ("Cover", "visible", sheet_xml([["Savings tracker"], ["See the register"]])),
            ("Register", state, sheet_xml([HEADER, ROW])),
        ],
    )


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_cell(value) -> str:
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if value in (None, ""):
        return "<table:table-cell/>"
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def write_ods(path: Path, rows: list[list], extra: str = "", name: str = "Tracker") -> Path:
    """An .ods of one sheet: ``rows`` from A1, then ``extra`` (more ``table:table-row``s)."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in values) + "</table:table-row>"
        for values in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f"<table:table table:name={quoteattr(name)}>{body}{extra}</table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def repeated_ods(path: Path, rows: int = 1_048_000, columns: int = 16_000) -> Path:
    """A register, then one valued cell repeated ``columns`` times across a row that is
    repeated ``rows`` times: a few KB that a reader expands to rows x columns values."""
    extra = (
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )
    return write_ods(path, [HEADER, ROW], extra)


def formatted_ods(path: Path) -> Path:
    """A register followed by the empty, formatted rows LibreOffice writes to the sheet's end
    (a million repeated rows of 1,024 repeated empty cells): read as the two rows it holds."""
    extra = (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    return write_ods(path, [HEADER, ROW], extra)
