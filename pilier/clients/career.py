"""Career rules: which statuses may overlap, gaps, years done, years left until the legal pension.

Pure Python on purpose (no Django import): the analysis engine uses the same functions.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Statuses that may run at the same time: a main activity plus a secondary self-employed one
# (also as a student), two part-time jobs, a job or unemployment with a secondary activity.
_SECONDARY = {"self_employed", "company_director", "assisting_spouse"}
_MAIN = {"employee", "civil_servant", "student", "unemployed", "career_break"}
COMBINABLE = {frozenset((a, b)) for a in _MAIN for b in _SECONDARY} | {
    frozenset(("employee",)),  # two part-time jobs
    frozenset(("employee", "civil_servant")),
    frozenset(("self_employed", "company_director")),  # a sole trade beside a company mandate
}


def can_overlap(status_a: str, status_b: str) -> bool:
    return frozenset((status_a, status_b)) in COMBINABLE


@dataclass(frozen=True)
class Span:
    from_year: int
    to_year: int | None  # None: ongoing
    status: str

    def end(self, current_year: int) -> int:
        return self.to_year if self.to_year is not None else current_year

    def overlaps(self, other: "Span", current_year: int) -> bool:
        return self.from_year <= other.end(current_year) and other.from_year <= self.end(current_year)


def conflicts(new: Span, others: list[Span], current_year: int) -> list[Span]:
    """The existing lines that `new` overlaps although their statuses cannot be combined."""
    return [o for o in others if new.overlaps(o, current_year) and not can_overlap(new.status, o.status)]


def years_covered(spans: list[Span], current_year: int) -> set[int]:
    years: set[int] = set()
    for span in spans:
        years.update(range(span.from_year, min(span.end(current_year), current_year) + 1))
    return years


def gaps(spans: list[Span], current_year: int) -> list[tuple[int, int]]:
    """Runs of years between the first career year and now that no line covers."""
    covered = years_covered(spans, current_year)
    if not covered:
        return []
    runs, start = [], None
    for year in range(min(covered), current_year + 1):
        if year not in covered and start is None:
            start = year
        elif year in covered and start is not None:
            runs.append((start, year - 1))
            start = None
    if start is not None:
        runs.append((start, current_year))
    return runs


@cache
def _retirement_rules() -> dict:
    return json.loads((Path(__file__).parent / "data" / "legal_retirement_age.json").read_text())


def legal_retirement_age(birth_year: int) -> int:
    """The age in force in the year the person would reach it (66 from 2025, 67 from 2030)."""
    rules = sorted(_retirement_rules()["rules"], key=lambda r: r["from_year"] or 0)

    def age_in_force(year: int) -> int:
        age = rules[0]["age"]
        for rule in rules:
            if rule["from_year"] is None or year >= rule["from_year"]:
                age = rule["age"]
        return age

    for age in sorted({r["age"] for r in rules}):
        if age_in_force(birth_year + age) <= age:
            return age
    return max(r["age"] for r in rules)


def retirement_rule_source() -> str:
    return _retirement_rules()["source"]


@dataclass
class CareerSummary:
    years_done: int
    gaps: list[tuple[int, int]]
    retirement_age: int | None
    retirement_year: int | None
    years_left: int | None


def career_summary(spans: list[Span], birth_year: int | None, current_year: int) -> CareerSummary:
    done = len(years_covered(spans, current_year))
    if birth_year is None:
        return CareerSummary(done, gaps(spans, current_year), None, None, None)
    age = legal_retirement_age(birth_year)
    year = birth_year + age
    return CareerSummary(done, gaps(spans, current_year), age, year, max(0, year - current_year))
