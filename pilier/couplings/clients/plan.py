"""What importing a client export would do, decided in memory against the office's files (loaded once):
reads only. The preview shows it (a dry run); the confirmed run plans again and writes it (writer.py).

Matching, line by line (the lines after their values are read and checked):
- by client number first, then by national number; the placeholder 99.99.99-999.99 never matches (a file
  with it is found by its client number only, a line with it matches by its client number only);
- **conflicts are listed, never guessed**, and neither side is written: the same national number (or client
  number) on two lines; a client number whose file has another national number; a client number and a
  national number that name two files (they would merge); a national number whose file has another client
  number; two lines that would change the same file;
- a new file is created (its social status and financial year when the line gives them, else left to
  complete: the file's to-do); a line with neither a client number nor a national number is rejected (it
  could never be found again: a second import would create it twice);
- a known file takes the line's identity and contact fields; a cell left empty changes nothing, and what the
  file does not carry is never cleared; the social status and the company's data only fill a file that has
  none yet (they are the broker's);
- account and file managers are the office's staff, by e-mail or name; one not found is a warning and
  changes nothing.

The values are checked by the rules of the client file (pilier.clients.rules: the national number, the
identity it gives, the social status and financial year, the restricted access) and by the file's own field
validators (lengths, one line, e-mail), as `client_validate` does; what that service checks in the database
(a number already used in the office) is checked here against the office's files held in memory, one query
for them all instead of two per line.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Field
from django.utils.translation import gettext as _

from pilier.accounts.models import Office, User
from pilier.accounts.selectors import office_staff
from pilier.clients import rules
from pilier.clients.identifiers import PLACEHOLDER
from pilier.clients.models import Client, Gender, search_key
from pilier.couplings.models import UnmatchedReason, UnmatchedRecord, UnmatchedStatus

from . import fields as F

Tick = Callable[[int, int], None]  # (lines done, lines in all): the progress
MAX_LISTED = 5000  # lines listed per kind (the counts are always whole)
TEXT_LIMIT = 300  # a cell's text shown in a message at most

# The file's columns a line may write (the model's field names; managers as their ids).
COLUMNS = (
    "client_number",
    "national_number",
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "language",
    "email",
    "phone",
    "street",
    "house_number",
    "box",
    "postcode",
    "municipality",
    "country",
    "account_manager_id",
    "file_manager_id",
    "social_status",
    "fiscal_year_start",
    "fiscal_year_end",
    "company_name",
    "enterprise_number",
)


@dataclass
class Known:
    """A file of the office, as the database has it."""

    id: uuid.UUID
    values: dict[str, Any]
    restricted: bool

    @property
    def name(self) -> str:
        return f"{(self.values['last_name'] or '').upper()} {self.values['first_name'] or ''}".strip()

    @property
    def national_number(self) -> str | None:
        number = self.values["national_number"]
        return None if number == PLACEHOLDER else cast(str, number)


@dataclass
class Line:
    line: int
    values: dict[str, Any]  # field → value read (managers as text, dates as dates); only the cells given
    client_number: str
    national_number: str | None  # formatted; None when absent or the placeholder
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{str(self.values.get('last_name', '')).upper()} {self.values.get('first_name', '')}".strip()


@dataclass
class Report:
    """What the file would do, line by line; `as_dict` is ClientImport.report (and the API's lines)."""

    lines: int = 0
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    linked: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, entry: dict[str, Any]) -> None:
        self.counts[kind] += 1
        listed: list[dict[str, Any]] = getattr(self, kind)
        if len(listed) < MAX_LISTED:
            listed.append(entry)

    def as_dict(self) -> dict[str, Any]:
        names = ("created", "updated", "unchanged", "conflicts", "rejected", "warnings", "linked")
        return {
            "lines": self.lines,
            "counts": {name: self.counts[name] for name in names},
            **{name: getattr(self, name) for name in names},
        }


@dataclass
class Plan:
    report: Report
    new: list[dict[str, Any]]  # the values of each file to create (COLUMNS)
    changed: dict[uuid.UUID, dict[str, Any]]  # file id → its values after the import (COLUMNS)
    to_link: dict[str, list[uuid.UUID]]  # national number → the unmatched records waiting for it


class _Rejected(Exception):
    pass


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class Planner:
    def __init__(self, *, office: Office, mapping: dict[str, str], headers: list[str]) -> None:
        self.office = office
        self.columns = [(int(index), name) for index, name in mapping.items() if name in F.FIELDS]
        self.headers = headers
        self.model_fields: dict[str, Field[Any, Any]] = {
            f.name: f for f in Client._meta.concrete_fields if isinstance(f, Field)
        }
        self._staff()
        self._office_files()

    # What the office has --------------------------------------------------------------------------------

    def _staff(self) -> None:
        self.staff_by_key: dict[str, uuid.UUID | None] = {}
        self.staff_names: dict[uuid.UUID, str] = {}
        for user in office_staff(self.office):
            self.staff_names[user.pk] = str(user)
            keys = {user.email.lower()}
            if user.first_name or user.last_name:
                keys |= {search_key(user.first_name, user.last_name), search_key(user.last_name, user.first_name)}
            for key in keys:
                # Two colleagues of the same name: that name names nobody (an e-mail still does).
                self.staff_by_key[key] = None if key in self.staff_by_key else user.pk

    def _office_files(self) -> None:
        self.by_number: dict[str, Known] = {}
        self.by_nn: dict[str, Known] = {}
        rows = Client.objects.filter(office=self.office).values("id", "restricted_access", *COLUMNS)
        for row in rows.iterator(chunk_size=5000):
            known = Known(row.pop("id"), row, row.pop("restricted_access"))
            if row["client_number"]:
                self.by_number[row["client_number"]] = known
            if known.national_number:
                self.by_nn[known.national_number] = known

    def _manager(self, value: str, line: Line, column: str) -> uuid.UUID | None:
        found = self.staff_by_key.get(value.lower()) or self.staff_by_key.get(search_key(value))
        if found is None:
            line.warnings.append(
                _("%(field)s “%(value)s” is not a staff member of the office: left as it was.")
                % {"field": F.label(column), "value": _shown(value)}
            )
        return found

    # Reading one line ---------------------------------------------------------------------------------------

    def read(self, number: int, cells: list[str]) -> Line:
        values: dict[str, Any] = {}
        warnings: list[str] = []
        for index, name in self.columns:
            raw = cells[index].strip() if index < len(cells) else ""
            if not raw:
                continue  # an empty cell changes nothing
            values[name] = self._value(name, raw, warnings)
        client_number = str(values.get("client_number", ""))
        national_number: str | None = None
        if "national_number" in values:
            try:
                read = rules.read_national_number(values["national_number"])
            except ValidationError as exc:
                raise _Rejected(
                    _("National number “%(value)s”: %(reason)s")
                    % {"value": _shown(values["national_number"]), "reason": _message(exc)}
                ) from None
            values["national_number"] = read.formatted
            if read.provisional:
                values.pop("national_number")  # the placeholder says nothing: never matched, never written
            else:
                national_number = read.formatted
        line = Line(number, values, client_number, national_number, warnings)
        if not client_number and not national_number:
            raise _Rejected(_("The line has neither a client number nor a national number: it cannot be matched."))
        return line

    def _value(self, name: str, raw: str, warnings: list[str]) -> Any:
        def bad(reason: str) -> _Rejected:
            return _Rejected(
                _("%(field)s “%(value)s”: %(reason)s")
                % {"field": F.label(name), "value": _shown(raw), "reason": reason}
            )

        try:
            if name in F.DATES:
                return F.read_date(raw)
            if name == "gender":
                return F.read_gender(raw)
            if name == "language":
                return F.read_language(raw)
            if name == "country":
                return F.read_country(raw)
            if name == "social_status":
                try:
                    return F.read_social_status(raw)
                except F.BadValue:
                    warnings.append(
                        _("Social status “%(value)s” is not known: left to complete.") % {"value": _shown(raw)}
                    )
                    return None
        except F.BadValue:
            if name in F.DATES:
                raise bad(_("not a date (dd/mm/yyyy).")) from None
            raise bad(_("not a known value.")) from None
        if name in F.MANAGERS or name == "national_number":
            return raw
        model_field = self.model_fields[name]
        try:
            model_field.run_validators(raw)
            if model_field.max_length and len(raw) > model_field.max_length:
                raise ValidationError(
                    _("at most %(count)s characters.") % {"count": model_field.max_length}, code="max_length"
                )
        except ValidationError as exc:
            raise bad(_message(exc)) from None
        return raw

    # The whole file -------------------------------------------------------------------------------------------

    def plan(self, rows: list[tuple[int, list[str]]], tick: Tick | None = None) -> Plan:
        report = Report(lines=len(rows))
        lines: list[Line] = []
        total = len(rows)
        for done, (number, cells) in enumerate(rows):
            if tick is not None and done % 1000 == 0:
                tick(done, total)
            try:
                lines.append(self.read(number, cells))
            except _Rejected as exc:
                report.add("rejected", {"line": number, "message": str(exc)})
        lines = self._without_duplicates(lines, report)
        targets: dict[uuid.UUID, list[tuple[Line, Known]]] = {}
        creates: list[Line] = []
        for line in lines:
            known = self._match(line, report)
            if known is None:
                creates.append(line)
            elif isinstance(known, Known):
                targets.setdefault(known.id, []).append((line, known))
        plan = Plan(report=report, new=[], changed={}, to_link={})
        for matched in targets.values():
            if len(matched) > 1:
                for line, known in matched:
                    message = _("This line and line %(other)s would both change the file of %(name)s.") % {
                        "other": ", ".join(str(other.line) for other, _k in matched if other is not line),
                        "name": known.name,
                    }
                    report.add("conflicts", {"line": line.line, "message": message})
                continue
            self._update(*matched[0], plan)
        for line in creates:
            self._create(line, plan)
        self._waiting_records(plan)
        return plan

    def _without_duplicates(self, lines: list[Line], report: Report) -> list[Line]:
        """The lines that share a national number or a client number with another line are conflicts."""
        numbers = Counter(line.client_number for line in lines if line.client_number)
        nns = Counter(line.national_number for line in lines if line.national_number)
        kept = []
        for line in lines:
            if line.national_number and nns[line.national_number] > 1:
                others = [str(o.line) for o in lines if o.national_number == line.national_number and o is not line]
                message = _("The national number %(number)s is also on line %(others)s: neither line was imported.")
                report.add(
                    "conflicts",
                    {
                        "line": line.line,
                        "message": message % {"number": line.national_number, "others": ", ".join(others)},
                    },
                )
            elif line.client_number and numbers[line.client_number] > 1:
                others = [str(o.line) for o in lines if o.client_number == line.client_number and o is not line]
                message = _("The client number %(number)s is also on line %(others)s: neither line was imported.")
                report.add(
                    "conflicts",
                    {
                        "line": line.line,
                        "message": message % {"number": _shown(line.client_number), "others": ", ".join(others)},
                    },
                )
            else:
                kept.append(line)
        return kept

    def _match(self, line: Line, report: Report) -> Known | None | bool:
        """The file the line is about, None for a new one, False for a conflict (listed)."""
        by_number = self.by_number.get(line.client_number) if line.client_number else None
        by_nn = self.by_nn.get(line.national_number) if line.national_number else None

        def conflict(message: str) -> bool:
            report.add("conflicts", {"line": line.line, "message": message})
            return False

        if by_number is not None:
            if by_nn is not None and by_nn.id != by_number.id:
                return conflict(
                    _(
                        "The client number %(number)s is the file of %(name)s and the national number that of "
                        "%(other)s: importing the line would merge two files."
                    )
                    % {"number": _shown(line.client_number), "name": by_number.name, "other": by_nn.name}
                )
            if line.national_number and by_number.national_number not in (None, line.national_number):
                return conflict(
                    _("The client number %(number)s is the file of %(name)s, whose national number is another.")
                    % {"number": _shown(line.client_number), "name": by_number.name}
                )
            return by_number
        if by_nn is not None:
            if line.client_number and by_nn.values["client_number"]:
                return conflict(
                    _("The national number %(number)s is the file of %(name)s, whose client number is %(other)s.")
                    % {"number": line.national_number, "name": by_nn.name, "other": by_nn.values["client_number"]}
                )
            return by_nn
        return None

    # What a line writes --------------------------------------------------------------------------------------

    def _checked(self, line: Line, current: dict[str, Any], *, new: bool, restricted: bool) -> dict[str, Any]:
        """The file's values after the line: the cells given over the current ones, checked by the rules."""
        given = line.values
        out = dict(current)
        for name in F.IDENTITY if not new and current.get("social_status") else F.FIELDS:
            if name not in given or given[name] is None:
                continue
            if name in F.MANAGERS:
                user = self._manager(given[name], line, name)
                if user is not None:
                    out[f"{name}_id"] = user
            elif name not in ("national_number", "birth_date", "gender"):
                out[name] = given[name]
        if {"national_number", "birth_date", "gender"} & given.keys():
            self._identity(given, current, out)
        if "country" in out:
            out["country"] = rules.country(out["country"] or "BE")
        if any(name in given for name in F.STATUS) and (new or not current.get("social_status")):
            self._status(line, out)
        try:
            rules.check_restricted(
                restricted=restricted, account_manager=out["account_manager_id"], file_manager=out["file_manager_id"]
            )
        except ValidationError as exc:
            raise _Rejected(_message(exc)) from None
        return out

    @staticmethod
    def _identity(given: dict[str, Any], current: dict[str, Any], out: dict[str, Any]) -> None:
        """The national number, birth date and gender given, checked together (rules.identity)."""
        try:
            identity = rules.identity(
                national_number=given.get("national_number") or current["national_number"],
                birth_date=given.get("birth_date") or (None if "national_number" in given else current["birth_date"]),
                gender=given.get("gender") or "",
            )
        except ValidationError as exc:
            raise _Rejected(_message(exc)) from None
        out["national_number"] = identity.national_number
        if identity.birth_date is not None:
            out["birth_date"] = identity.birth_date
        if identity.gender != Gender.UNKNOWN or "gender" in given:
            out["gender"] = identity.gender

    def _status(self, line: Line, out: dict[str, Any]) -> None:
        if not out.get("social_status"):
            # Company data without a status: kept for when the status comes (checked then).
            try:
                out["enterprise_number"] = rules.read_enterprise_number(out.get("enterprise_number") or "")
            except ValidationError as exc:
                raise _Rejected(_message(exc)) from None
            return
        try:
            out.update(
                rules.social_status(
                    social_status=out["social_status"],
                    fiscal_year_start=out.get("fiscal_year_start"),
                    fiscal_year_end=out.get("fiscal_year_end"),
                    company_name=out.get("company_name") or "",
                    enterprise_number=out.get("enterprise_number") or "",
                )
            )
        except ValidationError as exc:
            codes = {error.code for errors in exc.error_dict.values() for error in errors}
            if codes == {"required"}:  # a company director without the dates of the financial year
                line.warnings.append(_("%(reason)s The social status is left to complete.") % {"reason": _message(exc)})
                out.update(social_status="", fiscal_year_start=None, fiscal_year_end=None)
                return
            raise _Rejected(_message(exc)) from None

    def _warn(self, line: Line, report: Report) -> None:
        for message in line.warnings:
            report.add("warnings", {"line": line.line, "message": message})

    def _update(self, line: Line, known: Known, plan: Plan) -> None:
        report = plan.report
        try:
            after = self._checked(line, known.values, new=False, restricted=known.restricted)
        except _Rejected as exc:
            report.add("rejected", {"line": line.line, "message": str(exc)})
            return
        self._warn(line, report)
        changes = [
            {
                "field": name,
                "label": self._label(name),
                "old": self._display(name, known.values[name]),
                "new": self._display(name, after[name]),
            }
            for name in COLUMNS
            if after[name] != known.values[name]
        ]
        entry = {
            "line": line.line,
            "name": known.name,
            "client": str(known.id),
            "client_number": after["client_number"],
        }
        if not changes:
            report.add("unchanged", entry)
            return
        report.add("updated", {**entry, "changes": changes})
        plan.changed[known.id] = after
        if after["national_number"] != known.values["national_number"] and after["national_number"] != PLACEHOLDER:
            plan.to_link.setdefault(after["national_number"], [])

    def _create(self, line: Line, plan: Plan) -> None:
        report = plan.report
        blank: dict[str, Any] = {name: "" for name in COLUMNS}
        blank.update(
            national_number=PLACEHOLDER,
            birth_date=None,
            gender=Gender.UNKNOWN,
            language="fr",
            country="BE",
            account_manager_id=None,
            file_manager_id=None,
            fiscal_year_start=None,
            fiscal_year_end=None,
        )
        try:
            missing = [F.label(name) for name in ("last_name", "first_name") if not line.values.get(name)]
            if missing:
                raise _Rejected(_("A new file needs %(fields)s.") % {"fields": ", ".join(missing)})
            values = self._checked(line, blank, new=True, restricted=False)
        except _Rejected as exc:
            report.add("rejected", {"line": line.line, "message": str(exc)})
            return
        self._warn(line, report)
        todo = not values["social_status"]
        report.add(
            "created",
            {"line": line.line, "name": line.name, "client_number": values["client_number"], "to_complete": todo},
        )
        plan.new.append(values)
        if values["national_number"] != PLACEHOLDER:
            plan.to_link.setdefault(values["national_number"], [])

    def _waiting_records(self, plan: Plan) -> None:
        """The insurers' records waiting for a file with one of the national numbers the import brings."""
        if not plan.to_link:
            return
        numbers = list(plan.to_link)
        names = {values["national_number"]: values for values in [*plan.new, *plan.changed.values()]}
        for start in range(0, len(numbers), 500):
            waiting = UnmatchedRecord.objects.filter(
                office=self.office,
                status=UnmatchedStatus.OPEN,
                reason=UnmatchedReason.NO_CLIENT,
                holder_national_number__in=numbers[start : start + 500],
            ).values_list("id", "holder_national_number", "insurer", "number")
            for pk, number, insurer, policy in waiting:
                plan.to_link[number].append(pk)
                values = names[number]
                plan.report.add(
                    "linked",
                    {
                        "name": f"{values['last_name'].upper()} {values['first_name']}".strip(),
                        "insurer": insurer,
                        "number": policy,
                    },
                )
        plan.to_link = {number: ids for number, ids in plan.to_link.items() if ids}

    # Display ------------------------------------------------------------------------------------------------------

    def _label(self, name: str) -> str:
        return F.label(name.removesuffix("_id"))

    def _display(self, name: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        if name.endswith("_id"):
            return self.staff_names.get(value, "?")
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        model_field = self.model_fields[name]
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        return str(value)


def plan_lines(
    *,
    office: Office,
    mapping: dict[str, str],
    headers: list[str],
    rows: list[tuple[int, list[str]]],
    tick: Tick | None = None,
) -> Plan:
    return Planner(office=office, mapping=mapping, headers=headers).plan(rows, tick)


def user_language(user: User | None) -> str:
    return user.language if user is not None else "fr"
