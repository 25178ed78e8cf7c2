"""JSON bodies the API cannot read: a 400 with the reason, in the caller's language, on every kind of
operation that takes one; never a 500."""

import json

import pytest

from conftest import api_headers
from pilier.couplings.models import ImportRun
from pilier.lib.api_parser import MAX_DEPTH, parse_json

pytestmark = pytest.mark.django_db

NOT_UTF8 = "The request body is not UTF-8 text (byte 1)."
TOO_DEEP = "The JSON is nested too deeply."
NOT_JSON = "The request body is not valid JSON."

BODIES = {
    "a byte that is not UTF-8": (b"\xff", NOT_UTF8),
    "UTF-16": ('{"last_name": "Dubois"}'.encode("utf-16"), NOT_UTF8),
    "200,000 nested lists": (b"[" * 200_000, TOO_DEEP),
    "200,000 nested objects": (b'{"a":' * 200_000, TOO_DEEP),
    "nesting deeper than any body, closed": (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), TOO_DEEP),
    "NaN, which is not JSON": (b'{"last_name": NaN}', NOT_JSON),
    "a body cut short": (b'{"last_name": "Dub', NOT_JSON),
}


def operations(world) -> dict:
    client, policy = world.client, world.policy_of(world.client)
    line = world.line_of(client)
    return {
        "create a client": ("post", "/api/v1/clients"),
        "change a client": ("patch", f"/api/v1/clients/{client.pk}"),
        "add a career line": ("post", f"/api/v1/clients/{client.pk}/career-lines"),
        "change a career line": ("patch", f"/api/v1/clients/{client.pk}/career-lines/{line.pk}"),
        "add a policy": ("post", f"/api/v1/clients/{client.pk}/policies"),
        "change a policy": ("patch", f"/api/v1/policies/{policy.pk}"),
        "set an income": ("put", f"/api/v1/clients/{client.pk}/incomes/2025"),
        "import records": ("post", "/api/v1/portfolio-imports"),
    }


OPERATIONS = [
    "create a client",
    "change a client",
    "add a career line",
    "change a career line",
    "add a policy",
    "change a policy",
    "set an income",
    "import records",
]


@pytest.fixture
def english(world):
    world.alice.language = "en"
    world.alice.save(update_fields=["language"])


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("kind", list(BODIES))
def test_an_unreadable_json_body_is_a_400_with_its_reason(client, world, english, operation, kind):
    method, path = operations(world)[operation]
    body, message = BODIES[kind]
    client.raise_request_exception = False
    response = client.generic(
        method.upper(), path, data=body, content_type="application/json", **api_headers(world.token(world.alice))
    )
    assert response["Content-Type"].startswith("application/json")
    if operation == "import records" and kind == "nesting deeper than any body, closed":
        # Read, then refused at once as not a list of records (pilier/couplings/tests/test_uploads.py).
        assert response.status_code == 422
    else:
        assert response.status_code == 400, response.content[:300]
        assert response.json() == {"detail": message}
    assert not ImportRun.objects.exists()


def test_the_reason_is_in_the_callers_language(client, world):
    world.alice.language = "nl"
    world.alice.save(update_fields=["language"])
    response = client.post(
        "/api/v1/clients", b"\xff", content_type="application/json", **api_headers(world.token(world.alice))
    )
    assert response.status_code == 400 and response.json()["detail"]


def test_a_readable_body_still_reaches_the_operation(client, world, english):
    response = client.patch(
        f"/api/v1/clients/{world.client.pk}",
        json.dumps({"first_name": "Marcel"}).encode(),
        content_type="application/json; charset=utf-8",
        **api_headers(world.token(world.alice)),
    )
    assert response.status_code == 200 and response.json()["first_name"] == "Marcel"


def test_a_byte_order_mark_is_allowed_and_nesting_up_to_the_limit_is_read():
    assert parse_json(b"\xef\xbb\xbf" + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == json.loads(
        "[" * MAX_DEPTH + "]" * MAX_DEPTH
    )
