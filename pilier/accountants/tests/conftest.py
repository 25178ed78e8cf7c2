import datetime

import pytest

from pilier.tests.factories import CareerLineFactory, ClientFactory, PolicyFactory


@pytest.fixture
def pro(world):
    """A self-employed file of `office` born 1980, self-employed since 2004, with an income: PRO follow-up can
    be activated on it. `world.client` stays an employee."""
    file = ClientFactory.create(
        office=world.office,
        last_name="Lambert",
        first_name="Paul",
        social_status="self_employed",
        birth_date=datetime.date(1980, 5, 1),
        account_manager=world.alice,
    )
    CareerLineFactory(client=file, from_year=2004, status="self_employed")
    return file


@pytest.fixture
def make_pro(world):
    def make(office=None, *, policy: dict | None = None, status="self_employed", **fields):
        file = ClientFactory.create(
            office=office or world.office, social_status=status, birth_date=datetime.date(1975, 3, 1), **fields
        )
        CareerLineFactory(client=file, from_year=2000, status="self_employed")
        if policy is not None:
            PolicyFactory(client=file, **policy)
        return file

    return make
