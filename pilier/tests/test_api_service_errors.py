"""A service's ValidationError raised inside an API operation is a 422 with its messages per field, in the
caller's language: one handler (pilier.lib.api_errors) for every operation, never a 500.

The forms ask the services' `*_validate` first, so a rule refused there never reaches the service call; here
the service itself refuses (as it would for a rule only it checks, or a writer without a form), with the
errors of the real policy rules."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as DjangoClient

from conftest import World, api_headers
from pilier.clients import services as client_services
from pilier.policies import rules
from pilier.policies import services as policy_services
from pilier.tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


def _refuse_main(**kwargs: Any) -> Any:
    rules.check_main("term_life", True)  # {"is_main": "This type of policy has no main policy."}


def _refuse_dates(**kwargs: Any) -> Any:
    raise ValidationError(
        {
            "end_date": ValidationError(rules.END_BEFORE_START, code="end_before_start"),
            "is_main": ValidationError(rules.NO_MAIN_GROUP, code="no_main_group"),
        }
    )


def _refuse_whole(**kwargs: Any) -> Any:
    raise ValidationError(rules.END_BEFORE_START, code="end_before_start")  # about no one field


MAIN_FR = "Ce type de police n'a pas de police principale."
DATES_FR = "La date de fin est antérieure à la date d'effet."


def _operations(world: World) -> dict[str, tuple[str, str, dict[str, Any], Any, str]]:
    """name: (method, url, a body the form accepts, the module and the service the operation calls)."""
    policy = PolicyFactory.create(client=world.client, type="plci", section="pension")
    client = world.client.pk
    return {
        "policy create": (
            "post",
            f"/api/v1/clients/{client}/policies",
            {"section": "pension", "type": "plci", "insurer": "ERGO", "number": "330021091-R02"},
            policy_services,
            "policy_create",
        ),
        "policy update": ("patch", f"/api/v1/policies/{policy.pk}", {"notes": "x"}, policy_services, "policy_update"),
        "client update": (
            "patch",
            f"/api/v1/clients/{client}",
            {"phone": "0470 12 34 56"},
            client_services,
            "client_update",
        ),
        "career line": (
            "post",
            f"/api/v1/clients/{client}/career-lines",
            {"from_year": 2010, "status": "employee"},
            client_services,
            "career_line_create",
        ),
        "income": (
            "put",
            f"/api/v1/clients/{client}/incomes/2025",
            {"net_taxable_professional_income": "40000.00"},
            client_services,
            "income_set",
        ),
    }


OPERATIONS = ["policy create", "policy update", "client update", "career line", "income"]


def _call(client: DjangoClient, world: World, method: str, url: str, body: dict[str, Any]) -> Any:
    send: Callable[..., Any] = getattr(client, method)
    return send(url, body, content_type="application/json", **api_headers(world.token(world.alice)))


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_service_refusal_is_a_422_per_field_in_french(
    name: str, client: DjangoClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    method, url, body, module, service = _operations(world)[name]
    monkeypatch.setattr(module, service, _refuse_main)
    response = _call(client, world, method, url, body)
    assert response.status_code == 422, response.content
    assert response.json() == {"detail": "Données non valides.", "errors": {"is_main": [MAIN_FR]}}


def test_every_field_refused_is_named(client: DjangoClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    method, url, body, module, service = _operations(world)["policy update"]
    monkeypatch.setattr(module, service, _refuse_dates)
    response = _call(client, world, method, url, body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"end_date": [DATES_FR], "is_main": [MAIN_FR]}


def test_a_refusal_of_the_whole_object_is_under_all(
    client: DjangoClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    method, url, body, module, service = _operations(world)["client update"]
    monkeypatch.setattr(module, service, _refuse_whole)
    response = _call(client, world, method, url, body)
    assert response.status_code == 422
    assert response.json() == {"detail": "Données non valides.", "errors": {"__all__": [DATES_FR]}}


def test_in_dutch_for_a_dutch_user(client: DjangoClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.alice.language = "nl"
    world.alice.save()
    method, url, body, module, service = _operations(world)["income"]
    monkeypatch.setattr(module, service, _refuse_main)
    response = _call(client, world, method, url, body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Ongeldige invoer.",
        "errors": {"is_main": ["Dit type polis heeft geen hoofdpolis."]},
    }
