"""The rules of a policy, pure: no database access. The services call them; so may any writer.

Each check raises `django.core.exceptions.ValidationError` keyed by the field it is about, with a code:

- ``check_section(section, type_code)``: the section takes that type, else ``{"type": code "wrong_section"}``
  (e.g. a PLCI in the Death only section).
- ``check_dates(start, end)``: the end is not before the start, else ``{"end_date": code "end_before_start"}``.
  ``end_before_start(start, end) -> bool`` is the same rule as a predicate: both given and end < start; it takes
  dates or ISO ``YYYY-MM-DD`` strings (they compare as text), a missing side (None or "") never fails.
  An unknown section or type is left to the model's choices (``full_clean``).
- ``check_goal(type_code, goal)``: only an investment has a goal, else ``{"goal": code "goal_not_investment"}``.
- ``check_main(type_code, is_main)``: only a type with a main group can be main, else
  ``{"is_main": code "no_main_group"}``.
- ``check_policy(section=, type_code=, start=, end=, goal=, is_main=)``: all of the above, errors gathered.

Decisions and facts:

- ``main_group_of(type_code) -> str``: the type's main group ("plci", "eip", "cpti") or "" when none.
- ``section_of(type_code) -> str``: the section the type belongs to.
- ``takes_goal(type_code) -> bool``: an investment type.
- ``main_after(main_group=, alone=, asked=None, was_main=False) -> bool``: whether a policy is main after a
  write. Never outside a group; a policy alone in its group (``alone``: no other policy of the client in that
  group) is main by itself; otherwise ``asked`` decides (True makes it main, False unmarks it) and None keeps
  ``was_main`` (its mark in that same group: False for a new policy or one whose type changes group).
  A new policy from an import: ``main_after(main_group=g, alone=(client, g) not yet seen)``.
- ``lone_left_becomes_main(remaining) -> bool``: when a policy leaves a group (deleted or type changed), the
  one policy left there (``remaining == 1``) becomes main.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilier.lib.validation import Errors

from .catalogue import TYPES, Section, why_not_in

END_BEFORE_START = _("The end date is before the start date.")
GOAL_NOT_INVESTMENT = _("Only an investment has a goal.")
NO_MAIN_GROUP = _("This type of policy has no main policy.")


def main_group_of(type_code: str) -> str:
    """The main group of a type ("" when its policies are never main)."""
    kind = TYPES.get(type_code)
    return kind.main_group if kind else ""


def section_of(type_code: str) -> str:
    return str(TYPES[type_code].section)


def takes_goal(type_code: str) -> bool:
    """A goal labels investments only."""
    kind = TYPES.get(type_code)
    return kind is not None and kind.section == Section.INVESTMENT


def end_before_start(start: date | str | None, end: date | str | None) -> bool:
    """Both dates given and the end before the start (dates, or ISO strings which compare as text)."""
    return bool(start) and bool(end) and end < start  # type: ignore[operator]


def check_section(section: str, type_code: str) -> None:
    if section not in Section.values or type_code not in TYPES:
        return  # not a section or not a type: the model's choices say so
    reason = why_not_in(section, type_code)
    if reason:
        raise ValidationError({"type": ValidationError(reason, code="wrong_section")})


def check_dates(start: date | None, end: date | None) -> None:
    if end_before_start(start, end):
        raise ValidationError({"end_date": ValidationError(END_BEFORE_START, code="end_before_start")})


def check_goal(type_code: str, goal: str) -> None:
    if goal and type_code in TYPES and not takes_goal(type_code):
        raise ValidationError({"goal": ValidationError(GOAL_NOT_INVESTMENT, code="goal_not_investment")})


def check_main(type_code: str, is_main: bool | None) -> None:
    if is_main and type_code in TYPES and not main_group_of(type_code):
        raise ValidationError({"is_main": ValidationError(NO_MAIN_GROUP, code="no_main_group")})


def check_policy(
    *,
    section: str,
    type_code: str,
    start: date | None = None,
    end: date | None = None,
    goal: str = "",
    is_main: bool | None = None,
) -> None:
    """Every rule above at once; the errors of all fields gathered in one ValidationError."""
    errors = Errors()
    with errors.check():
        check_section(section, type_code)
    with errors.check():
        check_dates(start, end)
    with errors.check():
        check_goal(type_code, goal)
    with errors.check():
        check_main(type_code, is_main)
    errors.raise_if_any()


def main_after(*, main_group: str, alone: bool, asked: bool | None = None, was_main: bool = False) -> bool:
    """Whether a policy is main after a write (see the module's docstring)."""
    if not main_group:
        return False
    if alone:
        return True
    if asked is None:
        return was_main
    return asked


def lone_left_becomes_main(remaining: int) -> bool:
    """A group left with one policy: that one is main by itself."""
    return remaining == 1
