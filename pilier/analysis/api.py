import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from pilier.accounts.access import client_for_user
from pilier.lib.api_codes import Codes
from pilier.lib.api_errors import FieldErrors

from .engine.payout import TAX_REGIMES
from .forms import COEFFICIENT_RANGE, MARGINAL_RATE_RANGE, RATE_RANGE, AssumptionsForm
from .labels import ANNUITY_OPTIONS, ASSUMPTIONS, PRODUCTS, missing_item
from .presenters import steps_as_data
from .rulebook import available_years
from .selectors import analysis_for_client, default_year

router = Router(tags=["analysis"])

AnnuityOption = Annotated[str, Codes(ANNUITY_OPTIONS)]
# "" for a policy without a payout regime (4th pillar).
TaxRegime = Annotated[str, Codes(("", *TAX_REGIMES))]


def _number(minimum, maximum) -> WithJsonSchema:
    """The range the form checks (with its translated messages), stated in the schema."""
    return WithJsonSchema({"type": "number", "minimum": float(minimum), "maximum": float(maximum)})


RulesYear = Annotated[
    int,
    WithJsonSchema({"type": "integer", "enum": available_years(), "description": "A year the rules know"}),
]


def _money(value) -> str | None:
    return None if value is None else str(value)


def _figure(figure) -> dict | None:
    if figure is None:
        return None
    return {"value": _money(figure.value), "steps": steps_as_data(figure), "unverified": figure.unverified}


class StepOut(Schema):
    name: str
    label: str = Field(..., description="In the caller's language")
    op: str = Field(..., description="input, param, assume, or the operation applied to `args`")
    args: list[str] = Field(..., description="Names of earlier steps, or constants")
    value: str | None
    source: str | None = Field(..., description="Where an input or a legal figure comes from")
    parameter: str | None = Field(..., description="The rules key of a legal figure")
    verified: bool
    note: str | None


class FigureOut(Schema):
    value: str | None = Field(..., description="null while inputs are missing")
    steps: list[StepOut]
    unverified: list[str]


class RegimeOut(Schema):
    max: str | None = Field(..., description="The most the premium may be in this regime")
    tax_reduction: str | None
    room: str | None


# The pension savings' two regimes, by their rate in percent.
REGIMES = ("30", "25")


def _named(keys: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    """An object's schema with exactly these keys (each as its `additionalProperties` says): the answer always
    has them all."""

    def tighten(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):  # `| None`: the object's branch
            if branch.get("type") == "object":
                value = branch.pop("additionalProperties")
                branch["properties"] = {key: value for key in keys}
                branch["required"] = list(keys)
                branch["additionalProperties"] = False

    return tighten


class ProductOut(Schema):
    label: str
    applicable: bool
    reason: str | None = Field(..., description="Why the product does not apply")
    max_premium: str | None
    paid: str | None
    room: str | None
    steps: list[StepOut]
    unverified: list[str]
    missing: list[str]
    back_service: FigureOut | None = Field(None, description="EIP and CPTI: the back-service premium")
    regimes: dict[str, RegimeOut] | None = Field(
        None,
        description="Pension savings: `max`, `tax_reduction` and `room` in the 30 % and 25 % regimes",
        json_schema_extra=_named(REGIMES),
    )


class AssumptionUsedOut(Schema):
    name: str = Field(..., description="technical_rate, marginal_rate, annuity_option or active_until_legal_age")
    label: str = Field(..., description="In the caller's language")
    value: str | None = Field(..., description="A decimal string (rates as fractions), an option code, or true/false")
    chosen: bool = Field(..., description="true: given in this request; false: the rules' named default")
    source: str | None = Field(..., description="Where the default comes from")
    url: str | None
    verified: bool


class AssumptionsOut(Schema):
    technical_rate: str | None = Field(..., description="The technical interest rate used (a fraction)")
    annuity_option: AnnuityOption
    coefficient: str | None = Field(..., description="The coefficient given where the rules have none")
    marginal_rate: str | None = Field(None, description="The marginal tax rate used for a fictitious annuity")
    active_until_legal_age: bool | None = Field(None, description="Whether the client is assumed active until then")
    used: list[AssumptionUsedOut] = Field(
        default_factory=list, description="Every assumption the figures rest on, chosen or by default"
    )


class PolicyProjectionOut(Schema):
    policy: str
    label: str
    gross: FigureOut | None
    net: FigureOut | None = Field(
        ...,
        description="null for a policy without a payout regime (4th pillar); `net.value` null when the net is "
        "unknown (a missing input or assumption, e.g. the marginal rate of a fictitious annuity)",
    )
    tax_regime: TaxRegime = Field(
        ...,
        description="How the capital is taxed at payout: fictitious_annuity (PLCI, INAMI contract), separate_10 / "
        "separate_16_5 / separate_18 / separate_20 (EIP, group insurance), cpti_10 / cpti_33, anticipatory_8 "
        "(pension savings), anticipatory_10 (long-term savings); empty for the 4th pillar",
    )


class CapitalOut(Schema):
    year: int
    capital: str | None


class ProjectionOut(Schema):
    years_left: int | None
    policies: list[PolicyProjectionOut]
    total_gross: str | None
    total_net: str | None = Field(
        ...,
        description="The sum of the policies' net capitals; null when any policy's net is unknown (see "
        "`net_unknown`): a gross capital is never added in its place",
    )
    total_net_known: str | None = Field(..., description="The sum of the nets that are known")
    net_unknown: list[str] = Field(..., description="Labels of the policies whose net is unknown")
    series: list[CapitalOut]
    gap_to_80_percent: FigureOut | None


class MissingOut(Schema):
    code: str
    label: str


class AnalysisOut(Schema):
    client: uuid.UUID
    year: int
    assumptions: AssumptionsOut
    products: dict[str, ProductOut] = Field(
        ..., description="Every product, by its code", json_schema_extra=_named(tuple(PRODUCTS))
    )
    projection: ProjectionOut
    missing: list[MissingOut]
    unverified: list[str]


def _assumption_value(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _assumptions(analysis, options) -> dict[str, Any]:
    used = analysis.assumptions
    active = used["active_until_legal_age"].value
    return {
        "technical_rate": _money(used["technical_rate"].value),
        "annuity_option": used["annuity_option"].value,
        "coefficient": _money(options.coefficient),
        "marginal_rate": _money(used["marginal_rate"].value),
        "active_until_legal_age": active if isinstance(active, bool) else None,
        "used": [
            {
                "name": a.name,
                "label": str(ASSUMPTIONS[a.name]),
                "value": _assumption_value(a.value),
                "chosen": a.chosen,
                "source": a.param.source if a.param and not a.chosen else None,
                "url": a.param.url if a.param and not a.chosen else None,
                "verified": True if a.chosen else bool(a.param and a.param.verified),
            }
            for a in used.values()
        ],
    }


@router.get(
    "/clients/{client_id}/analysis",
    response=AnalysisOut,
    summary="What the client can still put into each product this year, explained",
    description="Amounts are decimal strings. `unverified` lists the rules keys not yet confirmed by a primary "
    "source that a figure depends on. `missing` lists the inputs to complete. Assumptions: `rate` is the "
    "technical interest rate in percent (e.g. 1.75); `option` the annuity (plain, indexed, reversible, "
    "indexed_reversible); `coefficient` a conversion coefficient where the rules have none for the age; "
    "`marginal_rate` the client's marginal tax rate at payout in percent; `active` whether the client stays active "
    "until the legal pension age. Each one left out takes the rules' named default: `assumptions.used` says "
    "which value was used and where it comes from.",
)
def get_analysis(
    request,
    client_id: uuid.UUID,
    year: RulesYear | None = None,
    rate: Annotated[Decimal, _number(*RATE_RANGE)] | None = None,
    option: AnnuityOption | None = None,
    coefficient: Annotated[Decimal, _number(*COEFFICIENT_RANGE)] | None = None,
    marginal_rate: Annotated[Decimal, _number(*MARGINAL_RATE_RANGE)] | None = None,
    active: bool | None = None,
):
    client = client_for_user(request.actor, client_id)
    year = default_year() if year is None else year
    if year not in available_years():
        years = ", ".join(map(str, available_years()))
        raise FieldErrors({"year": [_("Choose a year the rules know: %(years)s.") % {"years": years}]})
    assumptions = AssumptionsForm(
        {
            "rate": rate,
            "coefficient": coefficient,
            "option": option,
            "marginal_rate": marginal_rate,
            "active": None if active is None else ("yes" if active else "no"),
        }
    )
    if not assumptions.is_valid():
        raise FieldErrors({k: [str(m) for m in v] for k, v in assumptions.errors.items()})
    options = assumptions.options()
    analysis, _inputs = analysis_for_client(client, year, options)
    products = {}
    for key, product in analysis.products.items():
        products[key] = {
            "label": str(PRODUCTS[key]),
            "applicable": product.applicable,
            "reason": product.reason or None,
            "max_premium": _money(product.max_premium.value),
            "paid": _money(product.paid),
            "room": _money(product.room.value),
            "steps": steps_as_data(product.room if product.room.value is not None else product.max_premium),
            "unverified": product.unverified,
            "missing": product.missing,
        }
        if "back_service" in product.extra:
            products[key]["back_service"] = _figure(product.extra["back_service"])
        if "regimes" in product.extra:
            products[key]["regimes"] = {
                k: {name: _money(v) for name, v in regime.items()} for k, regime in product.extra["regimes"].items()
            }
    projection = analysis.projection
    return {
        "client": str(client.pk),
        "year": year,
        "assumptions": _assumptions(analysis, options),
        "products": products,
        "projection": {
            "years_left": projection.years_left,
            "policies": [
                {
                    "policy": p.policy_id,
                    "label": p.label,
                    "gross": _figure(p.gross),
                    "net": _figure(p.net),
                    "tax_regime": p.tax_regime,
                }
                for p in projection.policies
            ],
            "total_gross": _money(projection.total_gross),
            "total_net": _money(projection.total_net),
            "total_net_known": _money(projection.total_net_known),
            "net_unknown": projection.net_unknown,
            "series": [{"year": y, "capital": _money(v)} for y, v in projection.series],
            "gap_to_80_percent": _figure(analysis.gap),
        },
        "missing": [
            {"code": code, "label": str(missing_item(code, client, year)["label"])} for code in analysis.missing
        ],
        "unverified": analysis.unverified,
    }
