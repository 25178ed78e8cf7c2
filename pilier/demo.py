"""The demo office that `make run` loads into a new database."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from pilier.accounts.models import Office
from pilier.accounts.services import office_create, staff_create
from pilier.clients.identifiers import PLACEHOLDER, national_number_for
from pilier.clients.models import SocialStatus
from pilier.clients.services import career_line_create, client_create, income_set
from pilier.policies.services import policy_create

DEMO_OFFICE = "Courtage Démo"
DEMO_PASSWORD = "pilier-demo-2026"

_PEOPLE = [
    ("Dubois", "Marc", "fr", "Namur", "5000"),
    ("Peeters", "An", "nl", "Leuven", "3000"),
    ("Lambert", "Sophie", "fr", "Liège", "4000"),
    ("Janssens", "Koen", "nl", "Gent", "9000"),
    ("Lefèvre", "Olivier", "fr", "Mons", "7000"),
    ("Maes", "Els", "nl", "Brugge", "8000"),
    ("Dupont", "Isabelle", "fr", "Wavre", "1300"),
    ("Claes", "Pieter", "nl", "Hasselt", "3500"),
    ("Martin", "Julie", "fr", "Charleroi", "6000"),
    ("Willems", "Tom", "nl", "Antwerpen", "2000"),
    ("Simon", "Nathalie", "fr", "Arlon", "6700"),
    ("Goossens", "Bart", "nl", "Mechelen", "2800"),
]


@transaction.atomic
def demo_load():
    office = Office.objects.filter(name=DEMO_OFFICE).first()
    if office is not None:
        return office, False
    office = office_create(
        name=DEMO_OFFICE,
        admin_email="admin@demo.pilier.be",
        admin_password=DEMO_PASSWORD,
        first_name="Anne",
        last_name="Delvaux",
    )
    claire = staff_create(
        office=office, email="claire@demo.pilier.be", password=DEMO_PASSWORD, first_name="Claire", last_name="Renard"
    )
    joris = staff_create(
        office=office,
        email="joris@demo.pilier.be",
        password=DEMO_PASSWORD,
        first_name="Joris",
        last_name="Vermeulen",
        language="nl",
    )
    rng = random.Random(2026)
    # Mostly self-employed people and company directors: the files brokers optimise every year.
    statuses = ["self_employed", "company_director", "employee", "self_employed", "company_director", "civil_servant"]
    for index, (last, first, language, town, postcode) in enumerate(_PEOPLE):
        born = datetime.date(1960 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29))
        status = statuses[index % len(statuses)] if index < 10 else ""
        fields = dict(
            last_name=last,
            first_name=first,
            # The service takes the birth date and the gender from the number (odd serial: a man).
            national_number=national_number_for(born, 2 * rng.randrange(1, 400) + (index % 2)),
            language=language,
            email=f"{first.lower()}.{last.lower().replace('è', 'e')}@example.be",
            street="Rue de la Station" if language == "fr" else "Stationsstraat",
            house_number=str(rng.randrange(1, 200)),
            postcode=postcode,
            municipality=town,
            client_number=f"B{1000 + index}",
            account_manager=claire if language == "fr" else joris,
            file_manager=joris if language == "fr" else claire,
            social_status=status,
        )
        if status == SocialStatus.COMPANY_DIRECTOR:
            fields.update(
                fiscal_year_start=datetime.date(2026, 1, 1),
                fiscal_year_end=datetime.date(2026, 12, 31),
                company_name=f"{last} Consult SRL",
            )
        client = client_create(office=office, **fields)
        _fill(client, index, claire)
    client_create(
        office=office,
        last_name="Delvaux",
        first_name="Anne",
        national_number=PLACEHOLDER,
        language="fr",
        account_manager=claire,
        file_manager=claire,
        restricted_access=True,
        client_number="B0001",
        social_status=SocialStatus.COMPANY_DIRECTOR,
        fiscal_year_start=datetime.date(2026, 4, 1),
        fiscal_year_end=datetime.date(2027, 3, 31),
        company_name="Courtage Démo SRL",
        enterprise_number="0403.170.701",
    )
    _pro_files(office, claire)
    return office, True


def _pro_files(office, by) -> None:
    """PRO follow-up on the first self-employed files and company directors, the demo's accountant on one."""
    from pilier.accountants.models import Accountant
    from pilier.accountants.services import accountant_create, file_accountant_set
    from pilier.followup.services import pro_follow_up_set

    files = list(
        office.clients.filter(
            social_status__in=[SocialStatus.SELF_EMPLOYED, SocialStatus.COMPANY_DIRECTOR], restricted_access=False
        ).order_by("client_number")[:3]
    )
    for client in files:
        pro_follow_up_set(client=client, active=True, by=by)
    accountant = Accountant.objects.filter(email__iexact="fiduciaire@demo.example.be").first() or accountant_create(
        name="Sophie Lemaire",
        firm="Fiduciaire Lemaire",
        enterprise_number="0450.123.451",
        email="fiduciaire@demo.example.be",
        phone="+32 81 00 00 00",
        street="Rue de Fer",
        number="10",
        postcode="5000",
        municipality="Namur",
    )
    if files:
        file_accountant_set(client=files[0], accountant_id=accountant.pk, by=by)


def _fill(client, index: int, author) -> None:
    """Career, incomes and policies, so that the file and its analysis show something real."""
    born = client.birth_date.year
    status = client.social_status
    if not status:
        return
    if status in ("self_employed", "company_director"):
        start = born + 30
        career_line_create(client=client, from_year=born + 23, to_year=start - 1, status="employee", employer="Various")
        career_line_create(client=client, from_year=start, to_year=None, status=status, employer=client.company_name)
        # From 2020: the 80 % rule freezes the 2020 pay for the self-employed years before 2021.
        for year in range(2020, 2026):
            net = Decimal(32000 + 1500 * (year - 2021) + 900 * index)
            income_set(
                client=client,
                year=year,
                user=author,
                net_taxable_professional_income=net,
                gross_remuneration=net * Decimal("1.6") if status == "company_director" else None,
            )
    else:
        career_line_create(
            client=client, from_year=born + 23, to_year=None, status=status if status != "none" else "other"
        )
    number = 1000 + index
    common = dict(client=client, status="active", start_date=datetime.date(born + 32, 1, 1), payment_frequency="yearly")
    reserves_at = datetime.date(2026, 1, 1)
    # (section, type, insurer, number as the insurer writes it, yearly premium, reserves, death capital)
    by_status: dict[str, list[tuple[str, str, str, str, int, int | None, int | None]]] = {
        "self_employed": [("pension", "plci", "NN", f"300{number:07d}", 2400, 18000 + 700 * index, None)],
        "company_director": [
            ("pension", "eip", "AXA", f"0101{number:08d}", 6000, 45000 + 1000 * index, None),
            ("pension", "plci", "ALLIANZ", f"BCUD{number:06d}00", 3000, 22000, None),
            ("death", "term_life", "ATHORA", f"GV{number}", 420, None, 250000),
        ],
    }
    policies = by_status.get(status, [])
    policies.append(("pension", "pension_savings", "AG", f"1135{number:04d}", 1050, 9000 + 300 * index, None))
    for section, kind, insurer, policy_number, premium, reserves, death_capital in policies:
        policy_create(
            **common,
            section=section,
            type=kind,
            insurer=insurer,
            number=policy_number,
            annual_premium=Decimal(premium),
            reserves=None if reserves is None else Decimal(reserves),
            reserves_date=None if reserves is None else reserves_at,
            death_capital=None if death_capital is None else Decimal(death_capital),
        )
    if index % 3 == 0:
        policy_create(
            **common,
            section="investment",
            type="investment_insurance",
            insurer="BALOISE",
            number=f"1A{number}",
            reserves=Decimal(15000),
            goal="Petits-enfants" if client.language == "fr" else "Kleinkinderen",
            managed=index % 2 == 0,
        )
