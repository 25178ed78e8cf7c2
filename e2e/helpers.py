"""What several browser tests share: the French the pages show, and the client they open."""

import datetime

from django.utils import translation

from pilier.clients.identifiers import national_number_for
from pilier.tests.factories import ClientFactory


def fr(msgid: str) -> str:
    """What the French interface shows for `msgid` (the msgid itself while it has no translation)."""
    with translation.override("fr"):
        return translation.gettext(msgid)


def sophie_lambert(world, birth: datetime.date, **fields):
    """Sophie Lambert, Alice's client in `world.office`, born on `birth` (her national number agrees)."""
    defaults = dict(
        office=world.office,
        last_name="Lambert",
        first_name="Sophie",
        national_number=national_number_for(birth, 57),
        birth_date=birth,
        account_manager=world.alice,
    )
    return ClientFactory(**(defaults | fields))
