"""Life annuity factors from the Belgian life-insurance mortality tables, and the derived 66/67 coefficients.

Why this exists: the Com.IB 59/61-64 table of conversion coefficients (capital per euro of yearly annuity)
stops at 65, and the legal pension ages are now 66 and 67. This module computes annuity factors from a
published Belgian mortality table and a rate, checks how closely that method reproduces the published
60–65 coefficients, and derives 66 and 67 only for the options it reproduces (within 0.5 %).
`derive()` recomputes pilier/analysis/rules/coefficients_derived.json; run
`python -m pilier.analysis.engine.mortality` to rewrite that file.

The tables. The royal decree of 14 November 2003 on life insurance (arrêté royal relatif à l'activité
d'assurance sur la vie / KB betreffende de levensverzekeringsactiviteit) defines the reference tables MR and
FR (survival operations, men / women) and MK and FK (death operations) by Makeham's law
l_x = k · s^x · g^(c^x), "with the formula and the constants given in annex 1". The constants below are those
of that annex as reproduced by two independent public repositories (see TABLE_SOURCE); the annex text itself
was not seen, hence `verified: false`.

The method kept (METHOD): the table and a rate only, no age correction. The pensioner is a man on MR, the
spouse of the reversible options a woman of the same age on FR; for each of the four payment timings the rate is
fitted (least squares) on the published plain values, and the timing kept is the one whose worst relative error
on plain is the smallest: monthly in arrears at 4.7619 % (worst 0.22 %). That reproduces the plain values within
0.5 %, so plain gets 66 and 67, marked derived. It does not reproduce the indexed (1.9 % off), reversible (3.1 %)
and indexed-reversible (5.9 %) values: those stay null for 66 and 67 and are asked of the broker — no timing
reproduces them either (`rate_and_timing_only()`).

A comparison, not used for any value: `calibrate()` also fits two age corrections (+1.922 years for the
pensioner, +5.065 for the spouse, yearly in advance at 4.7234 %) and then reproduces all four options within
0.2 %. Those corrections are fitted, no source states them (nothing public says what the Com.IB assumed), so
that method gives no figure; the file shows it under "with_fitted_age_corrections", marked not used.

Pure Python, floats (double precision) for the sums; results are rounded to 4 decimals as Decimal strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import cast

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
DERIVED_PATH = RULES_DIR / "coefficients_derived.json"

OPTIONS = ("plain", "indexed", "reversible", "indexed_reversible")
TIMINGS = ("annual_in_advance", "annual_in_arrears", "monthly_in_advance", "monthly_in_arrears")
TOLERANCE = 0.005  # 0.5 %: the most a reproduced published coefficient may differ, relatively
PUBLISHED_AGES = (60, 61, 62, 63, 64, 65)
DERIVED_AGES = (66, 67)
OMEGA = 130.0  # no payment at or past this (corrected) age; survival from 60 to 129 is below 1e-20 on MR and FR


@dataclass(frozen=True)
class MakehamTable:
    """l_x = k · s^x · g^(c^x), for any real age x (the age corrections below are not whole years)."""

    name: str
    k: float
    s: float
    g: float
    c: float

    def l(self, age: float) -> float:  # noqa: E743 - l_x is the actuarial name
        return float(self.k * self.s**age * self.g ** (self.c**age))

    def survival(self, age: float, years: float) -> float:
        """Probability that a life of `age` is alive `years` later: l(age + years) / l(age)."""
        if age + years >= OMEGA:
            return 0.0
        return self.l(age + years) / self.l(age)


# Annex 1 of the royal decree of 14 November 2003 (constants as reproduced in TABLE_SOURCE).
TABLES: dict[str, MakehamTable] = {
    "MR": MakehamTable("MR", 1000266.63, 0.999441703848, 0.999733441115, 1.101077536030),
    "FR": MakehamTable("FR", 1000048.56, 0.999669730966, 0.999951440172, 1.116792453830),
    "MK": MakehamTable("MK", 1000450.59, 0.999106875782, 0.999549614043, 1.103798111448),
    "FK": MakehamTable("FK", 1000097.39, 0.999257048061, 0.999902624311, 1.118239062025),
}
TABLE_PARAMETER_TEXT: dict[str, dict[str, str]] = {
    "MR": {"k": "1000266.63", "s": "0.999441703848", "g": "0.999733441115", "c": "1.101077536030"},
    "FR": {"k": "1000048.56", "s": "0.999669730966", "g": "0.999951440172", "c": "1.116792453830"},
}
TABLE_SOURCE: dict[str, object] = {
    "name": "Belgian reference mortality tables MR (men) and FR (women) for survival operations",
    "formula": "l_x = k * s^x * g^(c^x)",
    "source": (
        "Arrêté royal du 14 novembre 2003 relatif à l'activité d'assurance sur la vie / Koninklijk besluit van "
        "14 november 2003 betreffende de levensverzekeringsactiviteit, annex 1 (the decree: 'De referentietafels "
        "MR en FR worden bepaald met de formule en de constanten die in bijlage 1 vermeld zijn'). The constants "
        "were read in two independent public repositories, not in the annex itself."
    ),
    "url": "https://etaamb.openjustice.be/fr/arrete-royal-du-14-novembre-2003_n2003023014.html",
    "published": "2003-11-14",
    "confirmed_by": [
        "https://www.yumpu.com/fr/document/view/20863946/kb-van-14-november-2003-betreffende-de-fsma/26 "
        "(FSMA coordinated text of the decree: MR and FR are defined by the formula and constants of annex 1)",
        "github.com/clefev/actuarial_excel_package docs/html/_sources/employee_benefits/life_table/index.rst.txt "
        "(k, s, g, c of MR, FR, MK, FK, 'Belgian regulatory table')",
        "github.com/korilium/IAS19 src/mortality.jl (the same constants, function MortBel)",
    ],
    "verified": False,
}


@dataclass(frozen=True)
class Method:
    """One fixed way of turning a yearly annuity into a capital, for the four options."""

    rate: float
    timing: str
    pensioner_table: str = "MR"
    pensioner_age_correction: float = 0.0  # years added to the pensioner's age when reading the table
    spouse_table: str = "FR"
    spouse_age_gap: int = 0  # spouse's age = pensioner's age − gap
    spouse_age_correction: float = 0.0
    indexation: float = 0.02  # the 'indexed' options: +2 % a year
    reversion: float = 0.8  # the 'reversible' options: 80 % to the surviving spouse


# The method kept: table + rate + timing, no age correction (the rounded result of choose_method(); a test
# checks choose_method() still finds it).
METHOD = Method(rate=0.047619, timing="monthly_in_arrears")

# The comparison only, never used for a value: the rounded result of calibrate() (fitted age corrections).
CALIBRATED = Method(
    rate=0.047234,
    timing="annual_in_advance",
    pensioner_age_correction=1.922,
    spouse_age_correction=5.065,
)
TIMING_TEXT = {
    "annual_in_advance": "yearly in advance",
    "annual_in_arrears": "yearly in arrears",
    "monthly_in_advance": "monthly in advance (Woolhouse approximation)",
    "monthly_in_arrears": "monthly in arrears (Woolhouse approximation)",
}


def _sum_in_advance(survival: Callable[[float], float], rate: float, growth: float, start_age: float) -> float:
    """Σ_{n≥0} survival(n) · ((1+growth)/(1+rate))^n: a yearly annuity of 1, first payment now, growing."""
    ratio = (1.0 + growth) / (1.0 + rate)
    total = 0.0
    n = 0
    while start_age + n < OMEGA:
        total += survival(float(n)) * ratio**n
        n += 1
    return total


def _timed(in_advance: float, growth: float, timing: str) -> float:
    """The annuity with the chosen timing, from its yearly-in-advance value ä = Σ_{n≥0} p_n v^n (1+g)^n.

    annual_in_arrears: payments at the end of each year, the n-th one (1+g)^(n-1): Σ_{n≥1} p_n v^n (1+g)^(n-1)
    = (ä − 1) / (1+g). Monthly: Woolhouse's first-order approximation, ä^(12) ≈ ä − 11/24 (in advance) and
    a^(12) ≈ ä − 13/24 (in arrears), the yearly indexation kept.
    """
    if timing == "annual_in_advance":
        return in_advance
    if timing == "annual_in_arrears":
        return (in_advance - 1.0) / (1.0 + growth)
    if timing == "monthly_in_advance":
        return in_advance - 11.0 / 24.0
    if timing == "monthly_in_arrears":
        return in_advance - 13.0 / 24.0
    raise ValueError(f"unknown timing {timing!r}")


def life_annuity(
    table: MakehamTable,
    age: float,
    rate: float,
    *,
    growth: float = 0.0,
    timing: str = "annual_in_advance",
    age_correction: float = 0.0,
) -> float:
    """Present value of a life annuity of 1 a year on one life (growing by `growth` a year)."""
    x = age + age_correction
    value = _sum_in_advance(lambda n: table.survival(x, n), rate, growth, x)
    return _timed(value, growth, timing)


def joint_life_annuity(
    table_x: MakehamTable,
    age_x: float,
    table_y: MakehamTable,
    age_y: float,
    rate: float,
    *,
    growth: float = 0.0,
    timing: str = "annual_in_advance",
    age_correction_x: float = 0.0,
    age_correction_y: float = 0.0,
) -> float:
    """Present value of 1 a year while both lives are alive (independent lives)."""
    x = age_x + age_correction_x
    y = age_y + age_correction_y
    value = _sum_in_advance(lambda n: table_x.survival(x, n) * table_y.survival(y, n), rate, growth, max(x, y))
    return _timed(value, growth, timing)


def reversible_annuity(
    table_x: MakehamTable,
    age_x: float,
    table_y: MakehamTable,
    age_y: float,
    rate: float,
    *,
    reversion: float = 0.8,
    growth: float = 0.0,
    timing: str = "annual_in_advance",
    age_correction_x: float = 0.0,
    age_correction_y: float = 0.0,
) -> float:
    """1 a year to x for life, then `reversion` a year to y if y survives x: a_x + reversion · (a_y − a_xy)."""
    a_x = life_annuity(table_x, age_x, rate, growth=growth, timing=timing, age_correction=age_correction_x)
    a_y = life_annuity(table_y, age_y, rate, growth=growth, timing=timing, age_correction=age_correction_y)
    a_xy = joint_life_annuity(
        table_x,
        age_x,
        table_y,
        age_y,
        rate,
        growth=growth,
        timing=timing,
        age_correction_x=age_correction_x,
        age_correction_y=age_correction_y,
    )
    return a_x + reversion * (a_y - a_xy)


def coefficient(option: str, age: int, method: Method = METHOD) -> float:
    """Capital per euro of yearly annuity for one Com.IB option at one age, by `method`."""
    if option not in OPTIONS:
        raise ValueError(f"unknown option {option!r}")
    growth = method.indexation if option in ("indexed", "indexed_reversible") else 0.0
    head = TABLES[method.pensioner_table]
    if option in ("plain", "indexed"):
        return life_annuity(
            head, age, method.rate, growth=growth, timing=method.timing, age_correction=method.pensioner_age_correction
        )
    return reversible_annuity(
        head,
        age,
        TABLES[method.spouse_table],
        age - method.spouse_age_gap,
        method.rate,
        reversion=method.reversion,
        growth=growth,
        timing=method.timing,
        age_correction_x=method.pensioner_age_correction,
        age_correction_y=method.spouse_age_correction,
    )


def four_decimals(value: float) -> str:
    return str(Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


# --- the published table and the fit ---------------------------------------------------------------------------


def published() -> dict[int, dict[str, float | None]]:
    """The Com.IB 59/61-64 coefficients as the rules hold them (common.json, read only); None where null."""
    raw = cast(dict[str, object], json.loads((RULES_DIR / "common.json").read_text()))
    table = cast(dict[str, dict[str, dict[str, str | None]]], raw["annuity_coefficients"])
    out: dict[int, dict[str, float | None]] = {}
    for age_text, options in table["by_age"].items():
        row: dict[str, float | None] = {}
        for option in OPTIONS:
            text = options.get(option)
            row[option] = float(text) if text else None
        out[int(age_text)] = row
    return out


def relative_errors(option: str, method: Method, table: dict[int, dict[str, float | None]]) -> dict[int, float]:
    """(computed − published) / published at each published age that has a value."""
    out: dict[int, float] = {}
    for age in sorted(table):
        value = table[age][option]
        if value is not None:
            out[age] = coefficient(option, age, method) / value - 1.0
    return out


def _nelder_mead(f: Callable[[list[float]], float], start: Sequence[float], steps: Sequence[float]) -> list[float]:
    """A plain Nelder–Mead minimiser (deterministic: fixed start, fixed steps, fixed number of iterations)."""
    n = len(start)
    points = [list(start)] + [[start[j] + (steps[j] if j == i else 0.0) for j in range(n)] for i in range(n)]
    values = [f(p) for p in points]
    for _ in range(400):
        order = sorted(range(n + 1), key=lambda i: values[i])
        points = [points[i] for i in order]
        values = [values[i] for i in order]
        if values[-1] - values[0] < 1e-16:
            break
        centre = [sum(p[j] for p in points[:-1]) / n for j in range(n)]
        reflected = [2 * centre[j] - points[-1][j] for j in range(n)]
        fr = f(reflected)
        if fr < values[0]:
            expanded = [3 * centre[j] - 2 * points[-1][j] for j in range(n)]
            fe = f(expanded)
            points[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            points[-1], values[-1] = reflected, fr
        else:
            contracted = [(centre[j] + points[-1][j]) / 2 for j in range(n)]
            fc = f(contracted)
            if fc < values[-1]:
                points[-1], values[-1] = contracted, fc
            else:
                for i in range(1, n + 1):
                    points[i] = [(points[0][j] + points[i][j]) / 2 for j in range(n)]
                    values[i] = f(points[i])
    best = min(range(n + 1), key=lambda i: values[i])
    return points[best]


def _squares(option: str, method: Method, table: dict[int, dict[str, float | None]]) -> float:
    return sum(e * e for e in relative_errors(option, method, table).values())


def fit_rate(timing: str) -> Method:
    """The rate alone (no age correction) that best fits the published plain values for one timing: least squares
    on the relative errors at 60, 61, 63, 64, 65."""
    table = published()

    def plain(p: list[float]) -> float:
        return _squares("plain", Method(rate=p[0], timing=timing), table)

    (rate,) = _nelder_mead(plain, [0.0475], [0.005])
    return Method(rate=rate, timing=timing)


def choose_method() -> Method:
    """Among the four timings, each with its fit_rate(), the one with the smallest worst relative error on plain."""
    table = published()

    def worst_plain(method: Method) -> float:
        return max(abs(e) for e in relative_errors("plain", method, table).values())

    return min((fit_rate(timing) for timing in TIMINGS), key=worst_plain)


def calibrate(timing: str = "annual_in_advance") -> Method:
    """A comparison only, not used for any value: the fit with two age corrections, in two stages.

    1. the rate and the pensioner's age correction, on the plain coefficients (60, 61, 63, 64, 65);
    2. the spouse's age correction (FR, same age), on the reversible coefficients (60–65).
    The indexed and indexed-reversible coefficients are then a check the fit did not see. It reproduces every
    option within 0.2 % for yearly in advance, but the corrections are fitted: no source states them.
    """
    table = published()

    def plain(p: list[float]) -> float:
        return _squares("plain", Method(rate=p[0], timing=timing, pensioner_age_correction=p[1]), table)

    rate, correction = _nelder_mead(plain, [0.0475, 0.0], [0.005, 2.0])

    def reversible(p: list[float]) -> float:
        method = Method(rate=rate, timing=timing, pensioner_age_correction=correction, spouse_age_correction=p[0])
        return _squares("reversible", method, table)

    (spouse,) = _nelder_mead(reversible, [correction], [2.0])
    return Method(rate=rate, timing=timing, pensioner_age_correction=correction, spouse_age_correction=spouse)


def _worst(errors: dict[int, float]) -> tuple[int, str]:
    age = max(errors, key=lambda a: abs(errors[a]))
    return age, f"{abs(errors[age]):.6f}"


def _max_errors(method: Method, table: dict[int, dict[str, float | None]]) -> dict[str, str]:
    return {option: _worst(relative_errors(option, method, table))[1] for option in OPTIONS}


def rate_and_timing_only() -> dict[str, object]:
    """For each timing, with no age correction: the rate fit_rate() finds, the largest relative error it leaves per
    option, and the plain 66/67 values it would give (how much the choice of timing moves them)."""
    table = published()
    out: dict[str, object] = {}
    for timing in TIMINGS:
        method = Method(rate=round(fit_rate(timing).rate, 6), timing=timing)  # the rate as printed, as METHOD's
        out[timing] = {
            "rate": f"{method.rate:.6f}",
            "max_relative_error": _max_errors(method, table),
            "plain_by_age": {str(age): four_decimals(coefficient("plain", age, method)) for age in DERIVED_AGES},
        }
    return out


def plain_range(by_timing: dict[str, object]) -> dict[str, object]:
    """Over the timings whose rate alone reproduces plain within 0.5 %: the lowest and highest plain 66/67 they give
    (how much the choice among them moves the derived values)."""
    rows = cast(dict[str, dict[str, dict[str, str]]], by_timing)
    kept = [t for t, row in rows.items() if float(row["max_relative_error"]["plain"]) <= TOLERANCE]
    return {
        "timings": kept,
        **{
            str(age): {
                "min": min((rows[t]["plain_by_age"][str(age)] for t in kept), key=Decimal),
                "max": max((rows[t]["plain_by_age"][str(age)] for t in kept), key=Decimal),
            }
            for age in DERIVED_AGES
        },
    }


def timings_compared() -> dict[str, object]:
    """calibrate() for each timing (the comparison with fitted age corrections), and the largest relative error it
    leaves per option."""
    table = published()
    out: dict[str, object] = {}
    for timing in TIMINGS:
        method = calibrate(timing)
        out[timing] = {**_text(method), "max_relative_error": _max_errors(method, table)}
    return out


def _text(method: Method) -> dict[str, str]:
    return {
        "rate": f"{method.rate:.6f}",
        "pensioner_age_correction": f"{method.pensioner_age_correction:.3f}",
        "spouse_age_correction": f"{method.spouse_age_correction:.3f}",
    }


def _percent(rate: float) -> str:
    return f"{Decimal(f'{rate:.6f}') * 100}".rstrip("0").rstrip(".")


def method_text(method: Method = METHOD) -> str:
    timing = TIMING_TEXT[method.timing]
    spouse_age = "of the same age" if method.spouse_age_gap == 0 else f"{method.spouse_age_gap} years younger"
    common = (
        f"indexed: +{Decimal(str(method.indexation)) * 100:.0f} % a year from the second payment; reversible: "
        f"a_x + {method.reversion} (a_y - a_xy), the spouse a woman {spouse_age} on table {method.spouse_table}, "
        "lives independent."
    )
    if method.pensioner_age_correction == 0.0 and method.spouse_age_correction == 0.0:
        return (
            f"Life annuity of 1 a year, paid {timing}, on the Belgian reference table {method.pensioner_table} for the "
            f"pensioner, no age correction, at a technical rate of {_percent(method.rate)} %; {common} The rate is "
            "fitted (least squares) on the published plain 60, 61, 63, 64, 65 for each of the four timings; the "
            "timing kept has the smallest worst relative error on plain. Computed by "
            "pilier.analysis.engine.mortality.derive()."
        )
    text = _text(method)
    return (
        f"Life annuity of 1 a year, paid {timing}, on the Belgian reference table {method.pensioner_table} for the "
        f"pensioner with an age correction of {text['pensioner_age_correction']} years, at a technical rate of "
        f"{_percent(method.rate)} %; {common} The spouse's age correction is {text['spouse_age_correction']} years. "
        "Rate and pensioner's correction fitted on the published plain 60, 61, 63, 64, 65; spouse's correction "
        "fitted on the published reversible 60-65; the indexed and indexed-reversible values were not used in the "
        "fit. The age corrections are fitted, from no source on what the Com.IB assumed."
    )


def _fit(method: Method, fitted_on: tuple[str, ...]) -> tuple[dict[str, object], dict[str, bool]]:
    """Per option: the worst relative error of `method` on the published 60–65 and whether it is within 0.5 %."""
    table = published()
    fit: dict[str, object] = {}
    reproduced: dict[str, bool] = {}
    for option in OPTIONS:
        errors = relative_errors(option, method, table)
        worst_age, worst = _worst(errors)
        reproduced[option] = all(abs(e) <= TOLERANCE for e in errors.values())
        fit[option] = {
            "max_relative_error": worst,
            "worst_age": worst_age,
            "ages_compared": sorted(errors),
            "reproduced": reproduced[option],
            "used_in_fit": option in fitted_on,
        }
    return fit, reproduced


def _values(method: Method, ages: Iterable[int]) -> dict[str, dict[str, str]]:
    return {str(age): {option: four_decimals(coefficient(option, age, method)) for option in OPTIONS} for age in ages}


def derive(ages: Iterable[int] = DERIVED_AGES, method: Method = METHOD) -> dict[str, object]:
    """The content of coefficients_derived.json, computed: the fit on 60–65 and the derived values.

    An option gets 66/67 values only if `method` reproduces its published 60–65 values within 0.5 %; otherwise
    null, and the broker is asked for it.
    """
    ages = tuple(ages)
    fit, reproduced = _fit(method, ("plain",))
    by_age = {
        str(age): {
            option: (four_decimals(coefficient(option, age, method)) if reproduced[option] else None)
            for option in OPTIONS
        }
        for age in ages
    }
    not_reproduced = [option for option in OPTIONS if not reproduced[option]]
    calibrated_fit, _ = _fit(CALIBRATED, ("plain", "reversible"))
    by_timing = rate_and_timing_only()
    return {
        "method": method_text(method),
        "table": {
            **TABLE_SOURCE,
            "parameters": TABLE_PARAMETER_TEXT,
        },
        "rate": _text(method)["rate"],
        "timing": method.timing,
        "indexation": str(method.indexation),
        "reversion": str(method.reversion),
        "age_correction": {
            "pensioner": _text(method)["pensioner_age_correction"],
            "spouse": _text(method)["spouse_age_correction"],
        },
        "pensioner": "man, table MR",
        "spouse": "woman of the same age as the pensioner, table FR",
        "tolerance": "0.005",
        "fit": fit,
        "computed_60_65": _values(method, PUBLISHED_AGES),
        "by_age": by_age,
        "not_reproduced": {
            "options": not_reproduced,
            "note": (
                "Null for 66 and 67: the published table and a rate (with any of the four payment timings) do not "
                "reproduce the published 60-65 values of these options within 0.5 %. Ask the broker (the insurer's "
                "own coefficients); never a number from nowhere."
            ),
        },
        "rate_and_timing_only": {
            "note": (
                "The same tables with no age correction: for each timing, the rate that best fits the published "
                "plain values, the largest relative error it leaves per option, and the plain 66/67 it would give. "
                "The timing kept is the one with the smallest plain error. No timing reproduces the indexed, "
                "reversible and indexed-reversible values within 0.5 %."
            ),
            "by_timing": by_timing,
            "plain_range_over_timings_that_reproduce_plain": plain_range(by_timing),
        },
        "with_fitted_age_corrections": {
            "used": False,
            "note": (
                "Not used: the age corrections are fitted, no source states them. A comparison only: with an age "
                "correction fitted for the pensioner (on plain) and one for the spouse (on reversible), the "
                "published values of every option are reproduced within 0.2 %, yet no figure here may be used."
            ),
            "method": method_text(CALIBRATED),
            "rate": _text(CALIBRATED)["rate"],
            "timing": CALIBRATED.timing,
            "age_correction": {
                "pensioner": _text(CALIBRATED)["pensioner_age_correction"],
                "spouse": _text(CALIBRATED)["spouse_age_correction"],
            },
            "fit": calibrated_fit,
            "by_age": _values(CALIBRATED, ages),
            "timings_compared": timings_compared(),
        },
        "published_source": (
            "Com.IB 59/61-64, as reproduced on taximize.be (common.json annuity_coefficients, unverified); "
            "age 62 plain is null there (printed 12.2100, a misprint)."
        ),
        "verified": False,
        "status": "derived",
    }


def write(path: Path = DERIVED_PATH) -> None:
    path.write_text(json.dumps(derive(), indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write()
