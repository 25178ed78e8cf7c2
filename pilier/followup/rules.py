"""The rules of PRO follow-up, pure: who may have it, which flow a file is in."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from .models import Flow, ProspectionCase

# Self-employed people, company directors and assisting spouses: those a PLCI, EIP or CPTI is for.
PRO_STATUSES = ("self_employed", "company_director", "assisting_spouse")
PRODUCT_GROUPS = ("plci", "eip", "cpti")

NOT_PRO = _(
    "PRO follow-up is only for self-employed people, company directors and assisting spouses: "
    "this file's social status is %(status)s."
)
NO_STATUS = _("PRO follow-up needs the social status of the file (step 2) first.")
NOT_ACTIVE = _("Activate PRO follow-up on this file first: an accountant is only invited into a PRO file.")


def why_not_pro(social_status: str, label: str) -> str | None:
    """None when the file may have PRO follow-up, else the reason in the user's language."""
    if not social_status:
        return str(NO_STATUS)
    if social_status not in PRO_STATUSES:
        return str(NOT_PRO % {"status": label.lower()})
    return None


class PolicyLike(Protocol):
    main_group: str
    is_main: bool
    status: str
    annual_premium: Decimal | None
    managed: bool


@dataclass(frozen=True)
class Placement:
    flow: str
    case: str = ""  # for prospection: no_plci, held_elsewhere, dormant


def _main_policies(policies: list[PolicyLike]) -> list[PolicyLike]:
    """The main policy of each group: the one marked main, or the group's only policy."""
    mains = []
    for group in PRODUCT_GROUPS:
        rows = [p for p in policies if p.main_group == group]
        marked = [p for p in rows if p.is_main]
        mains += marked or (rows if len(rows) == 1 else [])
    return mains


def _pays(policy: PolicyLike) -> bool:
    return policy.status == "active" and (policy.annual_premium or 0) > 0


def placement(policies: Iterable[PolicyLike]) -> Placement:
    """Optimisation when the main PLCI, EIP or CPTI pays premiums and is managed by the office; otherwise
    prospection, saying why: no such policy (a first one), one held elsewhere (a transfer), or a dormant one
    (a reactivation)."""
    rows = [p for p in policies if p.main_group in PRODUCT_GROUPS and p.status != "terminated"]
    if any(_pays(p) and p.managed for p in _main_policies(rows)):
        return Placement(Flow.OPTIMISATION)
    if not rows:
        return Placement(Flow.PROSPECTION, ProspectionCase.NO_PLCI)
    if any(not p.managed for p in rows):
        return Placement(Flow.PROSPECTION, ProspectionCase.HELD_ELSEWHERE)
    return Placement(Flow.PROSPECTION, ProspectionCase.DORMANT)


NOT_ACTIVE_STATUS = _("PRO follow-up is not active on this file: activate it first.")
