"""THE tenancy module: who is asking (the actor of a request) and what they may read and write.

Every list of tenant-owned rows goes through a `*_visible_to(actor)`, every object fetched by id through a
`*_for_user(actor, id, write=...)`; pages, API and background jobs share them. One rule per question:

- which clients an actor sees: `_visible_clients_condition` (the office's files, less the restricted files
  not assigned to them — office admins included; a client or an accountant: only the files granted);
- what they may write: `Actor.can_write_files` (staff) and `Actor.can_write_incomes` (staff, accountant).
  A read-only actor asking to write gets 403 (PermissionDenied), an object they cannot see 404 (Http404), the
  same 404 whether it does not exist, belongs to another office or is a restricted file;
- the one bypass: `dangerously_*`, for the office admin's assignments view (restricted files included).

A client (pilier/portal: a `ClientAccess` of a user with no staff membership) is the actor `CLIENT` of their
one file: `Actor.files` holds it. The role `accountant` arrives later: its `Actor.files` will list the files
it was given; the rules for it are already here so that that issue adds a way in, not a rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from .models import STAFF_ROLES, Membership, Office, Role, User

if TYPE_CHECKING:
    from pilier.clients.models import CareerLine, Client, Income
    from pilier.couplings.models import ImportRun, UnmatchedRecord
    from pilier.policies.models import Policy

CLIENT = "client"  # the client of one file, through the portal (pilier/portal): read-only
ACCOUNTANT = "accountant"  # invited into a few files, across offices (later issue): gives incomes only


@dataclass(frozen=True)
class Actor:
    """Who is asking: a user and the role they act in. `office` is the staff member's office; `files` the
    files granted to a client or an accountant (empty for staff, who see their office's files)."""

    user: User | AnonymousUser
    role: str | None = None  # Role.OFFICE_ADMIN, Role.STAFF, CLIENT, ACCOUNTANT; None: nobody
    office: Office | None = None
    membership: Membership | None = None
    files: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES and self.office is not None

    @property
    def is_office_admin(self) -> bool:
        return self.role == Role.OFFICE_ADMIN and self.office is not None

    @property
    def can_write_files(self) -> bool:
        return self.is_staff_member

    @property
    def can_write_incomes(self) -> bool:
        return self.is_staff_member or self.role == ACCOUNTANT

    @property
    def user_id(self) -> Any:
        return self.user.pk if self.user.is_authenticated else None


NOBODY = Actor(user=AnonymousUser())


def staff_membership(user: User) -> Membership | None:
    """The user's staff membership (their first office), cached on the user object."""
    if hasattr(user, "_staff_membership"):
        cached: Membership | None = user._staff_membership
        return cached
    membership = (
        Membership.objects.select_related("office")
        .filter(user=user, role__in=STAFF_ROLES)
        .order_by("created_at")
        .first()
    )
    user._staff_membership = membership  # type: ignore[attr-defined]
    return membership


def client_file_of(user: User) -> uuid.UUID | None:
    """The one file a client's login opens (pilier/portal: `ClientAccess`, not revoked), cached on the user
    object; None for everyone else. Asked only for a user with no staff membership: a staff member's login
    never opens a portal."""
    if hasattr(user, "_client_file"):
        cached: uuid.UUID | None = user._client_file
        return cached
    from pilier.portal.models import ClientAccess

    file = ClientAccess.objects.filter(user=user, revoked_at__isnull=True).values_list("client_id", flat=True).first()
    user._client_file = file  # type: ignore[attr-defined]
    return file


def actor_for(user: User | AnonymousUser | None) -> Actor:
    """The actor of a logged-in user: a staff member of one office (their first membership); else, with a
    client access, the client of that one file (read-only, restricted or not); else nobody in particular."""
    if user is None or not user.is_authenticated:
        return NOBODY
    assert isinstance(user, User)
    membership = staff_membership(user)
    if membership is None:
        file = client_file_of(user)
        if file is not None:
            return Actor(user=user, role=CLIENT, files=frozenset({file}))
        return Actor(user=user)
    return Actor(user=user, role=membership.role, office=membership.office, membership=membership)


def as_actor(who: Actor | User | AnonymousUser | None) -> Actor:
    """Services and commands may pass a user: it is resolved the same way as for a request."""
    if isinstance(who, Actor):
        return who
    return actor_for(who)


def request_actor(request: HttpRequest) -> Actor:
    """The actor the middleware (pages) or the bearer token (API) resolved once for this request."""
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor):
        return actor
    actor = actor_for(getattr(request, "user", None))
    request.actor = actor  # type: ignore[attr-defined]
    return actor


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _check_write(allowed: bool, write: bool) -> None:
    if write and not allowed:
        raise PermissionDenied


# Clients ------------------------------------------------------------------------------------------


def _visible_clients_condition(actor: Actor) -> Q | None:
    """The one visibility rule, as a condition on Client; None: nothing visible."""
    if actor.is_staff_member:
        return Q(office=actor.office) & (
            Q(restricted_access=False) | Q(account_manager_id=actor.user_id) | Q(file_manager_id=actor.user_id)
        )
    if actor.role in (CLIENT, ACCOUNTANT) and actor.files:
        return Q(pk__in=actor.files)
    return None


def clients_visible_to(who: Actor | User | AnonymousUser | None) -> QuerySet[Client]:
    """The only way to list clients."""
    from pilier.clients.models import Client

    condition = _visible_clients_condition(as_actor(who))
    return Client.objects.none() if condition is None else Client.objects.filter(condition)


def hidden_clients_of_office(actor: Actor) -> QuerySet[Client]:
    """The office's files that exist but are not visible to the actor (restricted, not assigned to them):
    what other lists (unmatched records) must not reveal."""
    from pilier.clients.models import Client

    if not actor.is_staff_member:
        return Client.objects.none()
    return Client.objects.filter(office=actor.office).exclude(pk__in=clients_visible_to(actor).values("pk"))


def can_see_client(who: Actor | User | AnonymousUser | None, client: Client) -> bool:
    """The same rule for a client already in memory (a duplicate found by number, say)."""
    actor = as_actor(who)
    if actor.is_staff_member:
        return client.office_id == actor.office.pk and (  # type: ignore[union-attr]
            not client.restricted_access or actor.user_id in (client.account_manager_id, client.file_manager_id)
        )
    return actor.role in (CLIENT, ACCOUNTANT) and client.pk in actor.files


def client_for_user(who: Actor | User | AnonymousUser | None, client_id: object, *, write: bool = False) -> Client:
    """The only way to fetch one client: 404 if not visible, 403 if visible but `write` and read-only."""
    actor = as_actor(who)
    client = (
        clients_visible_to(actor).select_related("account_manager", "file_manager").filter(pk=_uuid(client_id)).first()
    )
    if client is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return client


def client_for_incomes(who: Actor | User | AnonymousUser | None, client_id: object, *, write: bool = False) -> Client:
    """A client whose incomes are read or written: an accountant may write them, not the rest of the file."""
    actor = as_actor(who)
    client = client_for_user(actor, client_id)
    _check_write(actor.can_write_incomes, write)
    return client


def dangerously_all_office_clients(who: Actor | User | AnonymousUser | None) -> QuerySet[Client]:
    """Every client of the office, restricted files included: only the office admin's assignments view."""
    from pilier.clients.models import Client

    actor = as_actor(who)
    if not actor.is_office_admin:
        raise PermissionDenied
    return Client.objects.filter(office=actor.office)


def dangerously_office_client_for_admin(
    who: Actor | User | AnonymousUser | None, client_id: object, *, write: bool = False
) -> Client:
    """One client of the office, restricted or not, for its office admin to reassign."""
    actor = as_actor(who)
    client = dangerously_all_office_clients(actor).filter(pk=_uuid(client_id)).first()
    if client is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return client


# What belongs to the office rather than to a file -------------------------------------------------


def office_for_user(who: Actor | User | AnonymousUser | None, *, write: bool = False) -> Office:
    """The office a staff actor works in, for what belongs to it rather than to a file (a new file, an
    import): 404 for an actor of no office (a client, an accountant, nobody), 403 if `write` and read-only."""
    actor = as_actor(who)
    if not actor.is_staff_member or actor.office is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return actor.office


# What hangs under a client --------------------------------------------------------------------------


def policies_visible_to(who: Actor | User | AnonymousUser | None) -> QuerySet[Policy]:
    from pilier.policies.models import Policy

    return Policy.objects.filter(client__in=clients_visible_to(who).values("pk"))


def policy_for_user(who: Actor | User | AnonymousUser | None, policy_id: object, *, write: bool = False) -> Policy:
    """A policy is reached through its client: same 404 for another office or a restricted file."""
    actor = as_actor(who)
    policy = policies_visible_to(actor).select_related("client").filter(pk=_uuid(policy_id)).first()
    if policy is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return policy


def career_lines_visible_to(who: Actor | User | AnonymousUser | None) -> QuerySet[CareerLine]:
    from pilier.clients.models import CareerLine

    return CareerLine.objects.filter(client__in=clients_visible_to(who).values("pk"))


def career_line_for_user(
    who: Actor | User | AnonymousUser | None, client: Client, line_id: object, *, write: bool = False
) -> CareerLine:
    """A career line of a client already fetched through `client_for_user` (the URL names both)."""
    actor = as_actor(who)
    line = career_lines_visible_to(actor).filter(client=client, pk=_uuid(line_id)).first()
    if line is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return line


def incomes_visible_to(who: Actor | User | AnonymousUser | None) -> QuerySet[Income]:
    from pilier.clients.models import Income

    return Income.objects.filter(client__in=clients_visible_to(who).values("pk"))


def income_for_user(
    who: Actor | User | AnonymousUser | None, client: Client, year: int, *, write: bool = False
) -> Income | None:
    """The income figures of one year of a visible client (None when not entered yet)."""
    actor = as_actor(who)
    if not can_see_client(actor, client):
        raise Http404
    _check_write(actor.can_write_incomes, write)
    return incomes_visible_to(actor).filter(client=client, year=year).first()


# Imports and unmatched records (staff only) ---------------------------------------------------------


def imports_visible_to(who: Actor | User | AnonymousUser | None) -> QuerySet[ImportRun]:
    """The office's imports (their records may concern any file: totals, not names)."""
    from pilier.couplings.models import ImportRun

    actor = as_actor(who)
    if not actor.is_staff_member:
        return ImportRun.objects.none()
    return ImportRun.objects.filter(office=actor.office)


def import_for_user(who: Actor | User | AnonymousUser | None, import_id: object, *, write: bool = False) -> ImportRun:
    """Same 404 for another office's import and a missing one."""
    actor = as_actor(who)
    job = imports_visible_to(actor).filter(pk=_uuid(import_id)).select_related("created_by").first()
    if job is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return job


def unmatched_visible_to(who: Actor | User | AnonymousUser | None) -> QuerySet[UnmatchedRecord]:
    """The office's unmatched records, less those of a restricted file that is not assigned to the actor
    (office admins included, as for the file itself): whose holder is that file's client (by national
    number), or that were linked to that file. The record would tell who the client of the file is, and
    that the file exists."""
    from pilier.couplings.models import UnmatchedRecord

    actor = as_actor(who)
    if not actor.is_staff_member:
        return UnmatchedRecord.objects.none()
    hidden = hidden_clients_of_office(actor)
    return (
        UnmatchedRecord.objects.filter(office=actor.office)
        .exclude(holder_national_number__in=hidden.values("national_number"))
        .exclude(linked_client__in=hidden.values("pk"))
    )


def unmatched_for_user(
    who: Actor | User | AnonymousUser | None, record_id: object, *, write: bool = False
) -> UnmatchedRecord:
    """Same 404 for another office's record, a missing one, and one whose holder is a restricted file not
    yours."""
    actor = as_actor(who)
    record = unmatched_visible_to(actor).filter(pk=_uuid(record_id)).first()
    if record is None:
        raise Http404
    _check_write(actor.can_write_files, write)
    return record
