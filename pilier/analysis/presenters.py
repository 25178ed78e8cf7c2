"""Engine results → what the templates, the PDF and the API show."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from pilier.lib.money import money

from .labels import OPS, is_source_code, source_label, step_label

_RATIO_STEPS = {
    "rate",
    "rate_30",
    "rate_25",
    "income_rate",
    "target_ratio",
    "rate_before_2021",
    "rate_from_2021",
    "technical_rate",
    "inami",
    "solidarity",
    "tax",
    "contributions_rate",
    "lp_rate",
    "career_fraction",
    "career_fraction_raw",
    "past_fraction",
    "proposed_rate",
    "first_bracket_rate",
    "reduction_rate",
    "marginal_rate",
}
_PLAIN_STEPS = {"revaluation_coefficient", "coefficient", "growth", "annuity_factor", "full_career"}
# The payout's rates, and its years, ages and factors said as plain numbers (engine/payout.py).
_RATIO_STEPS |= {
    "solidarity_rate",
    "extra_solidarity_rate",
    "tax_rate",
    "taxable_share",
    "converted_share",
    "annuity_rate",
    "marginal_rate",
}
_PLAIN_STEPS |= {"payout_year", "payout_age", "age_now", "anticipatory_age", "growth_to_tax", "annuity_factor_to_tax"}


def _decimal_mark() -> str:
    return "." if (translation.get_language() or "fr")[:2] == "en" else ","


def show(name: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if name in _RATIO_STEPS:
        percent = (value * 100).quantize(Decimal("0.0001")).normalize()
        return f"{percent:f}".replace(".", _decimal_mark()) + "\u00a0%"
    if (
        name in _PLAIN_STEPS
        or name.startswith("years")
        or name in ("career_years", "lp_before", "lp_from", "lp_rate_sum")
    ):
        text = f"{value.quantize(Decimal('0.000001')).normalize():f}"
        return text.replace(".", _decimal_mark())
    return money(value)


def _literal(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", _decimal_mark())


def _source(step) -> str:
    """Where the step's value comes from, in the user's language: an input's origin (a code the labels translate,
    or a policy's label as is), a legal figure's public source, an assumption chosen for this analysis. Never the
    rules' developer notes."""
    if step.op == "param":
        return step.source
    if step.op == "assume":
        for text in (step.source, step.note):
            if text and is_source_code(text):
                return source_label(text)
        return source_label("chosen")
    if step.op == "input":
        return source_label(step.source)
    return ""


def _function_formula(op: str, shown: list[str]) -> str:
    """A calculation that is not + − × ÷, said in words in the user's language (never the engine's name)."""
    if op == "sum":
        return " + ".join(shown)
    if op == "min":
        return _("the smaller of %(values)s") % {"values": ", ".join(shown)}
    if op == "max":
        return _("the larger of %(values)s") % {"values": ", ".join(shown)}
    if op == "floor0":
        return _("%(value)s, not below zero") % {"value": shown[0]}
    if op == "round2":
        return _("%(value)s rounded to the cent") % {"value": shown[0]}
    if op == "growth":
        return _("(1 + %(rate)s) to the power %(years)s") % {"rate": shown[0], "years": shown[1]}
    if op == "annuity_due":
        return _("1 € paid at the start of each year for %(years)s years, at %(rate)s") % {
            "rate": shown[0],
            "years": shown[1],
        }
    return ", ".join(shown)


def explain(figure, start: int = 0) -> list[dict]:
    """The figure's steps as rows the page and the PDF show, each a sentence with its amount (from step `start`:
    a figure continued from another shows only its own steps)."""
    rows = []
    values = {s.name: s.value for s in figure.steps}

    for step in figure.steps[start:]:

        def shown(arg, step=step) -> str:
            if isinstance(arg, str):
                return show(arg, values[arg])
            # a number in the calculation, in the unit of the step: "the smaller of 112,5 %, 100 %", not "…, 1"
            return show(step.name, arg) if step.name in _RATIO_STEPS else _literal(arg)

        if step.op in ("input", "param", "assume"):
            formula = ""
        elif step.op in OPS:
            left, right = (shown(a) for a in step.args)
            formula = f"{left} {OPS[step.op]} {right}"
        else:
            formula = _function_formula(step.op, [shown(a) for a in step.args])
        label, value = step_label(step.name), show(step.name, step.value)
        if formula == value or (step.op == "round2" and shown(step.args[0]) == value):
            # A sum of one amount, an amount shown to the cent already rounded: "Rounded to the cent: 2 451,00 €"
            formula = ""
        if formula:
            sentence = _("%(label)s: %(formula)s = %(value)s") % {"label": label, "formula": formula, "value": value}
        else:
            sentence = _("%(label)s: %(value)s") % {"label": label, "value": value}
        rows.append(
            {
                "name": step.name,
                "label": label,
                "kind": step.op,
                "formula": formula,
                "value": value,
                "sentence": sentence,
                "source": _source(step),
                "verified": step.verified,
                "derived": getattr(step, "derived", False),
                # a rules figure that is an assumption's default (assumptions.*): said as an assumption
                "default_assumption": step.op == "param" and step.key.startswith("assumptions."),
                "url": step.url if step.op == "param" else None,
            }
        )
    return rows


def steps_as_data(figure) -> list[dict]:
    """For the API: every step with its operation, arguments and value (decimal strings)."""
    return [
        {
            "name": s.name,
            "label": step_label(s.name),
            "op": s.op,
            "args": [a if isinstance(a, str) else str(a) for a in s.args],
            "value": None if s.value is None else str(s.value),
            "source": (source_label(s.source) if s.op != "param" else s.source) or None,
            "parameter": s.key or None,
            "verified": s.verified,
            "note": s.note or None,
        }
        for s in figure.steps
    ]


def chart(series: list[tuple[int, Decimal]], width: int = 640, height: int = 200) -> dict | None:
    """An SVG polyline of the total capital year by year (server-rendered, no JavaScript)."""
    if len(series) < 2:
        return None
    top = max(v for _y, v in series) or Decimal(1)
    pad = 30
    step_x = (width - 2 * pad) / (len(series) - 1)
    points = []
    for index, (_year, value) in enumerate(series):
        x = pad + index * step_x
        y = height - pad - float(value / top) * (height - 2 * pad)
        points.append(f"{x:.1f},{y:.1f}")
    return {
        "width": width,
        "height": height,
        "points": " ".join(points),
        "first": series[0],
        "last": series[-1],
        "top": top,
        "pad": pad,
    }
