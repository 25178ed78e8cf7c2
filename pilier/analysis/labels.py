"""What the engine's codes say to a broker: step names, products, missing inputs (translated)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PRODUCTS = {
    "plci": _("PLCI"),
    "plci_social": _("Social PLCI"),
    # xgettext:no-python-format
    "eip": _("EIP / group insurance (80 % rule)"),
    # xgettext:no-python-format
    "cpti": _("CPTI (80 % rule)"),
    "pension_savings": _("Pension savings"),
    "long_term_savings": _("Long-term savings"),
}

NOT_APPLICABLE = {
    "not_self_employed": _("Only for the self-employed and company directors."),
    "not_company_director": _("Only for a company director."),
    "not_self_employed_without_company": _("Only for the self-employed without company."),
    "at_retirement_age": _("The client has reached the legal retirement age."),
    "cpti_too_early": _("A CPTI needs at least three years of activity as self-employed."),
}

ANNUITY_OPTIONS = {
    "plain": _("not indexed, not reversible"),
    "indexed": _("indexed 2 %"),
    # xgettext:no-python-format
    "reversible": _("80 % reversible"),
    "indexed_reversible": _("indexed and reversible"),
}

STEPS = {
    "income_n3": _("Net taxable professional income of year N-3"),
    "revaluation_coefficient": _("Revaluation coefficient"),
    "reference_income": _("Reference income"),
    "rate": _("Rate"),
    "absolute_max": _("Absolute maximum"),
    "premium_on_income": _("Reference income × rate"),
    "premium_rounded": _("Rounded to the cent"),
    "max_premium": _("Maximum premium"),
    "paid": _("Premiums paid this year"),
    "room_raw": _("Maximum − paid"),
    "room": _("Room left"),
    # xgettext:no-python-format
    "max_30": _("Maximum, 30 % regime"),
    # xgettext:no-python-format
    "rate_30": _("Tax reduction rate, 30 % regime"),
    # xgettext:no-python-format
    "max_25": _("Maximum, 25 % regime"),
    # xgettext:no-python-format
    "rate_25": _("Tax reduction rate, 25 % regime"),
    # xgettext:no-python-format
    "reduction_30": _("Tax reduction at the maximum, 30 % regime"),
    "reduction_30_rounded": _("Rounded to the cent"),
    # xgettext:no-python-format
    "reduction_25": _("Tax reduction at the maximum, 25 % regime"),
    "reduction_25_rounded": _("Rounded to the cent"),
    # xgettext:no-python-format
    "room_30_raw": _("Maximum of the 30 % regime − paid"),
    # xgettext:no-python-format
    "room_30": _("Room left in the 30 % regime"),
    "net_income": _("Net taxable professional income of the year"),
    "fixed_amount": _("Fixed amount"),
    "income_rate": _("Share of the income"),
    "income_part": _("Income × share"),
    "limit_on_income": _("Fixed amount + income part"),
    "limit_rounded": _("Rounded to the cent"),
    "remuneration": _("Remuneration (R)"),
    "income_total": _("Sum of the three incomes"),
    "full_career": _("Full career (D)"),
    "target_ratio": _("Target ratio"),
    "rate_before_2021": _("Legal pension rate, years before 2021"),
    "rate_from_2021": _("Legal pension rate, years from 2021"),
    "technical_rate": _("Technical interest rate (assumption)"),
    "coefficient": _("Conversion coefficient (capital per € of annuity)"),
    "years_done": _("Career years done"),
    "years_left": _("Years left until the legal pension"),
    "years_before_2021": _("Career years before 2021"),
    "years_before_2021_self_employed": _("Years as self-employed before 2021"),
    "years_at_50": _("Years from 2021 and years as employee before 2021"),
    "salary_ceiling": _("Salary ceiling of the legal pension"),
    "pay_capped": _("Pay, at most the salary ceiling"),
    # xgettext:no-python-format
    "lp_full_50": _("Legal pension for a full career at 50 % of the capped pay"),
    "lp_part_50": _("× years from 2021 and as employee"),
    "pay_2020": _("Gross pay of 2020 (frozen)"),
    "pension_min": _("Minimum self-employed pension"),
    "pension_max": _("Maximum self-employed pension"),
    # xgettext:no-python-format
    "lp_full_25_raw": _("25 % of the 2020 pay"),
    "lp_full_25_floor": _("At least the minimum pension"),
    "lp_full_25": _("At most the maximum pension"),
    "lp_part_25": _("× years as self-employed before 2021"),
    "lp_parts": _("Both parts of the career"),
    "career_years": _("Career years (n)"),
    "years_from_2021": _("Career years from 2021"),
    "lp_before": _("Rate × years before 2021"),
    "lp_from": _("Rate × years from 2021"),
    "lp_rate_sum": _("Sum"),
    "lp_rate": _("Legal pension as a share of R"),
    "legal_pension": _("Legal pension estimate (yearly)"),
    # xgettext:no-python-format
    "target": _("80 % of R"),
    # xgettext:no-python-format
    "room_annuity_raw": _("80 % of R − legal pension"),
    "room_annuity": _("Supplementary annuity allowed"),
    "career_fraction_raw": _("n ÷ D"),
    "career_fraction": _("n ÷ D, at most 1"),
    "annuity_capped": _("Annuity × career fraction"),
    "capital_allowed": _("Capital allowed at retirement"),
    "growth": _("Growth factor until retirement"),
    "other_capitals": _("Other 2nd-pillar capitals at retirement"),
    "capital_max_raw": _("Capital allowed − other capitals"),
    "capital_max": _("Capital left for the main policy"),
    "main_reserves": _("Main policy's reserves"),
    "main_capital": _("Main policy's reserves at retirement"),
    "capital_to_build_raw": _("Capital to build"),
    "capital_to_build": _("Capital to build (not negative)"),
    "annuity_factor": _("Value at retirement of 1 € paid each year"),
    "premium_exact": _("Yearly premium"),
    "past_fraction": _("Share of the career already worked"),
    "past_capital": _("Capital for the years already worked"),
    "past_to_fund_raw": _("Past capital − main policy's capital"),
    "past_to_fund": _("Past capital not yet funded"),
    "back_service_exact": _("Its value today"),
    "back_service": _("One-off back-service premium"),
    "reserves": _("Reserves"),
    "premium": _("Yearly premium"),
    "reserves_grown": _("Reserves at retirement"),
    "premiums_grown": _("Future premiums at retirement"),
    "capital_exact": _("Capital at retirement"),
    "capital": _("Capital at retirement"),
    "inami": _("INAMI contribution"),
    "solidarity": _("Solidarity contribution (maximum)"),
    "tax": _("Tax at legal pension age"),
    "contributions_rate": _("Contributions"),
    "contributions": _("Contributions on the capital"),
    "taxable": _("Capital after contributions"),
    "tax_amount": _("Tax"),
    "net_exact": _("Net capital"),
    "net": _("Net capital"),
    "income": _("Current income"),
    "annuity": _("Annuity from the capitals"),
    "covered": _("Legal pension + annuity"),
    # xgettext:no-python-format
    "gap_exact": _("Gap to 80 % of income"),
    # xgettext:no-python-format
    "gap": _("Gap to 80 % of income"),
}

_PREFIXED = (
    ("income_", _("Net taxable professional income %(n)s")),
    ("other_reserves_grown_", _("Other policy's reserves at retirement #%(n)s")),
    ("other_premiums_grown_", _("Other policy's premiums still to be paid, at retirement #%(n)s")),
    ("other_premium_", _("Other policy's yearly premium #%(n)s")),
    ("other_reserves_", _("Other policy's reserves #%(n)s")),
    ("other_capital_", _("Other policy's capital at retirement #%(n)s")),
    ("paid_", _("Premium #%(n)s")),
)

OPS = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}


def step_label(name: str) -> str:
    if name in STEPS:
        return str(STEPS[name])
    for prefix, label in _PREFIXED:
        if name.startswith(prefix):
            return str(label) % {"n": name[len(prefix) :]}
    return name


def missing_item(code: str, client, year: int | None = None) -> dict:
    """A missing input: what it is, and the page where the broker enters it."""
    kind, _sep, rest = code.partition(":")
    if kind == "income":
        return {
            "label": _("Net taxable professional income %(year)s") % {"year": rest},
            "url": reverse("clients:income", args=[client.pk, rest]),
        }
    if kind == "gross_remuneration":
        return {
            "label": _("Gross remuneration %(year)s (company director)") % {"year": rest},
            "url": reverse("clients:income", args=[client.pk, rest]),
        }
    if kind == "birth_date":
        return {
            "label": _("Birth date (for the legal retirement age)"),
            "url": reverse("clients:edit", args=[client.pk]),
        }
    if kind == "career":
        return {"label": _("Career lines"), "url": reverse("clients:career_new", args=[client.pk])}
    if kind == "technical_rate":
        return {"label": _("Technical interest rate: choose one below"), "url": "#assumptions"}
    if kind == "coefficient":
        age, _sep, option = rest.partition(":")
        return {
            "label": _("Conversion coefficient for age %(age)s (%(option)s): not in the rules data, give one below")
            % {"age": age, "option": ANNUITY_OPTIONS.get(option, option)},
            "url": "#assumptions",
        }
    if kind == "param" and rest == "plci.revaluation_coefficient" and year:
        return {
            "label": _(
                "The revaluation coefficient of %(year)s is not in the rules data: enter the PLCI reference "
                "income printed on the social security fund's invoice"
            )
            % {"year": year},
            "url": reverse("clients:income", args=[client.pk, year]),
        }
    if kind == "param":
        return {"label": _("Legal figure missing from the rules data: %(key)s") % {"key": rest}, "url": None}
    return {"label": code, "url": None}
