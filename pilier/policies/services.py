"""Writes on policies. Every write keeps the main-policy rule in the same transaction:
in each group (PLCI, EIP and group insurance, CPTI) of a client, one main policy at most
(a database constraint), a lone policy is main by itself, and making one main unmarks the other."""

from django.core.exceptions import ValidationError
from django.db import transaction

from pilier.clients.models import Client

from .catalogue import TYPES, why_not_in
from .insurers import normalise_policy_number
from .models import EDITABLE_FIELDS, Policy

WRITABLE = EDITABLE_FIELDS


def _lock(client: Client) -> None:
    # Serialises the writes on one client's policies, so that two requests setting a main
    # policy at once end with one main policy rather than a constraint error.
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True).first()


def _check(policy: Policy) -> None:
    reason = why_not_in(policy.section, policy.type)
    if reason:
        raise ValidationError({"type": reason})
    number = normalise_policy_number(policy.insurer, policy.number)
    policy.number, policy.number_key = number.number, number.key
    policy.main_group = TYPES[policy.type].main_group
    policy.full_clean()


def _siblings(policy: Policy):
    return Policy.objects.filter(client_id=policy.client_id, main_group=policy.main_group).exclude(pk=policy.pk)


def _mark_main(policy: Policy) -> None:
    """Unmarks the group's current main policy; the caller saves `policy` as the main one."""
    for other in _siblings(policy).filter(is_main=True):
        other.is_main = False
        other.save(update_fields=["is_main", "updated_at"])
    policy.is_main = True


def _settle_lone(client: Client, group: str) -> None:
    """A lone policy of a group is main by itself."""
    if not group:
        return
    rows = list(Policy.objects.filter(client=client, main_group=group)[:2])
    if len(rows) == 1 and not rows[0].is_main:
        rows[0].is_main = True
        rows[0].save(update_fields=["is_main", "updated_at"])


def _apply(policy: Policy, fields: dict) -> None:
    for name, value in fields.items():
        if name not in WRITABLE:
            raise TypeError(f"unexpected field {name!r}")
        setattr(policy, name, value)


@transaction.atomic
def policy_create(*, client: Client, is_main: bool = False, **fields) -> Policy:
    _lock(client)
    policy = Policy(client=client, office_id=client.office_id)
    _apply(policy, fields)
    _check(policy)
    if policy.main_group and (is_main or not _siblings(policy).exists()):
        _mark_main(policy)
    policy.save()
    return policy


@transaction.atomic
def policy_update(*, policy: Policy, is_main: bool | None = None, **fields) -> Policy:
    """`is_main`: True makes it main, False unmarks it (unless it is alone), None keeps the mark."""
    _lock(policy.client)
    old_group = policy.main_group
    _apply(policy, fields)
    policy.main_group = TYPES[policy.type].main_group
    if policy.main_group != old_group or is_main is False:
        policy.is_main = False
    if policy.main_group:
        if is_main:
            _mark_main(policy)
        elif not policy.is_main and not _siblings(policy).exists():
            policy.is_main = True  # alone in its group
    _check(policy)
    policy.save()
    if old_group != policy.main_group:
        _settle_lone(policy.client, old_group)
    return policy


@transaction.atomic
def policy_set_main(*, policy: Policy) -> Policy:
    if not policy.main_group:
        raise ValidationError({"is_main": "This type of policy has no main policy."})
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


def main_policy_todos(policies) -> list[str]:
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
