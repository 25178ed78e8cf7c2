"""Engine results → what the templates, the PDF and the API show."""

from decimal import Decimal

from django.utils.translation import gettext as _

from pilier.lib.money import money

from .labels import OPS, step_label

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
}
_PLAIN_STEPS = {"revaluation_coefficient", "coefficient", "growth", "annuity_factor", "full_career"}


def show(name: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if name in _RATIO_STEPS:
        percent = (value * 100).quantize(Decimal("0.0001")).normalize()
        return f"{percent:f}".replace(".", ",") + " %"
    if (
        name in _PLAIN_STEPS
        or name.startswith("years")
        or name in ("career_years", "lp_before", "lp_from", "lp_rate_sum")
    ):
        text = f"{value.quantize(Decimal('0.000001')).normalize():f}"
        return text.replace(".", ",")
    return money(value)


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


def explain(figure) -> list[dict]:
    rows = []
    values = {s.name: s.value for s in figure.steps}
    for step in figure.steps:
        if step.op in ("input", "param", "assume"):
            formula = ""
        elif step.op in OPS:
            left, right = (show(a, values[a]) if isinstance(a, str) else str(a) for a in step.args)
            formula = f"{left} {OPS[step.op]} {right}"
        else:
            formula = _function_formula(
                step.op, [show(a, values[a]) if isinstance(a, str) else str(a) for a in step.args]
            )
        rows.append(
            {
                "name": step.name,
                "label": step_label(step.name),
                "kind": step.op,
                "formula": formula,
                "value": show(step.name, step.value),
                "source": step.source,
                "verified": step.verified,
                "url": step.url,
                "note": step.note,
                "key": step.key,
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
            "source": s.source or None,
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
