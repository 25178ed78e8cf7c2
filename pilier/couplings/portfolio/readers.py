"""Portfolio files → (line number, raw record) pairs, streamed. Formats: docs/portfolio/README.md.

A raw record is the list of its fields as text, in FIELDS order ("" for a field the file leaves out).

A file that cannot be read at all raises UnreadableFile before any record is given, or, for an
encoding error found further down, while reading (the import's transaction then rolls back).
"""

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from pilier.couplings.jobs import FileRefused
from pilier.lib.api_parser import size_text

from . import telebib2
from .records import FIELDS

if TYPE_CHECKING:
    from pilier.couplings.models import ImportRun

SNIFF_BYTES = 64 * 1024


class UnreadableFile(FileRefused):
    """The whole file is refused; the message says why, in the user's language."""


def _is_utf8(stream: IO[bytes]) -> bool:
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


# A character of more than one byte, written the UTF-8 way (RFC 3629: no overlong form, no surrogate).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ASCII = bytes(range(128))


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, chunk) over the file from its start, each chunk made of whole lines."""
    stream.seek(0)
    line, rest = 1, b""
    while chunk := stream.read(1 << 20):
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            rest = chunk
            continue
        chunk, rest = chunk[:cut], chunk[cut:]
        yield line, chunk
        line += chunk.count(b"\n")
    if rest:
        yield line, rest


def _first_bad_utf8(chunk: bytes, line: int) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte of `chunk` that is not UTF-8, None when there is none."""
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = chunk.rfind(b"\n", 0, exc.start) + 1
        column = len(chunk[start : exc.start].decode("utf-8")) + 1  # before the first bad byte: UTF-8
        return line + chunk.count(b"\n", 0, exc.start), column, chunk[exc.start]
    return None


def _not_utf8(position: tuple[int, int, int]) -> UnreadableFile:
    line, column, byte = position
    return UnreadableFile(
        _(
            "Line %(line)s, column %(column)s: the byte 0x%(byte)02X is not UTF-8 text, although the file is "
            "written in UTF-8: the file was refused whole. Correct that character, or save the file again as UTF-8."
        )
        % {"line": line, "column": column, "byte": byte}
    )


def _encoding_of_non_utf8(stream: IO[bytes]) -> str:
    """A file that is not all UTF-8: Windows-1252, or UTF-8 with bad bytes (refused with the first one's place).

    Read as Windows-1252, a UTF-8 file gives "MÃ¼ller" for "Müller": a file with at least as many UTF-8
    characters as other bytes above 127 is UTF-8 with bad bytes, never Windows-1252. (A Windows-1252 text holds
    two bytes that also make a UTF-8 character, such as "Ã©", only by rare chance.)
    """
    first_bad, characters, bad_bytes = None, 0, 0
    for line, chunk in _lines(stream):
        high = len(chunk.translate(None, _ASCII))  # the bytes above 127
        if not high:
            continue
        found = _UTF8_SEQUENCE.findall(chunk)
        in_utf8 = sum(map(len, found))
        characters, bad_bytes = characters + len(found), bad_bytes + high - in_utf8
        if first_bad is None and high > in_utf8:
            first_bad = _first_bad_utf8(chunk, line)
    stream.seek(0)
    if first_bad is not None and characters >= bad_bytes:
        raise _not_utf8(first_bad)
    return "cp1252"


def _check_cp1252(stream: IO[bytes]) -> None:
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


def records(
    stream: IO[bytes], file_name: str = "", *, run: "ImportRun | None" = None
) -> Iterator[tuple[int, list[str]]]:
    """The file's raw records, whatever its format (CSV, JSON, Telebib2: told by its content, not its name).
    `run`: the import, for what a Telebib2 file may not say (the insurer chosen at upload, the office)."""
    while not isinstance(stream, io.IOBase) and isinstance(getattr(stream, "file", None), io.IOBase | File):
        stream = stream.file  # type: ignore[attr-defined]  # a Django File: its file object itself (the wrapper costs a call per line read)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if not text:
        raise UnreadableFile(_("The file is empty."))
    if text[:1] in (b"[", b"{"):
        return _json_records(stream)
    if telebib2.is_telebib2(text):
        return telebib2.records(stream, "utf-8" if _is_utf8(stream) else "iso-8859-1", telebib2.context_of(run))
    if _is_utf8(stream):
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    elif head.startswith(codecs.BOM_UTF8):  # says it is UTF-8
        positions = (_first_bad_utf8(chunk, line) for line, chunk in _lines(stream))
        raise _not_utf8(next(filter(None, positions), (1, 1, 0)))
    else:
        encoding = _encoding_of_non_utf8(stream)
        _check_cp1252(stream)
    return _csv_records(stream, encoding)


def _csv_records(stream: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
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

    def rows() -> Iterator[tuple[int, list[str]]]:
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


def _json_records(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    limit = settings.IMPORT_JSON_MAX_BYTES
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise UnreadableFile(
            _("A JSON file is limited to %(size)s: send a CSV file for larger portfolios.") % {"size": size_text(limit)}
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _not_utf8(_first_bad_utf8(raw, 1) or (1, 1, 0)) from None
    except (json.JSONDecodeError, RecursionError):
        raise UnreadableFile(_("The file is not valid JSON.")) from None
    return json_records(data)


def json_records(data: object) -> Iterator[tuple[int, list[str]]]:
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

    for index, item in enumerate(data, start=1):
        for name, value in item.items():
            # A nested list or object is no field's value (and str() of a deep one never returns).
            if isinstance(value, list | dict):
                raise UnreadableFile(
                    _("Record %(line)s: “%(field)s” must be text, a number, true, false or null.")
                    % {"line": index, "field": str(name)[:60]}
                )

    def rows() -> Iterator[tuple[int, list[str]]]:
        for index, item in enumerate(data, start=1):
            yield index, [_as_text(item.get(name)) for name in FIELDS]

    return rows()


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
