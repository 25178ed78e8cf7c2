"""Writes on policies. Each write normalises and checks its fields itself (the rules of `rules.py`, the insurer's
number format, and what needs the database: a number already used in the office) and raises `ValidationError`
keyed by field, with codes, whoever calls it; `policy_validate` runs the same checks without writing.

Every write keeps the main-policy rule in the same transaction: in each group (PLCI, EIP and group insurance,
CPTI) of a client, one main policy at most (a database constraint), a lone policy is main by itself, and making
one main unmarks the other."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pilier.accounts.access import Actor, can_see_client
from pilier.accounts.models import User
from pilier.clients.models import Client
from pilier.lib.model_update import model_update
from pilier.lib.validation import Errors

from . import rules
from .insurers import InvalidPolicyNumber, PolicyNumber, insurer, normalise_policy_number
from .models import EDITABLE_FIELDS, Policy

WRITABLE = EDITABLE_FIELDS

# Who writes: a request's actor or a user (None: a writer without a user, e.g. the demo or an import).
Writer = Actor | User | None


def _lock(client: Client) -> None:
    # Serialises the writes on one client's policies, so that two requests setting a main
    # policy at once end with one main policy rather than a constraint error.
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True).first()


def _number(errors: Errors, code: str, raw: str) -> PolicyNumber | None:
    """The number written the insurer's way, or None (and the reason in `errors`)."""
    try:
        return normalise_policy_number(code, raw)
    except KeyError:
        errors.add_field(
            "insurer",
            _("Select a valid choice. %(value)s is not one of the available choices."),
            "invalid_choice",
            {"value": code},
        )
    except InvalidPolicyNumber as exc:
        language = translation.get_language() or "fr"
        errors.add_field(
            "number",
            _("This is not a %(insurer)s policy number. %(hint)s"),
            exc.reason,
            {"insurer": exc.insurer.display_name, "hint": exc.insurer.hint_in(language)},
        )
    return None


def _check_number_free(errors: Errors, client: Client, policy: Policy | None, code: str, key: str, by: Writer) -> None:
    clash = Policy.objects.filter(office_id=client.office_id, insurer=code, number_key=key)
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    other = clash.select_related("client").first()
    if other is None:
        return
    if can_see_client(by, other.client):
        errors.add_field(
            "number",
            _("This number is already used by another %(insurer)s policy in your office (%(client)s)."),
            "duplicate",
            {"insurer": insurer(code).display_name, "client": other.client.full_name, "policy": other},
        )
    else:  # a file the writer may not open: a refusal that does not tell a restricted file exists
        errors.add_field(
            "number", _("This policy number cannot be used for this file. Ask an office admin."), "unavailable"
        )


def policy_validate(
    *, client: Client, policy: Policy | None = None, by: Writer = None, is_main: bool | None = None, **fields: Any
) -> dict[str, Any]:
    """The fields, normalised and checked, as `policy_create` / `policy_update` would write them (the number
    written the insurer's way, no goal left on a policy that is not an investment); nothing is written.

    `policy`: the policy changed (None for a new one). `by`: who writes; a number used on a file they can see is
    named in the refusal. Only the rules that concern the fields given run. Raises ValidationError keyed by
    field, with codes: a type outside the section ("wrong_section"), an end before the start
    ("end_before_start"), a goal on a policy that is not an investment ("goal_not_investment"), main outside a
    group ("no_main_group"), a number that is not the insurer's (its reason) or already used ("duplicate",
    "unavailable")."""
    for name in fields:
        if name not in WRITABLE:
            raise TypeError(f"unexpected field {name!r}")
    base = policy if policy is not None else Policy()

    def current(name: str) -> Any:
        return fields[name] if name in fields else getattr(base, name)

    errors = Errors()
    out = dict(fields)
    for name in ("insurer", "number"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    kind = current("type")
    if {"section", "type"} & fields.keys():
        with errors.check():
            rules.check_section(current("section"), kind)
    if {"start_date", "end_date"} & fields.keys():
        with errors.check():
            rules.check_dates(current("start_date"), current("end_date"))
    if "goal" in fields:
        with errors.check():
            rules.check_goal(kind, fields["goal"] or "")
    elif base.goal and kind and not rules.takes_goal(kind):
        out["goal"] = ""  # a goal labels investments only: it goes with the type that was one
    with errors.check():
        rules.check_main(kind, is_main)
    if {"insurer", "number"} & fields.keys():
        code = out.get("insurer", base.insurer)
        raw = out.get("number", base.number)
        number = _number(errors, code, raw) if code and raw else None
        if number is not None:
            out["number"] = number.number
            if "insurer" in out:
                out["insurer"] = insurer(code).code  # as the catalogue writes it ("axa" is AXA)
            _check_number_free(errors, client, policy, insurer(code).code, number.key, by)
    errors.raise_if_any()
    return out


def _settle(policy: Policy) -> None:
    """The insurer's way of writing the number, its matching key and the type's main group."""
    try:
        number = normalise_policy_number(policy.insurer, policy.number)
    except (KeyError, InvalidPolicyNumber):
        pass  # no insurer or number given (a new policy): full_clean() says they are required
    else:
        policy.number, policy.number_key = number.number, number.key
    policy.main_group = rules.main_group_of(policy.type)


def _siblings(policy: Policy) -> QuerySet[Policy]:
    return Policy.objects.filter(client_id=policy.client_id, main_group=policy.main_group).exclude(pk=policy.pk)


def _mark_main(policy: Policy) -> None:
    """Unmarks the group's current main policy; the caller saves `policy` as the main one."""
    for other in _siblings(policy).filter(is_main=True):
        other.is_main = False
        other.save(update_fields=["is_main", "updated_at"])
    policy.is_main = True


def _settle_lone(client: Client, group: str) -> None:
    """A policy left alone in its group is main by itself."""
    if not group:
        return
    rows = list(Policy.objects.filter(client=client, main_group=group)[:2])
    if rules.lone_left_becomes_main(len(rows)) and not rows[0].is_main:
        rows[0].is_main = True
        rows[0].save(update_fields=["is_main", "updated_at"])


def _apply_main(policy: Policy, *, asked: bool | None, was_main: bool) -> None:
    """`policy.is_main` after the write (rules.main_after), the group's other main policy unmarked if needed."""
    group = policy.main_group
    alone = not group or not _siblings(policy).exists()
    if rules.main_after(main_group=group, alone=alone, asked=asked, was_main=was_main):
        if not alone:
            _mark_main(policy)
        policy.is_main = True
    else:
        policy.is_main = False


@transaction.atomic
def policy_create(*, client: Client, by: Writer = None, is_main: bool = False, **fields: Any) -> Policy:
    """A new policy of `client` (see `policy_validate`); main when asked or when alone in its group."""
    _lock(client)
    data = policy_validate(client=client, by=by, is_main=is_main, **fields)
    policy = Policy(client=client, office_id=client.office_id)
    model_update(instance=policy, fields=WRITABLE, data=data)
    _settle(policy)
    _apply_main(policy, asked=is_main, was_main=False)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def policy_update(*, policy: Policy, by: Writer = None, is_main: bool | None = None, **fields: Any) -> Policy:
    """Changes the fields given (see `policy_validate`). `is_main`: True makes it main, False unmarks it (unless
    it is alone in its group), None keeps the mark. A policy whose type changes group leaves its mark behind; the
    policy left alone in the old group becomes main, and so does this one if alone in the new group."""
    _lock(policy.client)
    data = policy_validate(client=policy.client, policy=policy, by=by, is_main=is_main, **fields)
    old_group, was_main = policy.main_group, policy.is_main
    model_update(instance=policy, fields=WRITABLE, data=data)
    _settle(policy)
    _apply_main(policy, asked=is_main, was_main=was_main and policy.main_group == old_group)
    policy.full_clean()
    policy.save()
    if old_group != policy.main_group:
        _settle_lone(policy.client, old_group)
    return policy


@transaction.atomic
def policy_set_main(*, policy: Policy) -> Policy:
    if not policy.main_group:
        raise ValidationError({"is_main": ValidationError(rules.NO_MAIN_GROUP, code="no_main_group")})
    _lock(policy.client)
    policy.refresh_from_db(fields=["is_main"])
    if not policy.is_main:
        _mark_main(policy)
        policy.save(update_fields=["is_main", "updated_at"])
    return policy


@transaction.atomic
def policy_delete(*, policy: Policy) -> None:
    client, group = policy.client, policy.main_group
    _lock(client)
    policy.delete()
    _settle_lone(client, group)


def main_policy_todos(policies: Iterable[Policy]) -> list[str]:
    """Groups with several policies and none main: the broker must choose one."""
    from django.utils.translation import gettext as _

    from .catalogue import MAIN_GROUPS

    groups: dict[str, list[Policy]] = {}
    for policy in policies:
        if policy.main_group:
            groups.setdefault(policy.main_group, []).append(policy)
    return [
        _("Choose the main policy among the %(group)s policies") % {"group": MAIN_GROUPS[g]}
        for g, items in groups.items()
        if len(items) > 1 and not any(p.is_main for p in items)
    ]
