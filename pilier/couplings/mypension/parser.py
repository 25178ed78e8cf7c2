"""The MyPension "dossier complet" PDF → `parsed.Dossier`. Local only (pdfplumber), no Django.

`parse(data)` reads the bytes of the uploaded file. The wording it looks for is data (labels.json, per
language); the layout is FORMATS.md §1: a title, the holder's data, "Situation au", then per part (employee,
self-employed, in any order) a plans table (2.1 / 3.1: organiser, institution, plan, status, reserves, event),
its total, and a detail sheet per plan (2.2 / 3.2). A contract is the table row joined with its sheet by the
DB2P identifier (else by the institution's reference); the sheet gives what the table does not (vested
benefit, death cover, branch, "Compte dormant"), and its figures win when both give one (a warning says so
when they differ). The printed totals are a check, never a source.

How the pages are read: pdfplumber finds the ruled tables and the text lines outside them; both are walked in
reading order, so that a heading says which part and which section the tables and lines after it belong to,
across page breaks (a table split over pages, with or without its header repeated, goes on in the same part).

Refusals raise `NotMyPension(code)`: "not_pdf" (the bytes are no PDF), "unreadable" (a damaged PDF, or one
without a text layer), "encrypted" (a password is needed), "not_mypension" (a readable PDF that is not such a
file).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from .parsed import Contract, Dossier, Event, NotMyPension, Warning
from .values import DATE_IN_TEXT, read_amount, read_date, read_enterprise_number

LABELS_FILE = Path(__file__).resolve().parent / "labels.json"
LANGUAGES = ("fr", "nl")
EMPLOYEE, SELF_EMPLOYED = "employee", "self_employed"
PARTS = (EMPLOYEE, SELF_EMPLOYED)
# The keys of labels.json per part: the part's heading, its table's heading, its sheets' heading, its total.
_PART_KEYS = {
    EMPLOYEE: ("part_employee", "table_employee", "sheets_employee", "total_employee"),
    SELF_EMPLOYED: ("part_self_employed", "table_self_employed", "sheets_self_employed", "total_self_employed"),
}
_COLUMNS = ("organiser", "institution", "plan", "status", "reserves", "event")
_DB2P = re.compile(r"(?<!\d)(\d{4}-\d{4}-\d{4}-\d{4}-\d{4}-\d{4})(?!\d)")
_ENTERPRISE_IN_TEXT = re.compile(r"(?<![\d.])(?:BE\s?)?[01]?\d{3}\.\d{3}\.\d{3}(?![\d.])|(?<!\d)0\d{9}(?!\d)")
_NATIONAL_NUMBER = re.compile(r"(\d{2}\.?\d{2}\.?\d{2}\s?-?\s?\d{3}\.?\d{2})")
_DATE = r"(?P<date>\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})"
_NUMBERING = r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?\s*)?"
_MAX_PAGES = 200  # a dossier has a few dozen pages at most; more is not such a file (and bounds the work)


# ── The labels, as data ───────────────────────────────────────────────────────────────────────────────────


def _fragment(text: str) -> str:
    """A regex for a printed label that tolerates what PDF extraction does to it: any case, accents dropped or
    turned into one garbage character, quotes and apostrophes of any kind or missing, spacing changed."""
    out = []
    for char in text:
        if char.isspace():
            out.append(r"\s*")
        elif char in "'’‘`´":
            out.append(r"['’‘`´\ufffd?]?\s*")
        elif char in '«»"“”„':
            out.append(r"[«»\"“”„\ufffd?]?")
        elif char == "-":
            out.append(r"[-\s]?")
        elif ord(char) > 127:
            base = unicodedata.normalize("NFKD", char)[0]
            out.append(f"(?:{re.escape(base)}|[^\\x00-\\x7f]|\\?)")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _alternatives(texts: Iterable[str]) -> str:
    return "(?:" + "|".join(_fragment(t) for t in sorted(texts, key=len, reverse=True)) + ")"


@dataclass(frozen=True)
class PlanType:
    pattern: re.Pattern[str]
    type: str


@dataclass(frozen=True)
class Language:
    code: str
    texts: dict[str, tuple[str, ...]]
    plan_types: tuple[PlanType, ...]

    def label(self, key: str) -> str:
        return _alternatives(self.texts[key])

    @functools.cached_property
    def headings(self) -> dict[str, re.Pattern[str]]:
        """A line that starts with the label (after its number, "2.1")."""
        return {key: re.compile(_NUMBERING + self.label(key), re.IGNORECASE) for key in self.texts}

    @functools.cached_property
    def anywhere(self) -> dict[str, re.Pattern[str]]:
        return {key: re.compile(self.label(key), re.IGNORECASE) for key in self.texts}

    @functools.cached_property
    def dated(self) -> dict[str, re.Pattern[str]]:
        """A line that starts with the label, then a date, then the rest (an amount, a status)."""
        return {
            key: re.compile(_NUMBERING + self.label(key) + r"\s*" + _DATE + r"\s*(?P<rest>.*)$", re.IGNORECASE)
            for key in self.texts
        }

    def plan_type(self, label: str) -> str | None:
        for plan in self.plan_types:
            if plan.pattern.fullmatch(label.strip()):
                return plan.type
        return None

    def known_label_prefix(self, text: str) -> re.Match[str] | None:
        """The longest known plan label the text starts with."""
        best: re.Match[str] | None = None
        for plan in self.plan_types:
            match = plan.pattern.match(text)
            if match and (best is None or match.end() > best.end()):
                best = match
        return best


@functools.cache
def languages() -> dict[str, Language]:
    data = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
    result = {}
    for code in LANGUAGES:
        texts = {key: tuple(entry["text"]) for key, entry in data[code].items()}
        plans = sorted(data["plan_types"], key=lambda p: len(p[code]), reverse=True)
        plan_types = tuple(
            PlanType(re.compile(_fragment(p[code]) + r"(?=\s|$|[-–—])", re.IGNORECASE), p["type"]) for p in plans
        )
        result[code] = Language(code, texts, plan_types)
    return result


# ── The PDF → lines and tables in reading order ────────────────────────────────────────────────────────────


@dataclass
class Table:
    rows: list[list[str]]
    page: int


@dataclass
class Line:
    text: str
    page: int


def _clean(text: str | None) -> str:
    """The text as printed: unmapped glyphs as U+FFFD, UTF-8 read as cp1252 repaired, Unicode composed."""
    if not text:
        return ""
    text = re.sub(r"\(cid:\s*\d+\)", "\ufffd", text)
    if re.search("[ÃÂâ]", text):
        with contextlib.suppress(UnicodeError):
            text = text.encode("cp1252").decode("utf-8")
    return unicodedata.normalize("NFC", text)


def _looks_like_pdf(data: bytes) -> bool:
    # The header may follow some bytes of garbage (PDF 1.7, 7.5.2: readers look in the first 1024 bytes).
    return b"%PDF-" in data[:1024]


def _read_pdf(data: bytes) -> list[Line | Table]:
    if not _looks_like_pdf(data):
        raise NotMyPension("not_pdf")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise NotMyPension("encrypted") from exc
        raise NotMyPension("unreadable") from exc
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise NotMyPension("unreadable") from exc
    items: list[Line | Table] = []
    try:
        with pdf:
            if not pdf.pages:
                raise NotMyPension("unreadable")
            if len(pdf.pages) > _MAX_PAGES:
                raise NotMyPension("not_mypension")
            for number, page in enumerate(pdf.pages, start=1):
                items.extend(_page_items(page, number))
    except NotMyPension:
        raise
    except Exception as exc:  # a page that pdfminer cannot interpret
        raise NotMyPension("unreadable") from exc
    if not any(isinstance(i, Line) and i.text.strip() for i in items):
        raise NotMyPension("unreadable")  # a scan: no text layer
    return items


def _page_items(page: Any, number: int) -> Iterator[Line | Table]:
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    placed: list[tuple[float, Line | Table]] = []
    for table in found:
        rows = [[_clean(cell) for cell in row] for row in table.extract()]
        placed.append((table.bbox[1], Table(rows, number)))
    for line in page.extract_text_lines():
        middle_x = (line["x0"] + line["x1"]) / 2
        middle_y = (line["top"] + line["bottom"]) / 2
        if any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes):
            continue
        placed.append((line["top"], Line(_clean(line["text"]).strip(), number)))
    placed.sort(key=lambda p: p[0])
    for _top, item in placed:
        yield item


# ── What the walk collects ──────────────────────────────────────────────────────────────────────────────────


@dataclass
class Row:
    part: str
    organiser: str
    organiser_number: str | None
    institution: str
    institution_number: str | None
    plan_label: str
    reference: str
    db2p_id: str | None
    status: str | None
    status_text: str
    reserves: Decimal | None
    reserves_text: str
    reserves_date: dt.date | None
    event: Event | None
    event_text: str
    cells: dict[str, str] = field(default_factory=dict)  # the cells as read, to join a row cut by a page break


@dataclass
class Sheet:
    part: str
    heading: list[str]
    organiser: str = ""
    organiser_number: str | None = None
    institution: str = ""
    institution_number: str | None = None
    reference: str = ""
    db2p_id: str | None = None
    status: str | None = None
    dormant: bool = False
    reserves: Decimal | None = None
    reserves_date: dt.date | None = None
    vested_benefit: Decimal | None = None
    vested_benefit_date: dt.date | None = None
    death_cover: Decimal | None = None
    branch: str | None = None


@dataclass
class Walk:
    lang: Language
    parts_seen: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    sheet_lines: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PARTS})
    totals: dict[str, Decimal | None] = field(default_factory=dict)
    total_texts: dict[str, str] = field(default_factory=dict)
    columns: dict[int, str] | None = None
    column_dates: dict[str, dt.date] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)

    def see_part(self, part: str) -> None:
        if part not in self.parts_seen:
            self.parts_seen.append(part)


# ── Language, identity ───────────────────────────────────────────────────────────────────────────────────


def _language(lines: list[str]) -> Language | None:
    """The language whose title is printed; else the one whose headings are found most (at least two)."""
    langs = languages()
    for lang in langs.values():
        if any(lang.headings["title"].match(text) for text in lines[:40]):
            return lang
    keys = ("identity", "reference_date", "part_employee", "part_self_employed", "table_employee")
    scores = {
        code: sum(1 for key in keys if any(lang.headings[key].match(text) for text in lines))
        for code, lang in langs.items()
    }
    code, score = max(scores.items(), key=lambda item: item[1])
    return langs[code] if score >= 2 else None


def _identity(lang: Language, lines: list[str]) -> tuple[str, str] | None:
    """(name as printed, national number as 11 digits) from the holder's block."""
    label = lang.anywhere["national_number"]
    for index, text in enumerate(lines):
        found = label.search(text)
        if not found:
            continue
        number = _NATIONAL_NUMBER.search(text, found.end())
        if not number:
            continue
        before = text[: found.start()].strip(" (")
        name = before or (lines[index - 1].strip() if index else "")
        if lang.headings["identity"].match(name):
            name = ""
        return name, re.sub(r"\D", "", number.group(1))
    return None


def _reference_date(lang: Language, lines: list[str]) -> dt.date | None:
    for text in lines:
        match = lang.dated["reference_date"].match(text)
        if match:
            try:
                return read_date(match["date"])
            except ValueError:
                continue
    return None


# ── The walk over headings, tables and lines ──────────────────────────────────────────────────────────────


def _heading(walk: Walk, text: str) -> tuple[str, str] | None:
    """(part, section) when the line is a heading: section "part", "table", "sheets"."""
    headings = walk.lang.headings
    for part, (part_key, table_key, sheets_key, _total) in _PART_KEYS.items():
        if headings[table_key].match(text):
            return part, "table"
        if headings[sheets_key].match(text):
            return part, "sheets"
        if headings[part_key].match(text):
            return part, "part"
    return None


def _total(walk: Walk, text: str) -> bool:
    """Reads a part's printed total ("Total de la réserve de pension comme travailleur salarié: 1.234,56 €")."""
    for part, keys in _PART_KEYS.items():
        match = re.match(
            _NUMBERING + walk.lang.label(keys[3]) + r"\s*(?:" + _DATE_WORDS + r")?\s*:?\s*(?P<amount>.*)$",
            text,
            re.IGNORECASE,
        )
        if match:
            walk.see_part(part)
            walk.total_texts[part] = match["amount"].strip()
            walk.totals[part] = _amount_or_none(match["amount"])
            return True
    return False


_DATE_WORDS = r"(?:au|op|le)?\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}"


def _amount_or_none(text: str) -> Decimal | None:
    try:
        return read_amount(text)
    except ValueError:
        return None


def _walk(lang: Language, items: list[Line | Table]) -> Walk:
    walk = Walk(lang)
    part: str | None = None
    section: str | None = None
    footer = re.compile(r"^" + lang.label("page_footer") + r"\s*\d+\s*(?:/|sur|van|of)\s*\d+$", re.IGNORECASE)
    bare_page_number = re.compile(r"^\d+\s*/\s*\d+$")
    title = lang.headings["title"]
    for item in items:
        if isinstance(item, Table):
            plans = section == "table" or (section != "sheets" and _header(walk, item.rows[0] if item.rows else []))
            if part is not None and plans:
                _table(walk, part, item)
            continue
        text = item.text
        if not text or footer.match(text) or bare_page_number.match(text) or title.match(text):
            continue
        if _total(walk, text):
            section = None if section == "table" else section
            continue
        heading = _heading(walk, text)
        if heading:
            part, section = heading
            walk.see_part(part)
            if section == "table":
                walk.columns = None  # a new table: its header comes again
            continue
        if part is not None and section == "sheets":
            walk.sheet_lines[part].append(text)
    return walk


def _header(walk: Walk, cells: list[str]) -> dict[int, str] | None:
    """The column of each field when the row is the table's header, else None."""
    lang = walk.lang
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        text = " ".join(cell.split())
        for name in _COLUMNS:
            if name not in found.values() and lang.headings[f"column_{name}"].match(text):
                found[index] = name
                date = DATE_IN_TEXT.search(text)
                if date:
                    with contextlib.suppress(ValueError):
                        walk.column_dates[name] = read_date(date.group(0))
                break
    return found if len(found) >= 4 else None


def _table(walk: Walk, part: str, table: Table) -> None:
    first_row = True  # only the first row of a table (on a new page) can be the rest of a row cut by the break
    for cells in table.rows:
        header = _header(walk, cells)
        if header:
            walk.columns = header  # the first header, or a header repeated on the next page
            continue
        joined = " ".join(" ".join(c.split()) for c in cells if c)
        if not joined:
            continue
        if _total(walk, joined):
            continue
        columns = walk.columns
        if columns is None or max(columns) >= len(cells):
            columns = dict(enumerate(_COLUMNS)) if len(cells) >= len(_COLUMNS) else None
        if columns is None:
            continue  # a table that is not a plans table (e.g. a layout box)
        values = {name: cells[index] or "" for index, name in columns.items()}
        row = _row(walk, part, values)
        if row is None:
            continue
        previous = walk.rows[-1] if walk.rows else None
        cut = previous is not None and (_is_continuation(previous) or _is_continuation(row))
        if first_row and previous is not None and previous.part == part and cut:
            walk.rows[-1] = _merged(walk, part, previous, values)
        else:
            walk.rows.append(row)
        first_row = False


def _is_continuation(row: Row) -> bool:
    """A row that a page break cut: its second half has no status and no reserves of its own."""
    return row.status is None and not row.status_text and row.reserves is None and not row.reserves_text


def _merged(walk: Walk, part: str, previous: Row, values: dict[str, str]) -> Row:
    first = previous.cells
    joined = {name: "\n".join(v for v in (first.get(name, ""), values.get(name, "")) if v) for name in _COLUMNS}
    row = _row(walk, part, joined)
    assert row is not None
    return row


def _name_and_number(cell: str) -> tuple[str, str | None]:
    """A cell "ACME SA\n0123.456.749" → ("ACME SA", "0123.456.749")."""
    text = " ".join(cell.split())
    match = _ENTERPRISE_IN_TEXT.search(text)
    number = None
    if match:
        try:
            number = read_enterprise_number(match.group(0))
        except ValueError:
            number = None
        text = (text[: match.start()] + text[match.end() :]).strip()
    text = re.sub(r"\(\s*\)|\s*[-–(]\s*$", "", text).strip()
    return text, number


def _status(lang: Language, text: str) -> str | None:
    text = " ".join(text.split())
    if lang.anywhere["status_not_active"].search(text):
        return "not_active"
    if lang.anywhere["status_active"].search(text):
        return "active"
    return None


def _plan_cell(lang: Language, cell: str) -> tuple[str, str, str | None]:
    """(plan label, reference, DB2P id) from the plan cell: the label (one or more lines), the institution's
    reference, the DB2P identifier (which a narrow column may cut at a dash)."""
    compact = re.sub(r"(?<=\d)\s*-\s*(?=\d)", "-", cell)
    match = _DB2P.search(compact)
    db2p = match.group(1) if match else None
    if match:
        cell = compact[: match.start()] + compact[match.end() :]
    lines = [" ".join(line.split()) for line in cell.splitlines() if line.strip()]
    text = " ".join(lines)
    known = lang.known_label_prefix(text)
    if known:
        return text[: known.end()].strip(), text[known.end() :].strip(" -–"), db2p
    if len(lines) >= 2:
        return " ".join(lines[:-1]), lines[-1], db2p
    return text, "", db2p


def _row(walk: Walk, part: str, values: dict[str, str]) -> Row | None:
    lang = walk.lang
    organiser_cell = values.get("organiser", "")
    if lang.anywhere["not_applicable"].search(" ".join(organiser_cell.split())):
        organiser, organiser_number = "", None
    else:
        organiser, organiser_number = _name_and_number(organiser_cell)
    institution, institution_number = _name_and_number(values.get("institution", ""))
    label, reference, db2p = _plan_cell(lang, values.get("plan", ""))
    status_text = " ".join(values.get("status", "").split())
    reserves_text = " ".join(values.get("reserves", "").split())
    event_text = " ".join(values.get("event", "").split())
    if not any((organiser_cell.strip(), institution, label, reference, db2p, status_text, reserves_text)):
        return None
    row = Row(
        part=part,
        organiser=organiser,
        organiser_number=organiser_number,
        institution=institution,
        institution_number=institution_number,
        plan_label=label,
        reference=reference,
        db2p_id=db2p,
        status=_status(lang, status_text),
        status_text=status_text,
        reserves=_amount_or_none(reserves_text) if reserves_text not in ("", "-") else None,
        reserves_text="" if reserves_text == "-" else reserves_text,
        reserves_date=walk.column_dates.get("reserves"),
        event=_event(lang, event_text),
        event_text="" if event_text in ("", "-", "–") else event_text,
        cells=values,
    )
    return row


def _event(lang: Language, text: str) -> Event | None:
    match = re.search(lang.label("event_exit") + r"\s*" + _DATE, text, re.IGNORECASE)
    if not match:
        return None
    try:
        return Event("exit", read_date(match["date"]))
    except ValueError:
        return Event("exit", None)


# ── The detail sheets ─────────────────────────────────────────────────────────────────────────────────────


_SHEET_FIELDS = ("reference", "sheet_status", "reserves_total", "vested_benefit", "death_cover_total")


def _sheets(walk: Walk, part: str) -> list[Sheet]:
    """Each sheet is anchored on its "Géré par" line: the institution's name is the line before it, the
    organiser's name and "Organisé par" come before that, the heading (plan label, "Compte dormant") before
    them; the fields follow, up to the next sheet's first line."""
    lang = walk.lang
    lines = walk.sheet_lines[part]
    managed = lang.anywhere["managed_by"]
    organised = lang.anywhere["organised_by"]
    anchors = [i for i, text in enumerate(lines) if managed.search(text)]
    starts: list[int] = []
    names: list[tuple[str, str | None, str, str | None]] = []
    for anchor in anchors:
        text = lines[anchor]
        inline = text[: managed.search(text).start()].strip()  # type: ignore[union-attr]
        institution = inline or (lines[anchor - 1] if anchor else "")
        start = anchor if inline else anchor - 1
        organiser, organiser_number = "", None
        for back in (start - 1, start):
            if back >= 0 and organised.search(lines[back]):
                found = organised.search(lines[back])
                assert found is not None
                own = lines[back][: found.start()].strip()
                organiser = own or (lines[back - 1] if back else "")
                organiser_number = _number_in(lines[back][found.end() :])
                start = back if own else back - 1
                break
        starts.append(max(start, 0))
        names.append((organiser, organiser_number, institution, _number_in(text[managed.search(text).end() :])))  # type: ignore[union-attr]
    sheets = []
    heading_from = 0
    for index, anchor in enumerate(anchors):
        end = starts[index + 1] if index + 1 < len(anchors) else len(lines)
        heading = lines[heading_from : starts[index]][-3:]
        body = lines[anchor + 1 : end]
        sheet = Sheet(part, heading)
        sheet.organiser, sheet.organiser_number, sheet.institution, sheet.institution_number = names[index]
        sheet.dormant = any(lang.anywhere["dormant"].search(h) for h in heading)
        last_field = _sheet_fields(lang, sheet, body)
        heading_from = anchor + 1 + last_field + 1
        sheets.append(sheet)
    return sheets


def _number_in(text: str) -> str | None:
    match = _ENTERPRISE_IN_TEXT.search(text)
    if not match:
        return None
    try:
        return read_enterprise_number(match.group(0))
    except ValueError:
        return None


def _sheet_fields(lang: Language, sheet: Sheet, body: list[str]) -> int:
    """Fills the sheet from its lines; returns the index of the last line that was a field."""
    last = -1
    reference = re.compile(lang.label("reference") + r"\s*:?\s*(?P<rest>.+)$", re.IGNORECASE)
    branch = re.compile(r"\b" + lang.label("branch") + r"\s*(?P<branch>2[13])\b", re.IGNORECASE)
    due = re.compile(r"\(\s*" + lang.label("vested_benefit_due") + r"\s*" + _DATE + r"\s*\)", re.IGNORECASE)
    for index, text in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else ""
        if match := reference.match(text):
            rest = match["rest"].strip()
            compact = re.sub(r"(?<=\d)\s*-\s*(?=\d)", "-", rest)
            found = _DB2P.search(compact)
            if found is None and _DB2P.search(re.sub(r"\s+", "", rest + following)):
                found = _DB2P.search(re.sub(r"\s+", "", rest + following))  # the id went on the next line
                compact = re.sub(r"\s+", "", rest + following)
            if found:
                sheet.db2p_id = found.group(1)
                sheet.reference = compact[: found.start()].strip(" -–")
            else:
                sheet.reference = rest
            last = index
        elif match := lang.dated["sheet_status"].match(text):
            sheet.status = _status(lang, match["rest"].lstrip(": ")) or _status(lang, following)
            last = index
        elif match := lang.dated["reserves_total"].match(text):
            sheet.reserves_date = _date_or_none(match["date"])
            sheet.reserves = _amount_here_or_next(match["rest"], following)
            last = index
        elif match := lang.dated["vested_benefit"].match(text):
            rest = match["rest"]
            due_match = due.search(rest)
            if due_match:
                sheet.vested_benefit_date = _date_or_none(due_match["date"])
                rest = rest[: due_match.start()] + rest[due_match.end() :]
            sheet.vested_benefit = _amount_here_or_next(rest, following)
            last = index
        elif match := lang.dated["death_cover_total"].match(text):
            sheet.death_cover = _amount_here_or_next(match["rest"], following)
            last = index
        if match := branch.search(text):
            sheet.branch = match["branch"]
            last = index
    return last


def _date_or_none(text: str) -> dt.date | None:
    try:
        return read_date(text)
    except ValueError:
        return None


def _amount_here_or_next(rest: str, following: str) -> Decimal | None:
    rest = rest.strip()
    if rest:
        return _amount_or_none(rest)
    return _amount_or_none(following)


# ── Rows + sheets → contracts ─────────────────────────────────────────────────────────────────────────────


def _ref_key(reference: str) -> str:
    return re.sub(r"[\s.\-/]", "", reference).upper()


def _contracts(walk: Walk, reference_date: dt.date) -> list[Contract]:
    contracts: list[Contract] = []
    for part in walk.parts_seen:
        rows = [r for r in walk.rows if r.part == part]
        sheets = _sheets(walk, part)
        unused = list(sheets)
        pairs: list[tuple[Row | None, Sheet | None]] = []
        for row in rows:
            sheet = next((s for s in unused if row.db2p_id and s.db2p_id == row.db2p_id), None)
            if sheet is None and row.reference:
                sheet = next(
                    (s for s in unused if s.reference and _ref_key(s.reference) == _ref_key(row.reference)), None
                )
            if sheet is not None:
                unused.remove(sheet)
            pairs.append((row, sheet))
        pairs.extend((None, s) for s in unused)
        for number, (paired_row, paired_sheet) in enumerate(pairs, start=1):
            contracts.append(_contract(walk, part, number, paired_row, paired_sheet, reference_date))
        _check_total(walk, part, rows)
        if not pairs:
            walk.warnings.append(Warning("part_empty", {"part": part}))
    return contracts


def _sheet_label(lang: Language, heading: list[str]) -> str:
    text = " ".join(heading)
    for start in range(len(text)):
        if start and text[start - 1] != " ":
            continue
        known = lang.known_label_prefix(text[start:])
        if known:
            return text[start : start + known.end()].strip()
    cleaned = lang.anywhere["dormant"].sub("", heading[-1] if heading else "")
    return cleaned.strip(" -–—:()")


def _contract(walk: Walk, part: str, number: int, row: Row | None, sheet: Sheet | None, ref_date: dt.date) -> Contract:
    lang = walk.lang
    reference = (sheet.reference if sheet and sheet.reference else "") or (row.reference if row else "")
    db2p = (sheet.db2p_id if sheet else None) or (row.db2p_id if row else None)
    label = (row.plan_label if row else "") or (_sheet_label(lang, sheet.heading) if sheet else "")
    policy_type = lang.plan_type(label) if label else None
    if policy_type is None:
        walk.warnings.append(Warning("unknown_plan_label", {"label": label, "reference": reference}))
    status = (sheet.status if sheet else None) or (row.status if row else None)
    if sheet and sheet.dormant:
        status = "dormant"
    if status is None:
        text = row.status_text if row else ""
        walk.warnings.append(Warning("unknown_status", {"text": text, "reference": reference}))
        status = "not_active"
    if row and row.event is None and row.event_text:
        walk.warnings.append(Warning("unknown_event", {"text": row.event_text, "reference": reference}))
    if row and row.reserves is None and row.reserves_text:
        walk.warnings.append(Warning("unreadable_amount", {"text": row.reserves_text, "reference": reference}))
    reserves = sheet.reserves if sheet and sheet.reserves is not None else (row.reserves if row else None)
    if sheet and row and sheet.reserves is not None and row.reserves is not None and sheet.reserves != row.reserves:
        walk.warnings.append(
            Warning(
                "reserves_differ", {"reference": reference, "table": str(row.reserves), "sheet": str(sheet.reserves)}
            )
        )
    if sheet and sheet.reserves is not None:
        reserves_date = sheet.reserves_date
    elif row and row.reserves is not None:
        reserves_date = row.reserves_date or ref_date
    else:
        reserves_date = None
    key = db2p or f"{part}:{reference or '-'}:{number}"
    return Contract(
        key=key,
        part=part,
        organiser=(sheet.organiser if sheet and (sheet.organiser or not row) else (row.organiser if row else "")),
        organiser_enterprise_number=(sheet.organiser_number if sheet and sheet.organiser else None)
        or (row.organiser_number if row else None),
        institution=(sheet.institution if sheet and sheet.institution else (row.institution if row else "")),
        institution_enterprise_number=(sheet.institution_number if sheet else None)
        or (row.institution_number if row else None),
        plan_label=label,
        policy_type=policy_type,
        reference=reference,
        db2p_id=db2p,
        status=status,
        event=row.event if row else None,
        reserves=reserves,
        reserves_date=reserves_date,
        vested_benefit=sheet.vested_benefit if sheet else None,
        vested_benefit_date=sheet.vested_benefit_date if sheet else None,
        death_cover=sheet.death_cover if sheet else None,
        branch=sheet.branch if sheet else None,
    )


def _check_total(walk: Walk, part: str, rows: list[Row]) -> None:
    if part not in walk.total_texts:
        return
    printed = walk.totals.get(part)
    computed = sum((r.reserves for r in rows if r.reserves is not None), Decimal("0.00"))
    if printed is None or printed != computed:
        walk.warnings.append(
            Warning(
                "total_mismatch",
                {
                    "part": part,
                    "printed": str(printed) if printed is not None else walk.total_texts[part],
                    "computed": str(computed),
                },
            )
        )


# ── The entry point ───────────────────────────────────────────────────────────────────────────────────────


def parse(data: bytes) -> Dossier:
    """The dossier in `data` (the uploaded file's bytes), or NotMyPension(code)."""
    items = _read_pdf(data)
    lines = [item.text for item in items if isinstance(item, Line) and item.text]
    lang = _language(lines)
    if lang is None:
        raise NotMyPension("not_mypension")
    identity = _identity(lang, lines)
    reference_date = _reference_date(lang, lines)
    if identity is None or reference_date is None:
        raise NotMyPension("not_mypension")
    holder_name, national_number = identity
    walk = _walk(lang, items)
    if not walk.parts_seen:
        raise NotMyPension("not_mypension")
    warnings: list[Warning] = []
    if not _valid_national_number(national_number):
        warnings.append(Warning("national_number_invalid", {"national_number": national_number}))
    contracts = _contracts(walk, reference_date)
    return Dossier(
        language=lang.code,
        reference_date=reference_date,
        holder_name=holder_name,
        national_number=national_number,
        contracts=tuple(contracts),
        warnings=tuple(warnings + walk.warnings),
    )


def _valid_national_number(number: str) -> bool:
    from stdnum.be import bis, nn

    return bool(nn.is_valid(number) or bis.is_valid(number))
