"""The product catalogue: which policy types each section of the file takes, by pillar.

Product definitions, not legal figures: they change when the product range changes, not each year.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Section(models.TextChoices):
    PENSION = "pension", _("Pension")
    DISABILITY = "disability", _("Disability only")
    DEATH = "death", _("Death only")
    INVESTMENT = "investment", _("Investments")


@dataclass(frozen=True)
class PolicyType:
    code: str
    label: object
    section: str
    pillar: int | None = None  # 2, 3 or 4 for the pension section
    main_group: str = ""  # policies of one group have exactly one main policy
    branch: str = ""  # insurance branch (21, 23, 44) for investments


TYPES: dict[str, PolicyType] = {
    t.code: t
    for t in [
        PolicyType("plci", _("PLCI"), Section.PENSION, 2, "plci"),
        PolicyType("plci_social", _("Social PLCI"), Section.PENSION, 2, "plci"),
        PolicyType("eip", _("EIP (individual pension commitment)"), Section.PENSION, 2, "eip"),
        PolicyType("cpti", _("CPTI (pension agreement for the self-employed)"), Section.PENSION, 2, "cpti"),
        PolicyType("group_insurance", _("Group insurance"), Section.PENSION, 2, "eip"),
        PolicyType("inami", _("INAMI / RIZIV contract"), Section.PENSION, 2),
        PolicyType("pension_savings", _("Pension savings"), Section.PENSION, 3),
        PolicyType("long_term_savings", _("Long-term savings"), Section.PENSION, 3),
        PolicyType("non_fiscal_savings", _("Non-fiscal savings"), Section.PENSION, 4),
        PolicyType("guaranteed_income", _("Guaranteed income"), Section.DISABILITY),
        PolicyType("turnover_insurance", _("Turnover insurance"), Section.DISABILITY),
        PolicyType("term_life", _("Temporary death cover"), Section.DEATH),
        PolicyType("mortgage_life", _("Mortgage cover (outstanding balance)"), Section.DEATH),
        PolicyType("savings_insurance", _("Savings insurance (branch 21)"), Section.INVESTMENT, branch="21"),
        PolicyType("investment_insurance", _("Investment insurance (branch 23)"), Section.INVESTMENT, branch="23"),
        PolicyType("mixed_investment", _("Mixed investment (branch 44)"), Section.INVESTMENT, branch="44"),
    ]
}

TYPE_CHOICES = [(t.code, t.label) for t in TYPES.values()]
MAIN_GROUPS = {
    "plci": _("PLCI"),
    "eip": _("EIP and group insurance"),
    "cpti": _("CPTI"),
}
PILLARS = {2: _("2nd pillar"), 3: _("3rd pillar"), 4: _("4th pillar")}

# Why a type does not belong in a section, said to the broker.
_WHY_NOT: dict[str, "StrPromise"] = {
    Section.DEATH: _("%(type)s must build a pension capital: add it in the Pension section, not in Death only."),
    Section.DISABILITY: _("%(type)s is not a disability-only cover: add it in the %(section)s section."),
    Section.PENSION: _("%(type)s does not build a pension capital: add it in the %(section)s section."),
    Section.INVESTMENT: _(
        "%(type)s is not an investment outside retirement planning: add it in the %(section)s section."
    ),
}


def types_of(section: str) -> list[PolicyType]:
    return [t for t in TYPES.values() if t.section == section]


def why_not_in(section: str, type_code: str) -> str | None:
    """None when the section takes that type, else the reason in the user's language."""
    kind = TYPES[type_code]
    if kind.section == section:
        return None
    if section == Section.DEATH and kind.section == Section.PENSION:
        return str(_WHY_NOT[Section.DEATH] % {"type": kind.label})
    return str(_WHY_NOT[section] % {"type": kind.label, "section": Section(kind.section).label})


def grouped_type_choices():
    """Type choices grouped by section (for a select with optgroups), `section` first."""
    return [(Section(s).label, [(t.code, t.label) for t in types_of(s)]) for s in Section.values]
