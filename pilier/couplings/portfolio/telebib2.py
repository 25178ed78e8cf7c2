"""Telebib2 EDIFACT portfolio files → portfolio records, the same raw records as the CSV and JSON readers.

FORMATS.md §2 says what is known of the format: read segment by segment, never by position. The code lists
(fr / nl / en labels), how each code maps to Pilier's codes, and which parts of the layout are confirmed or
our reading, are data: telebib2.json (with the repository and commit they come from).

    bytes ─decode (UTF-8, else ISO-8859-1)─▶ segments (UNA honoured, ? releases) ─▶ messages (XEH … XET)
          ─▶ one raw record per contract message (XEH+01), or a rejection with its position and reason

A message that cannot be read is given as a `TelebibRaw` with `rejected` set: RecordReader refuses it with
that reason (records.py), and the other messages go on. The file as a whole is refused (UnreadableFile) only
when it holds no message at all.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _

from pilier.couplings.jobs import FileRefused
from pilier.policies.insurers import insurers

DATA_FILE = Path(__file__).parent / "telebib2.json"
_CHUNK = 1 << 20
_HEADS = (b"UNA", b"UNB+", b"XGH+")

HOLDER_ROLES = ("013", "003")  # the insured first, then the policyholder (telebib2.json: segments.unconfirmed.holder)
INSURER, INTERMEDIARY = "006", "002"


class NotTelebib(FileRefused):
    """A file that starts like a Telebib2 file and has no message in it."""


@cache
def code_lists() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def is_telebib2(head: bytes) -> bool:
    """The start of a file (BOM and blanks taken off) is an EDIFACT interchange or a Telebib2 file header."""
    return head.startswith(_HEADS)


def label(list_name: str, value: str, language: str | None) -> str:
    """The label of a code in `language` (fr, nl, en; fr for another), "" for a code not in the list."""
    entry = code_lists()[list_name]["values"].get(value)
    if not entry:
        return ""
    base = (language or "fr")[:2]
    return str(entry.get(base if base in ("fr", "nl", "en") else "fr", ""))


# ── Segments ────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Syntax:
    """The service characters (ISO 9735 defaults, FORMATS.md §2), replaced by a UNA segment when there is one."""

    component: str = ":"
    element: str = "+"
    release: str = "?"
    terminator: str = "'"

    @classmethod
    def from_una(cls, text: str) -> Syntax:
        # UNA then six characters: component, element, decimal mark, release, reserved, terminator.
        advice = text[3:9]
        return cls(component=advice[0], element=advice[1], release=advice[3], terminator=advice[5])

    @property
    def segment_pattern(self) -> re.Pattern[str]:
        r, t = re.escape(self.release), re.escape(self.terminator)
        return re.compile(rf"(?:[^{r}{t}]|{r}.)*{t}", re.DOTALL)

    @property
    def token_pattern(self) -> re.Pattern[str]:
        r, e, c = re.escape(self.release), re.escape(self.element), re.escape(self.component)
        return re.compile(rf"{r}(.)|({e}|{c})|([^{r}{e}{c}]+)|({r})$", re.DOTALL)


@dataclass(slots=True)
class Segment:
    number: int  # its position in the file, from 1
    line: int  # the line of the file it starts on
    tag: str
    elements: list[list[str]]  # after the tag: each element's components, released characters as they are

    def get(self, element: int, component: int = 0) -> str:
        """The text of element `element` (1 = the first after the tag), component `component`; "" when absent."""
        if element > len(self.elements):
            return ""
        components = self.elements[element - 1]
        return components[component].strip() if component < len(components) else ""


class BadSegment(ValueError):
    """A segment that cannot be split (a release character at its very end)."""


def _split(text: str, syntax: Syntax, pattern: re.Pattern[str]) -> tuple[str, list[list[str]]]:
    elements: list[list[str]] = [[""]]
    for released, separator, plain, dangling in pattern.findall(text):
        if dangling:
            raise BadSegment(text)
        if separator == syntax.element:
            elements.append([""])
        elif separator == syntax.component:
            elements[-1].append("")
        else:
            elements[-1][-1] += released or plain
    tag = elements[0][0].strip().upper()
    return tag, elements[1:]


def _text_chunks(stream: IO[bytes], encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    stream.seek(0)
    first = True
    while chunk := stream.read(_CHUNK):
        if first:
            chunk, first = chunk.removeprefix(codecs.BOM_UTF8), False
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def segments(stream: IO[bytes], encoding: str) -> Iterator[Segment]:
    """The file's segments in order. Line breaks and blanks between segments are dropped; a line break inside a
    segment too (files are cut at a fixed width by some senders), a released one kept."""
    syntax: Syntax | None = None
    segment_re = token_re = None
    rest, line, number = "", 1, 0
    for chunk in _text_chunks(stream, encoding):
        rest += chunk
        if syntax is None:
            start = rest.lstrip()
            if len(start) < 9 and chunk:
                continue  # too short to tell whether a UNA is there
            if start.startswith("UNA"):
                syntax = Syntax.from_una(start)
                skipped = rest[: len(rest) - len(start) + 9]
                line += skipped.count("\n")
                rest = rest[len(skipped) :]
            else:
                syntax = Syntax()
            segment_re, token_re = syntax.segment_pattern, syntax.token_pattern
        assert segment_re is not None and token_re is not None
        end = 0
        for match in segment_re.finditer(rest):
            raw = match.group()
            leading = len(raw) - len(raw.lstrip())
            start_line = line + raw.count("\n", 0, leading)
            line += raw.count("\n")
            end = match.end()
            body = raw[leading:-1]
            body = re.sub(r"(?<!" + re.escape(syntax.release) + r")[\r\n]", "", body)
            if not body.strip():
                continue
            number += 1
            try:
                tag, elements = _split(body, syntax, token_re)
            except BadSegment:
                tag, elements = "", []
            yield Segment(number, start_line, tag, elements)
        rest = rest[end:]
    if rest.strip():
        number += 1
        yield Segment(number, line + rest.count("\n", 0, len(rest) - len(rest.lstrip())), "", [["?unterminated"]])


# ── Messages ────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class Party:
    role: str
    depth: int
    last_name: str = ""
    first_name: str = ""
    national_number: str = ""
    birth_date: str = ""
    language: str = ""
    enterprise_number: str = ""
    fsma_number: str = ""


@dataclass(slots=True)
class Message:
    index: int  # the message's place among the file's messages, from 1
    segment: int  # the number of its XEH segment
    line: int
    kind: str
    problems: list[str] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # "RFF+001", "ATT+1400", "DTM+008", "MOA+186" ...

    def party(self, role: str) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)


_CONTRACT_READ = {"RFF": ("001",), "ATT": ("1400", "1406", "A003", "A325"), "DTM": ("008", "138", "149")}
_AMOUNTS = ("186", "026", "053")


def _read_party(party: Party, segment: Segment) -> None:
    tag, qualifier = segment.tag, segment.get(1)
    if tag == "NME" and qualifier == "001" and not party.last_name:
        party.last_name, party.first_name = segment.get(2, 0), segment.get(2, 1)
    elif tag == "RFF" and qualifier in ("022", "100") and not party.national_number:
        party.national_number = segment.get(1, 1)
    elif tag == "RFF" and qualifier == "075" and not party.enterprise_number:
        party.enterprise_number = segment.get(1, 1)
    elif tag == "RFF" and qualifier == "039" and not party.fsma_number:
        party.fsma_number = segment.get(1, 1)
    elif tag == "ATT" and qualifier == "A10C" and not party.language:
        party.language = segment.get(2)
    elif tag == "DTM" and segment.get(1, 0) == "001" and not party.birth_date:
        party.birth_date = segment.get(1, 1)


def _read_contract(message: Message, segment: Segment) -> None:
    tag, qualifier = segment.tag, segment.get(1, 0)
    if tag == "IPD" and qualifier == "A502":
        message.values.setdefault("IPD+A502", segment.get(2))
    elif tag == "MOA" and qualifier in _AMOUNTS:
        key = f"MOA+{qualifier}"
        if key not in message.values:
            components = segment.elements[0] if segment.elements else []
            message.values[key] = ":".join(c.strip() for c in components[1:])
    elif tag in _CONTRACT_READ and qualifier in _CONTRACT_READ[tag]:
        # RFF+001:number and DTM+008:date carry the value in the qualifier's element, ATT+1400+code in the next.
        value = segment.get(2) if tag == "ATT" else segment.get(1, 1)
        message.values.setdefault(f"{tag}+{qualifier}", value)


@dataclass(slots=True)
class FileHeader:
    sender: str = ""  # XGH's second element: the sender's company code (telebib2.json: unconfirmed)


def messages(stream: IO[bytes], encoding: str) -> Iterator[tuple[FileHeader, Message]]:
    """The file's messages (XEH … XET), each with what was read of it; problems make it unreadable."""
    header = FileHeader()
    message: Message | None = None
    groups: list[str] = []
    party: Party | None = None
    count = 0
    for segment in segments(stream, encoding):
        tag = segment.tag
        if message is None:
            if tag == "XGH":
                header = FileHeader(sender=segment.get(2))
            elif tag == "XEH":
                count += 1
                message, groups, party = Message(count, segment.number, segment.line, segment.get(1)), [], None
            elif tag == "" or (tag not in ("UNA", "UNB", "UNZ", "UNH", "UNT", "XGT") and not tag.startswith("X")):
                # A segment outside any message, that no envelope explains: a message cut before its XEH.
                count += 1
                stray = Message(count, segment.number, segment.line, "")
                stray.problems.append(
                    _("segment %(number)s is outside any message (no XEH before it)") % {"number": segment.number}
                )
                yield header, stray
                # The rest up to the next XEH belongs to that broken message: skipped.
                message = stray
                message.kind = "stray"
            continue
        if tag == "":
            message.problems.append(
                _("segment %(number)s cannot be read (unterminated, or a release character at its end)")
                % {"number": segment.number}
            )
        elif tag == "XEH":  # a new message before the end of this one: this one is cut
            if message.kind != "stray":
                message.problems.append(_("the message has no end (XET) before the next message"))
                yield header, message
            count += 1
            message, groups, party = Message(count, segment.number, segment.line, segment.get(1)), [], None
        elif tag == "XET":
            if message.kind != "stray":
                if groups:
                    message.problems.append(
                        _("group %(group)s is not closed (XRT) before the end of the message") % {"group": groups[-1]}
                    )
                yield header, message
            message = None
        elif message.kind == "stray":
            continue
        elif tag == "XRH":
            groups.append(segment.get(1))
        elif tag == "XRT":
            if not groups or groups[-1] != segment.get(1):
                message.problems.append(
                    _("segment %(number)s closes group %(group)s, which is not the open one")
                    % {"number": segment.number, "group": segment.get(1)}
                )
            else:
                groups.pop()
            if party is not None and party.depth > len(groups):
                party = None  # the party's group is closed
        elif tag == "PTY":
            party = Party(role=segment.get(1), depth=len(groups))
            message.parties.append(party)
        elif party is not None:
            _read_party(party, segment)
        else:
            _read_contract(message, segment)
    if message is not None and message.kind != "stray":
        message.problems.append(_("the file ends inside the message (no XET)"))
        yield header, message


# ── Records ─────────────────────────────────────────────────────────────────────────────────────────────────


class TelebibRaw(list[str]):
    """A raw record read from a message: its fields in records.FIELDS order, and what a list cannot say."""

    rejected: str | None = None  # why the message cannot be read: RecordReader refuses it with this reason
    language: str | None = None  # the holder's language code (fr, nl, de, en), None when not given
    about: dict[str, str]


class _Unreadable(ValueError):
    pass


def _date(text: str, name: str) -> str:
    """ISO from DDMMYYYY."""
    if not text:
        return ""
    if len(text) == 8 and text.isdigit():
        return f"{text[4:]}-{text[2:4]}-{text[:2]}"  # RecordReader checks it is a real day
    raise _Unreadable(_("%(name)s: “%(value)s” is not a date written DDMMYYYY") % {"name": name, "value": text[:20]})


def _amount(text: str, name: str) -> str:
    """'1234567:EUR:2' → '12345.67'."""
    if not text:
        return ""
    parts = text.split(":")
    number, currency, decimals = (parts + ["", "", ""])[:3]
    if currency and currency.upper() != "EUR":
        raise _Unreadable(_("%(name)s is in %(currency)s, not in euros") % {"name": name, "currency": currency[:5]})
    if not re.fullmatch(r"-?[0-9]{1,15}", number) or not re.fullmatch(r"[0-9]", decimals or "x"):
        raise _Unreadable(
            _("%(name)s: “%(value)s” is not an amount written integer:EUR:decimals")
            % {"name": name, "value": text[:30]}
        )
    value = Decimal(number).scaleb(-int(decimals))
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else f"{value}"


@cache
def _insurers_by_enterprise_number() -> dict[str, str]:
    return {re.sub(r"\D", "", item.enterprise_number): item.code for item in insurers() if item.enterprise_number}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass(slots=True)
class Context:
    """What the import knows beside the file: the insurer chosen at upload, the office's enterprise number."""

    insurer: str = ""  # an insurer code, "" when none was chosen
    office_enterprise_number: str = ""


def context_of(run: Any) -> Context:
    """The Context of an import run (None: nothing known beside the file)."""
    if run is None:
        return Context()
    return Context(insurer=run.insurer or "", office_enterprise_number=run.office.enterprise_number or "")


def _insurer(header: FileHeader, message: Message, context: Context) -> tuple[str, str]:
    """(our insurer code or "", how the message names its insurer, for a message)."""
    party = message.party(INSURER)
    codes: dict[str, str] = code_lists()["insurers"]["company_codes"]
    named = ""
    if party is not None and party.enterprise_number:
        number = _digits(party.enterprise_number).zfill(10)
        found = _insurers_by_enterprise_number().get(number)
        if found:
            return found, party.enterprise_number
        named = party.enterprise_number
    for code in (party.fsma_number if party else "", header.sender):
        if code and code in codes:
            return codes[code], code
        named = named or code
    return context.insurer, named


def _type(message: Message) -> tuple[str, str]:
    """(our type code or "", what the message says) from the fiscal vehicle, then the INAMI allowance, then the
    policy type."""
    data = code_lists()
    said = []
    for key, list_name in (("ATT+1400", "fiscal_vehicle"), ("ATT+1406", "premium_origin"), ("IPD+A502", "policy_type")):
        value = message.values.get(key, "")
        if not value:
            continue
        entry = data[list_name]["values"].get(value)
        if entry and entry.get("type"):
            return str(entry["type"]), value
        said.append(f"{key}+{value}")
    return "", ", ".join(said)


def _mandate(message: Message, context: Context) -> bool:
    """Under the office's mandate: the message names an intermediary, and not another office (its enterprise
    number, when both are known)."""
    party = message.party(INTERMEDIARY)
    if party is None:
        return False
    if party.enterprise_number and context.office_enterprise_number:
        return _digits(party.enterprise_number).zfill(10) == _digits(context.office_enterprise_number).zfill(10)
    return True


def record_of(header: FileHeader, message: Message, context: Context) -> TelebibRaw:
    """The raw record of one message, or a TelebibRaw whose `rejected` says why it cannot be read."""
    values = message.values
    holder = (
        next((p for role in HOLDER_ROLES if (p := message.party(role)) is not None and p.national_number), None)
        or message.party("003")
        or message.party("013")
    )
    insurer, named = _insurer(header, message, context)
    raw = TelebibRaw()
    raw.about = {
        "insurer": insurer or named,
        "number": values.get("RFF+001", ""),
        "holder": " ".join(filter(None, (holder.last_name, holder.first_name))) if holder else "",
    }
    where = _("Message %(index)s (segment %(segment)s)") % {"index": message.index, "segment": message.segment}
    try:
        if message.problems:
            raise _Unreadable("; ".join(message.problems))
        if message.kind != "01":
            kind = label("message_kinds", message.kind, translation.get_language()) or message.kind
            raise _Unreadable(_("not a contract message (XEH+%(kind)s), not imported") % {"kind": kind[:40]})
        if not insurer:
            if named:
                raise _Unreadable(
                    _("the insurer “%(code)s” is not in Pilier's table: choose the insurer when you import the file")
                    % {"code": named[:20]}
                )
            raise _Unreadable(_("the file does not name its insurer: choose the insurer when you import the file"))
        kind, said = _type(message)
        if not kind:
            raise _Unreadable(
                _("no product type Pilier knows (%(codes)s)") % {"codes": said or _("no ATT+1400 nor IPD+A502")}
            )
        status_code = values.get("ATT+A003", "")
        status = code_lists()["contract_status"]["values"].get(status_code, {}).get("status", "")
        if not status:
            raise _Unreadable(
                _("no contract status Pilier knows (ATT+A003 “%(code)s”)") % {"code": status_code[:10]}
                if status_code
                else _("no contract status (ATT+A003)")
            )
        frequency = values.get("ATT+A325", "")
        yearly = not frequency or code_lists()["payment_frequency"]["values"].get(frequency, {}).get("yearly", False)
        language = code_lists()["language"]["values"].get(holder.language if holder else "", {}).get("language")
        raw.extend(
            [
                insurer,
                values.get("RFF+001", ""),
                kind,
                status,
                holder.national_number if holder else "",
                holder.last_name if holder else "",
                holder.first_name if holder else "",
                _date(holder.birth_date, "DTM+001") if holder else "",
                _date(values.get("DTM+008", ""), "DTM+008"),
                _date(values.get("DTM+138", ""), "DTM+138"),
                _amount(values.get("MOA+053", ""), "MOA+053") if yearly else "",
                _amount(values.get("MOA+186", ""), "MOA+186"),
                _date(values.get("DTM+149", ""), "DTM+149"),
                _amount(values.get("MOA+026", ""), "MOA+026"),
                "yes" if _mandate(message, context) else "no",
            ]
        )
        raw.language = language
    except _Unreadable as exc:
        raw.rejected = f"{where}: {exc}"
        del raw[:]
    return raw


def records(stream: IO[bytes], encoding: str, context: Context) -> Iterator[tuple[int, list[str]]]:
    """(line of the message's start, raw record) for every message of the file."""
    seen = False
    for header, message in messages(stream, encoding):
        seen = True
        yield message.line, record_of(header, message, context)
    if not seen:
        raise NotTelebib(_("The Telebib2 file holds no message (XEH … XET)."))
