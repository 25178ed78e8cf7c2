"""One-time links to choose a password: for a client's access, a colleague, an accountant — any new login.

How to use it for another purpose (e.g. "add a colleague", purpose `Purpose.STAFF`):

    from pilier.portal import invitations
    from pilier.portal.models import Purpose

    user = User.objects.create_user(email, password=None, language="nl")  # no usable password yet
    invitation, token = invitations.issue(user=user, purpose=Purpose.STAFF, by=request.user, office=office)
    url = invitations.link(request, token)  # the absolute URL to put in the e-mail, shown nowhere else
    invitations.revoke(user=user, purpose=Purpose.STAFF)  # all their pending links of that purpose

    @invitations.on_accept(Purpose.STAFF)  # optional, once at import time (e.g. in your app's ready())
    def _colleague_joined(invitation): ...  # runs in the transaction that accepts the link

The link opens `portal:invitation` (pilier/portal/views.py): the user chooses a password (Django's password
validators), is logged in and sent to `home`, which takes each kind of user to their landing page. Rules:
valid `VALIDITY` (7 days), single use, a new `issue` for the same user, purpose and target voids the previous
links ("replaced"), `revoke` voids them ("revoked"). Only the token's SHA-256 is stored (`Invitation.token_hash`);
the token itself exists only in the link. A wrong, expired, used, replaced or revoked link is refused with
`InvitationError`, whose `message` says which in the active language.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Invitation

if TYPE_CHECKING:
    from pilier.accounts.models import Office, User
    from pilier.clients.models import Client

VALIDITY = datetime.timedelta(days=7)

_ON_ACCEPT: dict[str, list[Callable[[Invitation], None]]] = {}

MESSAGES = {
    "unknown": _("This link is not valid. Check that you copied the whole address, or ask your contact for a new one."),
    "expired": _("This link has expired (it was valid for 7 days). Ask your contact to send you a new one."),
    "used": _("This link has already been used. Log in with the password you chose, or reset it."),
    "replaced": _("A newer link was sent to you: this one no longer works. Use the most recent e-mail."),
    "revoked": _("This access was withdrawn. Contact your broker's office if you think this is a mistake."),
}


class InvitationError(Exception):
    """Why a link is refused: `code` is one of MESSAGES' keys."""

    def __init__(self, code: str, invitation: Invitation | None = None):
        super().__init__(code)
        self.code = code
        self.invitation = invitation

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def on_accept(purpose: str) -> Callable[[Callable[[Invitation], None]], Callable[[Invitation], None]]:
    """Registers what else accepting a link of `purpose` does (inside the accepting transaction)."""

    def register(function: Callable[[Invitation], None]) -> Callable[[Invitation], None]:
        _ON_ACCEPT.setdefault(str(purpose), []).append(function)
        return function

    return register


def _pending(user: User, purpose: str, client: Client | None = None) -> Any:
    rows = Invitation.objects.filter(user=user, purpose=purpose, accepted_at__isnull=True, revoked_at__isnull=True)
    return rows.filter(client=client) if client is not None else rows


@transaction.atomic
def issue(
    *, user: User, purpose: str, by: User | None = None, client: Client | None = None, office: Office | None = None
) -> tuple[Invitation, str]:
    """A new link for `user`; their pending links of the same purpose (and file) stop working. Returns the
    invitation and the token (to put in the link, never stored)."""
    now = timezone.now()
    _pending(user, purpose, client).update(revoked_at=now, replaced=True)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        purpose=purpose,
        email=user.email,
        user=user,
        client=client,
        office=office,
        token_hash=hash_token(token),
        created_by=by if by is not None and by.is_authenticated else None,
        created_at=now,
        expires_at=now + VALIDITY,
    )
    return invitation, token


def revoke(*, user: User, purpose: str, client: Client | None = None) -> int:
    """Voids the user's pending links of `purpose` (and file); returns how many."""
    return int(_pending(user, purpose, client).update(revoked_at=timezone.now(), replaced=False))


def link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("portal:invitation", args=[token]))


def check(token: str) -> Invitation:
    """The invitation of a link that may still be used, else InvitationError."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=hash_token(token)).first() if token else None
    )
    if invitation is None:
        raise InvitationError("unknown")
    if invitation.accepted_at is not None:
        raise InvitationError("used", invitation)
    if invitation.revoked_at is not None:
        raise InvitationError("replaced" if invitation.replaced else "revoked", invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationError("expired", invitation)
    return invitation


@transaction.atomic
def accept(token: str, password: str) -> Invitation:
    """Uses the link once: the user's password is set and their account active. A second use, even at the same
    moment, gets InvitationError("used"). The password is expected checked already (SetPasswordForm)."""
    invitation = check(token)
    now = timezone.now()
    taken = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        accepted_at=now
    )
    if taken != 1:
        raise InvitationError("used", invitation)
    invitation.accepted_at = now
    user = invitation.user
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    for function in _ON_ACCEPT.get(invitation.purpose, []):
        function(invitation)
    return invitation


def latest(*, user: User, purpose: str, client: Client | None = None) -> Invitation | None:
    """The user's most recent invitation of `purpose` (and file), whatever its state."""
    rows = Invitation.objects.filter(user=user, purpose=purpose)
    if client is not None:
        rows = rows.filter(client=client)
    return rows.order_by("-created_at").first()
