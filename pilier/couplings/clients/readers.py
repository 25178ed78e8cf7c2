"""A client export (CSV or XLSX) → its header and its rows of text, whatever the management software.

- XLSX is recognised by its content (a zip holding xl/workbook.xml), whatever the file's name; the first
  sheet is read (openpyxl, read-only), dates given as such.
- CSV: UTF-8 with or without BOM, or Windows-1252 (detected: a file that is not all UTF-8 but holds more
  UTF-8 characters than other bytes above 127 is UTF-8 with a bad byte, refused with its line rather than
  read as "MÃ¼ller"); `;`, `,` or tab separated (the one the header row holds most of).
- The header row is the first row that is not empty. A file that cannot be read is refused whole
  (FileRefused, the reason in the user's language).

Client exports are a few megabytes at most (20,000 lines ≈ 3 MB): the file is read whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from pilier.couplings.jobs import FileRefused

MAX_COLUMNS = 200

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ASCII = bytes(range(128))


class UnreadableFile(FileRefused):
    """The whole file is refused; the message says why, in the user's language."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line in the file, its cells as text), empty rows left out
    kind: str  # "csv" or "xlsx"


def read_table(stream: IO[bytes]) -> Table:
    stream.seek(0)
    raw = stream.read()
    if not raw.strip():
        raise UnreadableFile(_("The file is empty."))
    if raw[:4] == b"PK\x03\x04":
        return _xlsx(raw)
    return _csv(_decode(raw))


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:65536]:
        raise UnreadableFile(_("The file is neither a CSV text nor an Excel (XLSX) workbook."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if raw.startswith(codecs.BOM_UTF8):  # says it is UTF-8
        raise _not_utf8(_line_of(raw, utf8_error.start))
    high = len(raw.translate(None, _ASCII))
    in_utf8 = sum(map(len, _UTF8_SEQUENCE.findall(raw)))
    if in_utf8 and in_utf8 >= high - in_utf8:
        raise _not_utf8(_line_of(raw, utf8_error.start))
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("Line %(line)s is neither UTF-8 nor Windows-1252 text: the file was refused whole.")
            % {"line": _line_of(raw, exc.start)}
        ) from None


def _not_utf8(line: int) -> UnreadableFile:
    return UnreadableFile(
        _(
            "Line %(line)s is not valid UTF-8 text, although the file is written in UTF-8: the file was refused "
            "whole. Correct that character, or save the file again as UTF-8."
        )
        % {"line": line}
    )


def _csv(text: str) -> Table:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                line = reader.line_num + 1
                continue
            if headers is None:
                headers = [cell.strip() for cell in row]
            else:
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(
            _("Line %(line)s cannot be read as CSV (%(error)s).") % {"line": line, "error": exc}
        ) from None
    return _table(headers, rows, "csv")


def _table(headers: list[str] | None, rows: list[tuple[int, list[str]]], kind: str) -> Table:
    if not headers or len([h for h in headers if h]) < 2:
        raise UnreadableFile(_("The file has no header row with the names of its columns."))
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(_("The file has more than %(count)s columns.") % {"count": MAX_COLUMNS})
    if not rows:
        raise UnreadableFile(_("The file has no client line under its header row."))
    width = len(headers)
    even = [(line, (row + [""] * width)[:width]) for line, row in rows]
    return Table(headers=headers, rows=even, kind=kind)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed in a cell: 1000.0 is "1000" (a postcode, a client number)
    return str(value).strip()


def _xlsx(raw: bytes) -> Table:
    import openpyxl  # type: ignore[import-untyped]  # no types published

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise UnreadableFile(_("The file is neither a CSV text nor an Excel (XLSX) workbook.")) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise UnreadableFile(_("The workbook has no sheet."))
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(value) for value in values]
            if not any(cells):
                continue
            if headers is None:
                while cells and not cells[-1]:
                    cells.pop()
                headers = cells
            else:
                rows.append((line, cells))
    except UnreadableFile:
        raise
    except Exception:  # a damaged workbook: whatever openpyxl raises on the way
        raise UnreadableFile(_("The Excel workbook cannot be read: save it again, or export it as CSV.")) from None
    finally:
        book.close()
    return _table(headers, rows, "xlsx")
