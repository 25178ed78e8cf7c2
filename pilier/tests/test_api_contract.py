"""The API keeps the promises of its OpenAPI document: Schemathesis sends every operation a bounded,
reproducible set of requests (examples, the coverage of each parameter's edges, valid and invalid data)
as a staff member of an office with a few files, and every answer is documented and never a 500."""

import json
import uuid
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import translation
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import api_headers
from pilier.tests.factories import CareerLineFactory, ClientFactory, PolicyFactory

pytestmark = pytest.mark.api_contract

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 9,
        "generation": {"mode": "all"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)

# Loaded over https: outside a test the settings are production's, which redirect plain http.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG, base_url="https://localhost"
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# Schema-valid data must be accepted (2xx, or 404 for an id that does not exist): the schema states what the
# forms check. Except where a form applies a rule JSON Schema cannot state, answered with a 422 and its reason
# per field: check digits (national and enterprise numbers), a period ending before it starts, the number
# format of the insurer chosen; and an import of no records (minItems is not stated yet).
RULES_BEYOND_THE_SCHEMA = {
    "POST /api/v1/clients",
    "PATCH /api/v1/clients/{client_id}",
    "POST /api/v1/clients/{client_id}/career-lines",
    "PATCH /api/v1/clients/{client_id}/career-lines/{line_id}",
    "POST /api/v1/clients/{client_id}/policies",
    "PATCH /api/v1/policies/{policy_id}",
    # PRO follow-up only for a self-employed person, a company director or an assisting spouse; a status only
    # in the file's own flow, once follow-up is on (pilier/followup/rules.py)
    "PUT /api/v1/clients/{client_id}/pro-follow-up",
    "PUT /api/v1/clients/{client_id}/pro-follow-up/{year}",
    # the client's address: not a staff member's, not one that opens another file (pilier/portal/services.py)
    "POST /api/v1/clients/{client_id}/access",
    # a letter needs a subject and a text (an empty one is refused with its reason)
    "PUT /api/v1/letter-templates/client-access/{lang}",
    # an enterprise number's check digits, an e-mail already in the directory (pilier/accountants/services.py)
    "POST /api/v1/accountants",
    # an accountant on a file only once its PRO follow-up is on, one that is in the directory
    "PUT /api/v1/clients/{client_id}/accountant",
    # an empty file is refused with its reason (a multipart binary's minimum size is not stated)
    "POST /api/v1/portfolio-imports",
}


@pytest.fixture
def wsgi_app():
    """The WSGI application as the server runs it, but keeping the test's database connection open
    (as Django's test client does): each request runs inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()  # a new handler: its middleware reads the test settings
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def office_ids(world):
    """A staff member's token and the ids of what they can reach: files with a career line and
    policies, an import."""
    CareerLineFactory(client=world.client, from_year=2005, status="employee")
    PolicyFactory(client=world.client)
    PolicyFactory(client=world.restricted)
    for i in range(3):
        ClientFactory(office=world.office, last_name=f"Janssens {i}", account_manager=world.bob)
    return {
        "token": world.token(world.alice),
        "client_id": str(world.client.pk),
        "line_id": str(world.line_of(world.client).pk),
        "policy_id": str(world.policy_of(world.client).pk),
        "import_id": str(world.import_of(world.office).pk),
    }


def _reach_existing_ids(case, ids: dict) -> None:
    """Two cases in three are sent to objects that exist (a valid UUID is replaced by the id of the
    same kind), the third keeps its random UUID: both the real path and the 404 are walked."""
    params = case.path_parameters or {}
    names = [name for name in params if name in ids]
    if not names:
        return
    try:
        for name in names:
            uuid.UUID(str(params[name]))
    except ValueError:
        return  # an invalid id is the point of this case
    if zlib.crc32(repr((sorted(params.items()), case.query, case.body)).encode()) % 3:
        for name in names:
            params[name] = ids[name]


TOKEN = "staff-token"  # replaced by the test's token when sent (some cases are built at collection)


@schema.auth(refresh_interval=None)
class StaffToken:
    """The staff member's bearer token, on every request except those testing a missing one."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,  # the same requests on every run
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),  # the fixture is shared on purpose; patterns filter a lot
)
def test_every_operation_keeps_its_contract(case, office_ids, wsgi_app):
    _reach_existing_ids(case, office_ids)
    if (case.headers or {}).get("Authorization") == f"Bearer {TOKEN}":
        case.headers["Authorization"] = f"Bearer {office_ids['token']}"
    with translation.override("en"), transaction.atomic():
        try:
            checks = CHECKS if case.operation.label in RULES_BEYOND_THE_SCHEMA else [*CHECKS, positive_data_acceptance]
            case.call_and_validate(app=wsgi_app, checks=checks)
        finally:
            transaction.set_rollback(True)  # every request sees the same office


# The findings, one by one ----------------------------------------------------------------------

NOT_OBJECTS = [[], [None, None], "x", 1, True, None]


@pytest.fixture
def alice(client, world):
    client.defaults.update(api_headers(world.token(world.alice)))
    return client


def _patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("body", NOT_OBJECTS, ids=repr)
def test_a_patch_whose_body_is_not_an_object_is_refused_and_changes_nothing(alice, world, body):
    line, policy = world.line_of(world.client), world.policy_of(world.client)
    urls = [
        f"/api/v1/clients/{world.client.pk}",
        f"/api/v1/clients/{world.client.pk}/career-lines/{line.pk}",
        f"/api/v1/policies/{policy.pk}",
    ]
    with translation.override("en"):
        for url in urls:
            response = _patch(alice, url, body)
            assert response.status_code == 422, url
            assert response.json()["errors"] == {"__all__": ["Un objet JSON est attendu ici."]}
        response = alice.put(
            f"/api/v1/clients/{world.client.pk}/incomes/2025", data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422
    assert world.client.history.count() == 1  # created, never changed


@pytest.mark.django_db
def test_an_address_or_a_social_status_that_is_not_an_object_is_refused(alice, world):
    with translation.override("en"):
        response = _patch(alice, f"/api/v1/clients/{world.client.pk}", {"address": [], "social_status": "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "address": ["Un objet JSON est attendu ici."],
        "social_status": ["Un objet JSON est attendu ici."],
    }


@pytest.mark.django_db
def test_an_unknown_id_is_a_404_in_the_api_error_shape_and_the_callers_language(alice, world):
    with translation.override("en"):
        response = alice.get(f"/api/v1/clients/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": "Introuvable."}


def test_every_operation_documents_its_errors_with_the_error_schema():
    document = schema.raw_schema
    components = document["components"]["schemas"]
    assert set(components["ErrorOut"]["properties"]) == {"detail", "errors"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "429"} <= statuses, (method, path)
            if "{" in path:
                assert {"404", "422"} <= statuses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= statuses, (method, path)
            for status in statuses - {"200", "201", "202", "204"}:
                ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                error = components[ref.rsplit("/", 1)[1]]
                assert error["required"][0] == "detail", (method, path, status)
                assert error["properties"]["detail"]["type"] == "string", (method, path, status)
