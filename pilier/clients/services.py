"""Writes on client files. Validation of user input happens in the forms (shared by pages and API);
these functions still `full_clean()` so that nothing invalid reaches the database."""

from django.db import transaction

from .models import IDENTITY_FIELDS, SOCIAL_STATUS_FIELDS, Client


def _apply(client: Client, fields: dict, allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name!r}")
        if getattr(client, name) != value:
            setattr(client, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def client_create(*, office, **fields) -> Client:
    status = {k: fields.pop(k) for k in SOCIAL_STATUS_FIELDS if k in fields}
    client = Client(office=office)
    _apply(client, fields, IDENTITY_FIELDS)
    _apply(client, status, SOCIAL_STATUS_FIELDS)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, **fields) -> Client:
    changed = _apply(client, fields, IDENTITY_FIELDS + SOCIAL_STATUS_FIELDS)
    if changed:
        client.full_clean()
        client.save()
    return client


def client_set_social_status(*, client: Client, **status) -> Client:
    return client_update(client=client, **{k: status.get(k) for k in SOCIAL_STATUS_FIELDS if k in status})


def client_reassign(*, client: Client, account_manager, file_manager) -> Client:
    return client_update(client=client, account_manager=account_manager, file_manager=file_manager)


@transaction.atomic
def client_delete(*, client: Client) -> None:
    # The history keeps the deleted file's last state (django-simple-history records deletions).
    client.delete()
