import pytest
from django.test import RequestFactory

from pilier.portal import services


@pytest.fixture
def rf_request(world):
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    request.user = world.alice
    return request


@pytest.fixture
def portal_client(world):
    """`world.client` (Marc Dubois) with an e-mail address and an access, invited: (access, token)."""
    file = world.client
    file.email = "marc.dubois@example.be"
    file.language = "nl"
    file.save()
    return file


@pytest.fixture
def invite(rf_request, world):
    """`invite(file, **kwargs)`: the file's access created and a link sent; returns (access, token)."""

    def make(file, **kwargs):
        access = services.access_create(client=file, by=world.alice, **kwargs)
        sent = services.invite(rf_request, access=access, by=world.alice)
        return access, sent.link.rstrip("/").rsplit("/", 1)[1]

    return make
