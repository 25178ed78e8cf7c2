from dataclasses import dataclass, field
from decimal import Decimal

from pilier.clients.models import Client

from .catalogue import PILLARS, TYPES, Section
from .models import Policy, PolicyStatus


@dataclass
class SectionView:
    code: str
    label: object
    policies: list[Policy] = field(default_factory=list)

    @property
    def yearly_premiums(self) -> Decimal:
        return sum(
            (p.annual_premium or Decimal(0) for p in self.policies if p.status == PolicyStatus.ACTIVE), Decimal(0)
        )

    @property
    def reserves(self) -> Decimal:
        return sum((p.reserves or Decimal(0) for p in self.policies), Decimal(0))

    @property
    def by_pillar(self) -> list[tuple[object, list[Policy]]]:
        groups: dict[int | None, list[Policy]] = {}
        for policy in self.policies:
            groups.setdefault(TYPES[policy.type].pillar, []).append(policy)
        return [(PILLARS.get(p, "") if p is not None else "", groups[p]) for p in sorted(groups, key=lambda p: p or 0)]


def policies_of(client: Client) -> list[Policy]:
    """One query, whatever the number of policies."""
    return list(
        Policy.objects.filter(client=client).order_by("section", "-is_main", "type", "start_date", "created_at")
    )


def sections_of(policies: list[Policy]) -> list[SectionView]:
    sections = {code: SectionView(code, label) for code, label in Section.choices}
    for policy in policies:
        sections[policy.section].policies.append(policy)
    return list(sections.values())
