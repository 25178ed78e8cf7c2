"""The OpenAPI document states every answer and every code list exactly.

- Every operation answers something it documents: each 2xx has a JSON schema (204 has no body), the
  analysis included; a schema is never the empty one that any answer would match.
- Every `enum` in the document is one of the code lists defined once in the models (`TextChoices`) or a
  catalogue, and equal to it; no api.py writes a code list by hand (`Literal["a", "b"]`), sorts aside.
"""

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ninja.responses import NinjaJSONEncoder

from pilier.analysis.engine.payout import TAX_REGIMES
from pilier.analysis.labels import ANNUITY_OPTIONS, PRODUCTS
from pilier.analysis.rulebook import available_years
from pilier.api import api
from pilier.clients.models import CareerStatus, ClientLanguage, Gender, SocialStatus
from pilier.couplings.models import ImportKind, ImportStatus
from pilier.followup.models import Flow
from pilier.followup.models import Status as FollowUpStatus
from pilier.policies.catalogue import TYPES, Section
from pilier.policies.insurers import insurers
from pilier.policies.models import PaymentFrequency, PolicyStatus

ROOT = Path(__file__).resolve().parents[2]
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document as served (JSON: a tuple is a list)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return _resolve(document, target)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_success_answer_has_a_schema(document: dict[str, Any]) -> None:
    problems = []
    operations = list(_operations(document))
    assert len(operations) >= 19  # the walk sees the whole document
    for name, operation in operations:
        successes = {str(s): r for s, r in operation["responses"].items() if str(s).startswith("2")}
        if not successes:
            problems.append(f"{name}: no 2xx answer documented")
        for status, response in successes.items():
            content = response.get("content") or {}
            if status == "204":
                if content:
                    problems.append(f"{name} 204: a body is documented")
                continue
            schema = (content.get("application/json") or {}).get("schema")
            if not schema:
                problems.append(f"{name} {status}: no JSON schema")
                continue
            resolved = _resolve(document, schema)
            if not {"type", "anyOf", "oneOf", "allOf", "enum"} & resolved.keys():
                problems.append(f"{name} {status}: the schema states nothing ({resolved})")
            elif resolved.get("type") == "object" and not resolved.get("properties"):
                problems.append(f"{name} {status}: an object without properties")
    assert problems == []


def test_the_analysis_answer_names_every_product_and_regime(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/v1/clients/{client_id}/analysis"]["get"]
    analysis = _resolve(document, operation["responses"]["200"]["content"]["application/json"]["schema"])
    products = analysis["properties"]["products"]
    assert products["required"] == list(PRODUCTS) and products["additionalProperties"] is False
    product = _resolve(document, products["properties"]["plci"])
    regimes = next(b for b in product["properties"]["regimes"]["anyOf"] if b.get("type") == "object")
    assert regimes["required"] == ["30", "25"] and regimes["additionalProperties"] is False
    regime = _resolve(document, regimes["properties"]["30"])
    assert regime["required"] == ["max", "tax_reduction", "room"]


def test_the_income_operation_is_a_client_operation(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/v1/clients/{client_id}/incomes/{year}"]["put"]
    assert operation["tags"] == ["clients"]
    assert operation["operationId"] == "pilier_clients_api_put_income"
    assert _resolve(document, operation["responses"]["200"]["content"]["application/json"]["schema"])["properties"]


def _enums(node: Any, where: str) -> Iterator[tuple[str, list[Any]]]:
    """Every `enum` under `node`, named by where it is (a component's property, an operation's parameter)."""
    if isinstance(node, dict):
        if "enum" in node:
            yield where, node["enum"]
        for key, value in node.items():
            if key in ("anyOf", "oneOf", "allOf", "items", "schema"):
                yield from _enums(value, where)
            elif key == "properties":
                for name, prop in value.items():
                    yield from _enums(prop, f"{where}.{name}")
    elif isinstance(node, list):
        for item in node:
            yield from _enums(item, where)


def _document_enums(document: dict[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for component, schema in document["components"]["schemas"].items():
        for where, values in _enums(schema, component):
            found[where] = values
    for name, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            for where, values in _enums(parameter.get("schema", {}), f"{name} ?{parameter['name']}"):
                found[where] = values
    return found


def test_every_code_list_is_the_models_choices(document: dict[str, Any]) -> None:
    social, gender, language = list(SocialStatus.values), list(Gender.values), list(ClientLanguage.values)
    career, types, sections = list(CareerStatus.values), list(TYPES), list(Section.values)
    status, frequency = list(PolicyStatus.values), list(PaymentFrequency.values)
    insurer_codes = [i.code for i in insurers()]
    expected: dict[str, list[Any]] = {
        "ClientOut.gender": gender,
        "ClientOut.language": language,
        "ClientPatch.gender": gender,
        "ClientPatch.language": language,
        "ClientIn.gender": gender,
        "ClientIn.language": language,
        "SocialStatusOut.code": social,
        "SocialStatusIn.code": social,
        "CareerLineOut.status": career,
        "CareerLinePatch.status": career,
        "CareerLineIn.status": career,
        **{f"{schema}.section": sections for schema in ("PolicyOut", "PolicyPatch", "PolicyIn")},
        **{f"{schema}.type": types for schema in ("PolicyOut", "PolicyPatch", "PolicyIn")},
        **{f"{schema}.status": status for schema in ("PolicyOut", "PolicyPatch", "PolicyIn")},
        **{f"{schema}.payment_frequency": frequency for schema in ("PolicyOut", "PolicyPatch", "PolicyIn")},
        "PolicyPatch.insurer": insurer_codes,
        "PolicyIn.insurer": insurer_codes,
        "AssumptionsOut.annuity_option": list(ANNUITY_OPTIONS),
        "PolicyProjectionOut.tax_regime": ["", *TAX_REGIMES],
        "GET /api/v1/clients/{client_id}/analysis ?option": list(ANNUITY_OPTIONS),
        "GET /api/v1/clients/{client_id}/analysis ?year": list(available_years()),
        "FilesQuery.year": list(available_years()),
        "Flow": list(Flow.values),
        "FilesQuery.flow": list(Flow.values),
        "Status": list(FollowUpStatus.values),
        "GET /api/v1/pro-follow-up ?year": list(available_years()),
        "GET /api/v1/pro-follow-up/files ?year": list(available_years()),
        "GET /api/v1/pro-follow-up/files ?flow": list(Flow.values),
        "PUT /api/v1/clients/{client_id}/pro-follow-up/{year} ?year": list(available_years()),
        "ImportOut.kind": list(ImportKind.values),
        "ImportOut.status": list(ImportStatus.values),
        "Accepted.status": list(ImportStatus.values),
        # A sort is the API's own list, not a model's choice.
        "GET /api/v1/clients ?sort": ["name", "-name", "number", "-number", "created", "-created"],
    }
    assert _document_enums(document) == expected


# A `Literal` of strings in an api.py: a code list written by hand (the sorts are the API's own).
HAND_WRITTEN_ALLOWED = {("pilier/clients/api.py", "sort")}


def _hand_written_literals(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        targets: list[str] = []
        annotation: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            annotation = node.annotation
            targets = [node.target.id] if isinstance(node.target, ast.Name) else []
        elif isinstance(node, ast.Assign):
            annotation = node.value
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.arg):
            annotation, targets = node.annotation, [node.arg]
        if annotation is None:
            continue
        for sub in ast.walk(annotation):
            if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id == "Literal":
                constants = [c for c in ast.walk(sub.slice) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
                if constants:
                    yield targets[0] if targets else f"line {sub.lineno}"


def test_no_api_writes_a_code_list_by_hand() -> None:
    found = set()
    for path in sorted(ROOT.glob("pilier/**/api.py")):
        relative = path.relative_to(ROOT).as_posix()
        found |= {(relative, name) for name in _hand_written_literals(path)}
    assert found - HAND_WRITTEN_ALLOWED == set()


CHOICE_FR = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "where", "body", "field"),
    [
        ("patch", "client", {"gender": "Q"}, "gender"),
        ("patch", "client", {"language": "FR"}, "language"),
        ("patch", "client", {"social_status": {"code": "retired "}}, "social_status.code"),
        ("post", "career", {"from_year": 2010, "status": "Employee"}, "status"),
        ("post", "policies", {"section": "pension", "type": "plci2", "insurer": "ERGO", "number": "1"}, "type"),
        ("post", "policies", {"section": 1, "type": "plci", "insurer": "ERGO", "number": "1"}, "section"),
        ("get", "analysis", {"option": "indexed "}, "option"),
    ],
)
def test_a_code_outside_the_list_is_refused_in_french(
    method: str, where: str, body: dict[str, Any], field: str, api: Any, world: Any
) -> None:
    base = f"/api/v1/clients/{world.client.pk}"
    url = {
        "client": base,
        "career": f"{base}/career-lines",
        "policies": f"{base}/policies",
        "analysis": f"{base}/analysis",
    }[where]
    response = api.get(url, **body) if method == "get" else getattr(api, method)(url, body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {field: [CHOICE_FR]}
