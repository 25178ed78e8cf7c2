import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .steps import Param


@dataclass(frozen=True)
class Amount:
    value: Decimal
    source: str  # where it came from, e.g. "income 2022 entered by claire@… on 03/02/2026"


@dataclass(frozen=True)
class PolicyInput:
    id: str
    type: str
    main_group: str
    pillar: int | None
    section: str
    is_main: bool
    status: str
    annual_premium: Decimal | None
    reserves: Decimal | None
    managed: bool
    label: str  # "PLCI NN 300-0000256"
    profit_sharing: Decimal | None = None  # acquired profit-sharing, part of the reserves (outside the taxable base)


@dataclass
class Inputs:
    """What the engine needs from a client file, each value with its origin."""

    year: int
    social_status: str  # the client's current social status code ("" when step 2 is not done)
    birth_year: int | None
    retirement_age: int | None
    years_done: int  # career years done (career lines)
    years_left: int | None
    years_before_2021: int  # career years done before 2021 (legal pension estimate)
    started_self_employed: int | None  # first year of the current self-employed activity (career lines)
    # Of `years_before_2021`, those as self-employed (or director, assisting spouse) without a job as employee or
    # civil servant that year: the 80 % rule estimates their legal pension at 25 % of the 2020 pay, the others at 50 %.
    years_before_2021_self_employed: int = 0
    net_income: dict[int, Amount] = field(default_factory=dict)  # net taxable professional income by year
    gross_remuneration: dict[int, Amount] = field(default_factory=dict)  # directors, by year
    plci_reference_income: Amount | None = None  # from the fund's invoice for `year`
    fiscal_year_end: datetime.date | None = None
    policies: list[PolicyInput] = field(default_factory=list)


@dataclass
class Rules:
    year: int
    params: dict[str, Param]
    coefficients: dict[int, dict[str, Param]]  # age at end of contract → option → coefficient

    def get(self, key: str) -> Param:
        return self.params.get(key) or Param(key, None, note="not in the rules data")


@dataclass
class Options:
    """What the broker chose for this analysis; None: the named default of the rules (engine/assumptions.py)."""

    technical_rate: Decimal | None = None
    annuity_option: str | None = None  # plain, indexed, reversible, indexed_reversible
    coefficient: Decimal | None = None  # used only where the rules have no coefficient for the age
    marginal_rate: Decimal | None = None  # the client's marginal income-tax rate (fictitious annuity at payout)
    active_until_legal_age: bool | None = None  # stays active until the legal pension age (tax on the capital)
