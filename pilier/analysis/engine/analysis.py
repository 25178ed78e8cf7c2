from dataclasses import dataclass, field

from .assumptions import Assumption, annuity_option, resolve
from .eighty import coefficient_for, eighty_percent, legal_pension_and_target, legal_pension_needs
from .inputs import Inputs, Options, Rules
from .products import Product, long_term_savings, pension_savings, plci
from .projection import Projection, project
from .steps import Figure, Steps

PRODUCTS = ("plci", "plci_social", "eip", "cpti", "pension_savings", "long_term_savings")


@dataclass
class Analysis:
    year: int
    products: dict[str, Product]
    projection: Projection
    gap: Figure | None
    missing: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    # Every assumption the figures rest on, chosen by the broker or the rules' named default (in a fixed order).
    assumptions: dict[str, Assumption] = field(default_factory=dict)


def _gap(inputs: Inputs, rules: Rules, options: Options, projection: Projection) -> Figure | None:
    """80 % of the current income, less the legal pension estimate and the annuity of the capitals."""
    if projection.total_gross is None or inputs.years_left is None or not inputs.years_done:
        return None
    steps = Steps()
    missing: list[str] = []
    if inputs.social_status == "company_director" and inputs.gross_remuneration:
        year = (
            max(y for y in inputs.gross_remuneration if y <= inputs.year)
            if any(y <= inputs.year for y in inputs.gross_remuneration)
            else None
        )
        if year is None:
            return None
        steps.input("income", inputs.gross_remuneration[year].value, inputs.gross_remuneration[year].source)
    elif (inputs.year - 1) in inputs.net_income:
        income = inputs.net_income[inputs.year - 1]
        steps.input("income", income.value, income.source)
    else:
        return None
    param = rules.get("eighty.target_ratio")
    if param.value is None:
        missing.append("param:eighty.target_ratio")
    else:
        steps.param("target_ratio", param)
    key = "eip" if inputs.social_status == "company_director" else "cpti"
    legal_pension_needs(rules, inputs, key, missing)
    coefficient = coefficient_for(rules, inputs, options)
    if coefficient is None and options.coefficient is None:
        missing.append(f"coefficient:{inputs.retirement_age}:{annuity_option(options, rules)}")
    if missing:
        return Figure(None, steps.items, steps.unverified, missing)
    if coefficient is not None:
        steps.param("coefficient", coefficient)
    elif options.coefficient is not None:
        steps.assume("coefficient", options.coefficient, "chosen_no_rule")
    legal_pension_and_target(steps, inputs, rules, "income", key)
    steps.input("capital", projection.total_gross, "projection_total")
    steps.calc("annuity", "div", "capital", "coefficient")
    steps.calc("covered", "add", "legal_pension", "annuity")
    steps.calc("gap_exact", "sub", "target", "covered")
    steps.calc("gap", "round2", "gap_exact")
    return Figure(steps.value("gap"), steps.items, steps.unverified)


def analyse(inputs: Inputs, rules: Rules, options: Options | None = None) -> Analysis:
    options = options or Options()
    products = {
        "plci": plci(inputs, rules, social=False),
        "plci_social": plci(inputs, rules, social=True),
        "eip": eighty_percent(inputs, rules, options, "eip"),
        "cpti": eighty_percent(inputs, rules, options, "cpti"),
        "pension_savings": pension_savings(inputs, rules),
        "long_term_savings": long_term_savings(inputs, rules),
    }
    projection = project(inputs, rules, options)
    gap = _gap(inputs, rules, options, projection)
    missing, unverified = set(projection.missing), set(projection.unverified)
    for product in products.values():
        if product.applicable:
            missing |= set(product.missing)
            unverified |= set(product.unverified)
    if gap is not None:
        missing |= set(gap.missing)
        unverified |= set(gap.unverified)
    return Analysis(
        inputs.year, products, projection, gap, sorted(missing), sorted(unverified), resolve(options, rules)
    )
