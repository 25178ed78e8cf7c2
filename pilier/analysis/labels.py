"""What the engine's codes say to a broker and a client: step names, products, sources, legal figures, missing
inputs (translated). Nothing here falls back to an engine code: an unknown one gets a generic label."""

import datetime

from django.urls import reverse
from django.utils import formats
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

PRODUCT_SHORT = {"plci": _("PLCI"), "eip": _("EIP"), "cpti": _("CPTI")}

# The analysis's assumptions (engine/assumptions.py)
ASSUMPTIONS = {
    "technical_rate": _("Technical interest rate"),
    "marginal_rate": _("Marginal tax rate at payout"),
    "annuity_option": _("Annuity"),
    "active_until_legal_age": _("Active until the legal pension age"),
}

NOT_APPLICABLE = {
    # engine/products.py SELF_EMPLOYED: self-employed, company director, assisting spouse
    "not_self_employed": _("Only for the self-employed, company directors and assisting spouses."),
    "not_company_director": _("Only for a company director."),
    "not_self_employed_without_company": _("Only for the self-employed without company."),
    "at_retirement_age": _("The client has reached the legal retirement age."),
    "cpti_too_early": _("A CPTI needs at least three years of activity as self-employed."),
}
NOT_APPLICABLE_GENERIC = _("Does not apply to this file.")

# The analysis's assumptions (engine/assumptions.py), as the page, the PDF and the API name them.
ASSUMPTIONS = {
    "technical_rate": _("Technical interest rate"),
    "marginal_rate": _("Marginal tax rate at payout"),
    "annuity_option": _("Annuity"),
    "active_until_legal_age": _("Active until the legal pension age"),
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
    "limit_linear": _("Fixed amount + income part"),
    "first_bracket_rate": _("Rate on the first income bracket"),
    "limit_first_bracket": _("Income × rate of the first bracket"),
    "limit_on_income": _("Limit on the income"),
    "limit_rounded": _("Rounded to the cent"),
    "reduction_rate": _("Tax reduction rate"),
    "paid_deductible": _("Deductible part of what is paid"),
    "reduction_paid_exact": _("Tax reduction of what is paid"),
    "reduction_paid": _("Tax reduction of what is paid, rounded to the cent"),
    # xgettext:no-python-format
    "zone_limit_exact": _("Payment at which the 25 % regime gives as much as the 30 % regime at its maximum"),
    "zone_limit": _("Rounded to the cent"),
    "proposed_rate": _("Rate the bill proposes"),
    "proposed_absolute_max": _("Absolute maximum the bill proposes"),
    "proposed_premium_on_income": _("Reference income × proposed rate"),
    "proposed_premium_rounded": _("Rounded to the cent"),
    "proposed_max_premium": _("Maximum premium if the bill is adopted"),
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
    # The payout (engine/payout.py)
    "payout_year": _("Year of payout"),
    "payout_age": _("Age at payout"),
    "profit_sharing": _("Acquired profit-sharing"),
    "profit_sharing_grown": _("Profit-sharing at retirement"),
    "profit_sharing_at_payout": _("Profit-sharing at payout (at most the capital)"),
    "inami_amount": _("INAMI contribution on the capital"),
    "solidarity_threshold": _("Solidarity band: capitals above"),
    "solidarity_rate": _("Solidarity contribution rate"),
    "solidarity_amount": _("Solidarity contribution on the capital"),
    "extra_solidarity_threshold": _("Additional solidarity contribution: capitals above"),
    "capital_above_threshold_raw": _("Capital − threshold"),
    "capital_above_threshold": _("Part of the capital above the threshold"),
    "extra_solidarity_rate": _("Additional solidarity contribution rate"),
    "extra_solidarity_amount": _("Additional solidarity contribution"),
    "all_contributions": _("All contributions on the capital"),
    "after_contributions": _("Capital after contributions"),
    "capital_without_profit_sharing": _("Capital without profit-sharing"),
    "taxable_share": _("Taxable share of the capital"),
    "taxable_base": _("Taxable base (after contributions, without profit-sharing)"),
    "tax_rate": _("Tax rate"),
    "converted_share": _("Share of the capital converted (active until the legal pension age)"),
    "annuity_base": _("Capital converted into a fictitious annuity"),
    "annuity_rate": _("Fictitious annuity rate for the age at payout"),
    "fictitious_annuity": _("Fictitious annuity (yearly)"),
    "years_declared": _("Years the fictitious annuity is declared"),
    "annuities_declared": _("Fictitious annuities declared in all"),
    "marginal_rate": _("Marginal tax rate (assumption)"),
    "tax_already_levied": _("Anticipatory tax already levied at 60 (out of the reserves)"),
    "age_now": _("Age today"),
    "anticipatory_age": _("Age of the anticipatory tax"),
    "years_to_tax": _("Years until the anticipatory tax"),
    "growth_to_tax": _("Growth factor until the anticipatory tax"),
    "reserves_at_tax": _("Reserves at the anticipatory tax"),
    "annuity_factor_to_tax": _("Value then of 1 € paid each year"),
    "premiums_at_tax": _("Future premiums at the anticipatory tax"),
    "capital_at_tax_exact": _("Reserve at the anticipatory tax"),
    "capital_at_tax": _("Reserve at the anticipatory tax"),
    "profit_sharing_at_tax_raw": _("Profit-sharing at the anticipatory tax"),
    "profit_sharing_at_tax": _("Profit-sharing then (at most the reserve)"),
    "taxable_at_tax": _("Reserve taxed (without profit-sharing)"),
    "income": _("Current income"),
    "annuity": _("Annuity from the capitals"),
    "covered": _("Legal pension + annuity"),
    # xgettext:no-python-format
    "gap_exact": _("Gap to 80 % of income"),
    # xgettext:no-python-format
    "gap": _("Gap to 80 % of income"),
}

# Numbered steps: prefix + a number (longest prefixes first, so "other_reserves_grown_2" is not "other_reserves_").
_PREFIXED = (
    ("other_reserves_grown_", _("Other policy's reserves at retirement #%(n)s")),
    ("other_premiums_grown_", _("Other policy's premiums still to be paid, at retirement #%(n)s")),
    ("other_reserves_", _("Other policy's reserves #%(n)s")),
    ("other_premium_", _("Other policy's yearly premium #%(n)s")),
    ("other_capital_", _("Other policy's capital at retirement #%(n)s")),
    ("income_", _("Net taxable professional income %(n)s")),
    ("paid_", _("Premium #%(n)s")),
)
STEP_GENERIC = _("Intermediate result")

OPS = {"add": "+", "sub": "−", "mul": "×", "div": "÷"}


def step_label(name: str) -> str:
    """The step's label in the user's language; never the engine's code (an unknown one: a generic label)."""
    if name in STEPS:
        return str(STEPS[name])
    for prefix, label in _PREFIXED:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest.isdigit():
            return str(label) % {"n": rest}
    return str(STEP_GENERIC)


def has_step_label(name: str) -> bool:
    return name in STEPS or any(name.startswith(p) and name[len(p) :].isdigit() for p, _label in _PREFIXED)


# Sources ------------------------------------------------------------------------------------------

SOURCES = {
    "career": _("career lines of the file"),
    "chosen": _("chosen for this analysis"),
    "chosen_no_rule": _("chosen for this analysis: the rules data has no coefficient for this age"),
    "none:main_policy": _("no main policy yet"),
    "none:other_reserves": _("no other 2nd-pillar policy"),
    "none:active_policy": _("no active policy of this product"),
    "projection_total": _("total gross capital of the projection at retirement"),
}
INCOME_SOURCES = {
    "net": _("net taxable professional income %(year)s"),
    "gross": _("gross remuneration %(year)s"),
    "plci_reference": _("PLCI reference income %(year)s (social security fund's invoice)"),
}


def _date(text: str) -> str:
    try:
        return formats.date_format(datetime.date.fromisoformat(text), "SHORT_DATE_FORMAT")
    except ValueError:
        return ""


def is_source_code(text: str) -> bool:
    code = text.partition("|")[0]
    kind, _sep, rest = code.partition(":")
    if code in SOURCES or kind == "retirement_age":
        return True
    return kind == "income" and rest.partition(":")[0] in INCOME_SOURCES


def source_label(code: str) -> str:
    """Where an input comes from, in the user's language. The engine records a code ("career",
    "retirement_age:67", "income:net:2024|who@office.be|2026-02-03" …); a source that is not a code (a policy's
    label, a publication's title) is shown as is."""
    if not code:
        return ""
    head, _sep, tail = code.partition("|")
    if head in SOURCES:
        return str(SOURCES[head])
    kind, _sep, rest = head.partition(":")
    if kind == "retirement_age":
        return str(_("legal retirement age: %(age)s")) % {"age": rest}
    if kind == "income":
        what, _sep, year = rest.partition(":")
        if what in INCOME_SOURCES:
            text = str(INCOME_SOURCES[what]) % {"year": year}
            who, _sep, when = tail.partition("|")
            if who and when:
                return str(_("%(what)s, entered by %(who)s on %(date)s")) % {
                    "what": text,
                    "who": who,
                    "date": _date(when),
                }
            if who:
                return str(_("%(what)s, entered by %(who)s")) % {"what": text, "who": who}
            return text
    return code


# Legal figures of the rules data (pilier/analysis/rules/README.md) --------------------------------

PARAM_LABELS = {
    "plci.rate_ordinary": _("PLCI: maximum premium as a share of the reference income"),
    "plci.rate_social": _("Social PLCI: maximum premium as a share of the reference income"),
    "plci.revaluation_coefficient": _("PLCI: revaluation coefficient of the income of year N-3"),
    "plci.reference_income_cap": _("PLCI: highest reference income taken into account"),
    "plci.max_premium_ordinary": _("PLCI: absolute maximum premium"),
    "plci.max_premium_social": _("Social PLCI: absolute maximum premium"),
    "plci.minimum_income_main_activity": _("Minimum income of a self-employed main activity"),
    "plci.proposed_rate_ordinary": _("PLCI: rate a bill proposes"),
    "plci.proposed_rate_social": _("Social PLCI: rate a bill proposes"),
    "plci.proposed_max_premium_ordinary": _("PLCI: absolute maximum a bill proposes"),
    "plci.proposed_max_premium_social": _("Social PLCI: absolute maximum a bill proposes"),
    "plci.proposed_change_status": _("PLCI: where the bill on the maxima stands"),
    # xgettext:no-python-format
    "pension_savings.max_30": _("Pension savings: maximum of the 30 % regime"),
    # xgettext:no-python-format
    "pension_savings.rate_30": _("Pension savings: tax reduction rate of the 30 % regime"),
    # xgettext:no-python-format
    "pension_savings.max_25": _("Pension savings: maximum of the 25 % regime"),
    # xgettext:no-python-format
    "pension_savings.rate_25": _("Pension savings: tax reduction rate of the 25 % regime"),
    "long_term_savings.fixed_amount": _("Long-term savings: fixed part of the income limit"),
    "long_term_savings.income_rate": _("Long-term savings: share of the income"),
    "long_term_savings.first_bracket": _("Long-term savings: first income bracket"),
    "long_term_savings.first_bracket_rate": _("Long-term savings: rate on the first income bracket"),
    "long_term_savings.max": _("Long-term savings: absolute maximum"),
    "long_term_savings.rate": _("Long-term savings: tax reduction rate"),
    # xgettext:no-python-format
    "eighty.legal_pension_rate_before_2021": _("80 % rule: legal pension rate of the self-employed years before 2021"),
    # xgettext:no-python-format
    "eighty.legal_pension_rate_from_2021": _("80 % rule: legal pension rate of the other years"),
    # xgettext:no-python-format
    "eighty.salary_ceiling": _("80 % rule: salary ceiling of the legal pension"),
    # xgettext:no-python-format
    "eighty.self_employed_pension_min": _("80 % rule: minimum self-employed pension"),
    # xgettext:no-python-format
    "eighty.self_employed_pension_max": _("80 % rule: maximum self-employed pension"),
    # xgettext:no-python-format
    "eighty.technical_interest_rate": _("80 % rule: technical interest rate"),
    # xgettext:no-python-format
    "eighty.full_career_years": _("80 % rule: years of a full career"),
    # xgettext:no-python-format
    "eighty.target_ratio": _("80 % rule: the 80 % ceiling"),
    "cpti.minimum_years_activity": _("CPTI: minimum years of activity as self-employed"),
    "payout.inami_rate": _("Payout: INAMI contribution"),
    "payout.solidarity_rate_max": _("Payout: highest solidarity contribution"),
    "payout.tax_rate_legal_age": _("Payout: tax at the legal pension age"),
    "payout.tax_rate_other": _("Payout: tax in the other cases"),
    "payout.tax_rate_early_60": _("Payout: tax at 60"),
    "payout.tax_rate_early_61": _("Payout: tax at 61"),
    "payout.separate_rate_legal_age": _("Payout: tax at the legal pension age"),
    "payout.separate_rate_other": _("Payout: tax in the other cases"),
    "payout.separate_rate_60": _("Payout: tax at 60"),
    "payout.separate_rate_61": _("Payout: tax at 61"),
    "payout.cpti_rate_retirement": _("Payout of a CPTI: tax at retirement"),
    "payout.cpti_rate_other": _("Payout of a CPTI: tax in the other cases"),
    "payout.anticipatory_age": _("Anticipatory tax: age"),
    "payout.anticipatory_rate_pension_savings": _("Anticipatory tax on pension savings"),
    "payout.anticipatory_rate_long_term_savings": _("Anticipatory tax on long-term savings"),
    "payout.extra_solidarity_rate": _("Payout: additional solidarity contribution"),
    "payout.extra_solidarity_threshold": _("Payout: threshold of the additional solidarity contribution"),
    "payout.fictitious_annuity_active_ratio": _("Fictitious annuity: rate when active until the legal pension age"),
    "payout.fictitious_annuity_fewer_years_age": _("Fictitious annuity: age from which it lasts fewer years"),
    "payout.fictitious_annuity_years": _("Fictitious annuity: number of years"),
    "payout.fictitious_annuity_years_from_65": _("Fictitious annuity: number of years from 65"),
    "wijninckx.threshold": _("Wijninckx contribution: threshold"),
    "wijninckx.rate": _("Wijninckx contribution: rate"),
    "premium_tax.life_rate": _("Tax on life insurance premiums"),
    "premium_tax.eip": _("Tax on EIP premiums"),
    "premium_tax.group_insurance": _("Tax on group insurance premiums"),
    "premium_tax.plci": _("Tax on PLCI premiums"),
    "premium_tax.inami": _("Tax on INAMI contract premiums"),
    "premium_tax.cpti": _("Tax on CPTI premiums"),
    "premium_tax.pension_savings": _("Tax on pension savings premiums"),
    "premium_tax.long_term_savings": _("Tax on long-term savings premiums"),
    "assumptions.technical_rate": _("Default technical interest rate"),
    "assumptions.annuity_option": _("Default annuity option"),
    "assumptions.marginal_rate": _("Default marginal tax rate at payout"),
    "assumptions.active_until_legal_age": _("Default: active until the legal pension age"),
}
PARAM_GENERIC = _("a legal figure of the rules data")


def param_label(key: str) -> str:
    """A rules figure's name in the user's language; never its key."""
    if key in PARAM_LABELS:
        return str(PARAM_LABELS[key])
    group, _sep, rest = key.partition(".")
    if group == "premium_tax":
        kind = rest.removesuffix("_rate")
        product = PRODUCTS.get(kind)
        if product is not None:
            return str(_("Tax on premiums: %(product)s")) % {"product": product}
        return str(_("Tax on insurance premiums"))
    if group == "annuity_coefficient":
        age, _sep, option = rest.partition(".")
        if age.isdigit() and option in ANNUITY_OPTIONS:
            return str(_("Conversion coefficient for age %(age)s (%(option)s)")) % {
                "age": age,
                "option": ANNUITY_OPTIONS[option],
            }
        return str(_("Conversion coefficient (capital per € of annuity)"))
    if group == "payout" and rest.startswith("fictitious_annuity."):  # payout.fictitious_annuity.<year>.<age>
        return str(_("Fictitious annuity: rate for the age at payout"))
    if group == "payout" and rest.startswith("solidarity."):  # payout.solidarity.<year>.band_<n>.<from|rate>
        return str(_("Solidarity contribution: bands of the capital"))
    if group in PARAM_GROUPS:
        return str(PARAM_GROUPS[group])
    return str(PARAM_GENERIC)


# A figure of a group not named above (a key added to the rules data later): said by its group.
PARAM_GROUPS = {
    "plci": _("a legal figure of the PLCI"),
    "pension_savings": _("a legal figure of pension savings"),
    "long_term_savings": _("a legal figure of long-term savings"),
    # xgettext:no-python-format
    "eighty": _("a legal figure of the 80 % rule"),
    "cpti": _("a legal figure of the CPTI"),
    "payout": _("a tax or contribution on the capital paid out"),
    "wijninckx": _("a figure of the Wijninckx contribution"),
    "assumptions": _("a default assumption"),
}


# Where a bill stands (`plci.proposed_change_status`, a code of the rules data)
PROPOSAL_STATUSES = {
    "unknown": _("status unknown"),
    "pending": _("pending in Parliament"),
    "bill": _("a bill, not voted"),
    "voted": _("voted, not yet published"),
    "adopted": _("adopted"),
    "published": _("published"),
    "withdrawn": _("withdrawn"),
}


def proposal_status(code: str) -> str:
    return str(PROPOSAL_STATUSES.get(code, PROPOSAL_STATUSES["unknown"]))


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
    if kind == "marginal_rate":
        return {"label": _("Marginal tax rate at payout: choose one below"), "url": "#assumptions"}
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
        return {
            "label": _("A legal figure is not in the rules data yet: %(figure)s") % {"figure": param_label(rest)},
            "url": None,
        }
    return {"label": _("An input of the file is missing"), "url": None}


# How a capital is taxed at payout (engine/payout.py TAX_REGIMES), said to the broker.
TAX_REGIMES = {
    "fictitious_annuity": _("Fictitious annuity at the marginal tax rate"),
    # xgettext:no-python-format
    "separate_10": _("Separate tax 10 % (active until the legal pension age)"),
    # xgettext:no-python-format
    "separate_16_5": _("Separate tax 16.5 %"),
    # xgettext:no-python-format
    "separate_18": _("Separate tax 18 % (paid at 61)"),
    # xgettext:no-python-format
    "separate_20": _("Separate tax 20 % (paid at 60)"),
    # xgettext:no-python-format
    "cpti_10": _("CPTI: separate tax 10 % (at retirement)"),
    # xgettext:no-python-format
    "cpti_33": _("CPTI: separate tax 33 % (paid before retirement)"),
    # xgettext:no-python-format
    "anticipatory_8": _("Anticipatory tax 8 % at 60"),
    # xgettext:no-python-format
    "anticipatory_10": _("Anticipatory tax 10 % at 60"),
}
