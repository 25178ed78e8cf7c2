"""Portfolio files → (line number, raw record) pairs, streamed. Formats: docs/portfolio/README.md.

A raw record is the list of its fields as text, in FIELDS order ("" for a field the file leaves out).

A file that cannot be read at all raises UnreadableFile before any record is given, or, for an
encoding error found further down, while reading (the import's transaction then rolls back).
"""

import codecs
import csv
import io
import json
from collections.abc import Iterator
from typing import BinaryIO

from django.core.files import File
from django.utils.translation import gettext as _

from .records import FIELDS

SNIFF_BYTES = 64 * 1024
MAX_JSON_BYTES = 50 * 1024 * 1024


class UnreadableFile(ValueError):
    """The whole file is refused; the message says why, in the user's language."""


def _is_utf8(stream: BinaryIO) -> bool:
    """The whole file decodes as UTF-8 (read in chunks: the file is not held whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _check_cp1252(stream: BinaryIO) -> None:
    """Windows-1252 has five undefined bytes: find the line of the first one, if any."""
    lines = 0
    try:
        while chunk := stream.read(1 << 20):
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError as exc:
                line = lines + chunk[: exc.start].count(b"\n") + 1
                raise UnreadableFile(
                    _("Line %(line)s is neither UTF-8 nor Windows-1252 text: the file was refused whole.")
                    % {"line": line}
                ) from None
            lines += chunk.count(b"\n")
    finally:
        stream.seek(0)


def records(stream: BinaryIO, file_name: str = "") -> Iterator[tuple[int, list[str]]]:
    while not isinstance(stream, io.IOBase) and isinstance(getattr(stream, "file", None), io.IOBase | File):
        stream = stream.file  # a Django File: its file object itself (the wrapper costs a call per line read)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if not text:
        raise UnreadableFile(_("The file is empty."))
    if text[:1] in (b"[", b"{"):
        return _json_records(stream)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8" if _is_utf8(stream) else "cp1252"
        if encoding == "cp1252":
            _check_cp1252(stream)
    return _csv_records(stream, encoding)


def _csv_records(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    try:
        header_line = text.readline()
    except UnicodeDecodeError:
        raise UnreadableFile(_("The file is neither UTF-8 nor Windows-1252 text.")) from None
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise UnreadableFile(
            _("The header row is not the portfolio format: missing %(fields)s. Expected: %(expected)s.")
            % {"fields": ", ".join(missing), "expected": ";".join(FIELDS)}
        )
    positions = [header.index(name) for name in FIELDS]
    width = len(header)
    in_order = positions == list(range(len(FIELDS))) and width == len(FIELDS)  # the usual case: rows as they are

    def rows():
        reader = csv.reader(text, delimiter=delimiter)
        line = 1
        try:
            for row in reader:
                line = reader.line_num + 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if in_order and len(row) == width:
                    yield line, row
                    continue
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                yield line, [row[index] for index in positions]
        except UnicodeDecodeError:
            raise UnreadableFile(
                _("Line %(line)s is not valid %(encoding)s text: the file was refused whole.")
                % {"line": line + 1, "encoding": "UTF-8" if encoding.startswith("utf") else "Windows-1252"}
            ) from None
        except csv.Error as exc:
            raise UnreadableFile(
                _("Line %(line)s cannot be read as CSV (%(error)s).") % {"line": line, "error": exc}
            ) from None
        finally:
            text.detach()  # leaves the caller's stream open (a collected wrapper would close it)

    return rows()


def _json_records(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    raw = stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise UnreadableFile(_("A JSON file is limited to 50 MB: send a CSV file for larger portfolios."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UnreadableFile(_("The file is not valid JSON.")) from None
    return json_records(data)


def json_records(data) -> Iterator[tuple[int, list[str]]]:
    """Records given as JSON (a list of objects); the 'line' is the record's position from 1."""
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableFile(_("The JSON must be a list of records (objects)."))
    if not data:
        raise UnreadableFile(_("The file has no record."))
    unknown = {k for item in data[:50] for k in item} - set(FIELDS)
    if unknown and not any(f in data[0] for f in ("insurer", "policy_number")):
        raise UnreadableFile(
            _("The records do not have the portfolio fields (%(fields)s).") % {"fields": ", ".join(FIELDS)}
        )

    def rows():
        for index, item in enumerate(data, start=1):
            yield index, [_as_text(item.get(name)) for name in FIELDS]

    return rows()


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
