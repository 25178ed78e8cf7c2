"""A client's access to their file: create it, invite (e-mail or printed letter), revoke; the access state.

A client's login is a `User` with no staff membership and one `ClientAccess` (one file). An address that is a
staff member's login, or that already opens another file, is refused: a client account never becomes staff,
and a staff member's login never opens a portal (`pilier.accounts.access.actor_for` asks for a client file only
when there is no staff membership). Revoking ends the client's sessions at once: the account is deactivated and
its password made unusable, so Django's session check (the password's hash in the session) fails on the next
request, whatever the session store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilier.accounts.access import CLIENT, Actor
from pilier.accounts.models import Membership, User, normalize_address
from pilier.lib.text import validate_single_line

from . import invitations, letters
from .history import record
from .models import ClientAccess, EventKind, Invitation, Purpose

if TYPE_CHECKING:
    from pilier.clients.models import Client


def landing_url(actor: Actor) -> str:
    """Where a logged-in user starts: a client on their file, staff on the list of files."""
    return reverse("portal:home") if actor.role == CLIENT else reverse("clients:list")


def client_language(client: Client) -> str:
    return letters.letter_language(client.language)


def check_address(value: str) -> str:
    """A usable e-mail address, in its one spelling; ValidationError({"email": ...}) otherwise."""
    address = normalize_address(value or "")
    if not address:
        raise ValidationError({"email": _("The file has no e-mail address: give the client's address.")})
    try:
        validate_single_line(address)
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    return address


def _user_for(client: Client, address: str) -> User:
    """The client's login under `address`: a new account, or the one already opening this file."""
    user = User.objects.filter(email=address).first()
    if user is None:
        return User.objects.create_user(
            address,
            password=None,  # unusable until the client chooses one from the invitation's link
            first_name=client.first_name[:150],
            last_name=client.last_name[:150],
            language=client_language(client),
            is_active=False,
        )
    if Membership.objects.filter(user=user).exists():
        raise ValidationError(
            {"email": _("This address is the login of an office staff member: a client access needs another one.")}
        )
    access = ClientAccess.objects.filter(user=user).first()
    if access is None or access.client_id != client.pk:
        raise ValidationError({"email": _("This address is already used by another account.")})
    return user


@transaction.atomic
def access_create(*, client: Client, by: Any, email: str | None = None) -> ClientAccess:
    """The file's access (created, or given back after a revocation), under the file's e-mail address or
    `email` (saved on the file when the file had none). Nothing is changed when the address is refused."""
    existing = ClientAccess.objects.select_related("user").filter(client=client).first()
    if existing is not None and existing.is_active and not email:
        return existing
    address = check_address(email or (existing.user.email if existing is not None else client.email))
    if existing is not None:
        user = existing.user
        if user.email != address:  # the broker corrects the client's address
            if User.objects.filter(email=address).exclude(pk=user.pk).exists():
                raise ValidationError({"email": _("This address is already used by another account.")})
            user.email = address
            user.save(update_fields=["email"])
    else:
        user = _user_for(client, address)
    if not client.email:
        client.email = address
        client.save(update_fields=["email"])
    if existing is None:
        access = ClientAccess.objects.create(user=user, client=client, created_by=_user(by))
    elif existing.revoked_at is not None:
        access = existing
        access.revoked_at = None
        access.created_at = timezone.now()
        access.created_by = _user(by)
        access.save(update_fields=["revoked_at", "created_at", "created_by"])
    else:
        return existing
    record(client, EventKind.ACCESS_CREATED, by=by, detail=address)
    return access


def _user(by: Any) -> User | None:
    user = getattr(by, "user", by)
    return user if isinstance(user, User) and user.is_authenticated else None


def _broker_name(by: Any, client: Client) -> str:
    user = _user(by)
    return str(user) if user is not None else str(client.account_manager or "")


def letter_for(client: Client, *, by: Any) -> letters.Letter:
    """The office's letter in the client's language, filled in for this client and this broker ({link} kept)."""
    template = letters.template_for(client.office, client_language(client))
    values = {
        "client_name": f"{client.first_name} {client.last_name}".strip(),
        "broker_name": _broker_name(by, client),
        "office": client.office.name,
    }
    return letters.Letter(
        subject=letters.fill(template.subject, **values).replace(letters.LINK_PLACEHOLDER, ""),
        body=letters.fill(template.body, **values),
        custom=template.custom,
    )


def _reply_to(by: Any, client: Client) -> list[str]:
    user = _user(by)
    return [user.email] if user is not None else []


@dataclass
class Sent:
    invitation: Invitation
    link: str
    subject: str
    body: str  # with the link in it


@transaction.atomic
def invite(
    request: HttpRequest,
    *,
    access: ClientAccess,
    by: Any,
    subject: str | None = None,
    body: str | None = None,
    send: bool = True,
) -> Sent:
    """A new one-time link (the previous one stops working) in the letter, sent by e-mail to the client in
    their language (`send`), or only returned to be printed. `subject`/`body`: the broker's edit for this send."""
    if not access.is_active:
        raise ValidationError(_("The access was revoked: create it again first."))
    client = access.client
    letter = letter_for(client, by=by)
    invitation, token = invitations.issue(
        user=access.user, purpose=Purpose.CLIENT, by=_user(by), client=client, office=client.office
    )
    url = invitations.link(request, token)
    text = letters.with_link(body if body is not None else letter.body, url)
    title = " ".join((subject if subject is not None else letter.subject).split())[:200]
    if send:
        message = EmailMessage(
            subject=title,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[access.user.email],
            reply_to=_reply_to(by, client),
        )
        try:
            message.send()
        except OSError:  # SMTP refused or unreachable: nothing is kept, the broker is told
            raise ValidationError(_("The e-mail could not be sent. Try again later, or print the letter.")) from None
        record(client, EventKind.INVITATION_SENT, by=by, detail=access.user.email)
    else:
        record(client, EventKind.INVITATION_PRINTED, by=by, detail=access.user.email)
    return Sent(invitation=invitation, link=url, subject=title, body=text)


@transaction.atomic
def access_revoke(*, client: Client, by: Any) -> ClientAccess | None:
    """Ends the access and the client's sessions at once (see the module's docstring); its links stop working."""
    access = ClientAccess.objects.select_related("user").filter(client=client).first()
    if access is None or not access.is_active:
        return access
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])
    invitations.revoke(user=access.user, purpose=Purpose.CLIENT, client=client)
    user = access.user
    user.is_active = False
    user.set_unusable_password()  # the session's hash no longer matches: every open session ends
    user.save(update_fields=["is_active", "password"])
    _delete_sessions(user)
    record(client, EventKind.ACCESS_REVOKED, by=by, detail=user.email)
    return access


def _delete_sessions(user: User) -> None:
    """The database sessions of `user` deleted too (when that is the store): not only refused, gone."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    from django.contrib.sessions.models import Session

    key = str(user.pk)
    stale = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get("_auth_user_id") == key
    ]
    Session.objects.filter(pk__in=stale).delete()


@invitations.on_accept(Purpose.CLIENT)
def _client_accepted(invitation: Invitation) -> None:
    if invitation.client is not None:
        record(invitation.client, EventKind.INVITATION_ACCEPTED, by=invitation.user, detail=invitation.email)


# The state shown in the Team section and by the API --------------------------------------------------------


@dataclass
class AccessState:
    client: Client
    access: ClientAccess | None
    invitation: Invitation | None

    @property
    def status(self) -> str:
        """none, active (password chosen), pending, expired, revoked."""
        if self.access is None:
            return "none"
        if not self.access.is_active:
            return "revoked"
        if self.invitation is None:
            return "active" if self.access.user.has_usable_password() else "not_invited"
        status = self.invitation.status
        if status == "accepted":
            return "active"
        if status == "replaced":
            return "pending"
        return str(status)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def email(self) -> str:
        return self.access.user.email if self.access else ""

    @property
    def last_login(self) -> Any:
        return self.access.user.last_login if self.access else None


STATUS_LABELS = {
    "none": gettext_lazy("No access"),
    "active": gettext_lazy("Active"),
    "pending": gettext_lazy("Invitation pending"),
    "expired": gettext_lazy("Invitation expired"),
    "revoked": gettext_lazy("Revoked"),
    "not_invited": gettext_lazy("Not invited yet"),
}


def access_state(client: Client) -> AccessState:
    access = ClientAccess.objects.select_related("user").filter(client=client).first()
    invitation = (
        invitations.latest(user=access.user, purpose=Purpose.CLIENT, client=client) if access is not None else None
    )
    return AccessState(client=client, access=access, invitation=invitation)
