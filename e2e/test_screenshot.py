"""The README screenshot: a realistic client file in French, at 1280x900, full page.

Its data and history dates are fixed, and so is "today" for the page (the career's years done and left,
the timeline's last year), so that the PNG only changes when the page does
(docs/screenshot-client-file.png is committed; it is rewritten only when its bytes differ).
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import defaulttags
from django.utils import timezone
from playwright.sync_api import Page, expect

from pilier.clients import services
from pilier.clients.identifiers import national_number_for
from pilier.policies import services as policies

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-client-file.png"
BRUSSELS = ZoneInfo("Europe/Brussels")


TODAY = datetime.date(2025, 11, 14)  # a few weeks after the last change of the file's history


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.strptime(f"{day} {time}", "%d/%m/%Y %H:%M").replace(tzinfo=BRUSSELS)


class _PinnedDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=tz or BRUSSELS)


@pytest.fixture
def pinned_today(monkeypatch):
    """The page's "today" is TODAY: the client file reads the year from timezone.localdate()
    (years done, years left, the timeline) and from {% now "Y" %} (the timeline's header).
    The live server runs in this process, in a thread: it sees the patched functions."""
    localdate = timezone.localdate

    def pinned_localdate(value=None, timezone=None):
        return TODAY if value is None else localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", pinned_localdate)
    monkeypatch.setattr(defaulttags, "datetime", _PinnedDatetime)
    return TODAY


def build_client_file(world):
    """A company director followed for a few months: created, step 2, new phone, moved, new file manager."""
    client = services.client_create(
        office=world.office,
        last_name="Vandenberghe",
        first_name="Claire",
        national_number=national_number_for(datetime.date(1978, 5, 12), 84),
        birth_date=datetime.date(1978, 5, 12),
        gender="F",
        language="fr",
        email="claire@vandenberghe-architecture.be",
        phone="02 345 67 89",
        street="Rue du Bailli",
        house_number="42",
        box="",
        postcode="1050",
        municipality="Ixelles",
        country="BE",
        client_number="A-0427",
        account_manager=world.alice,
        file_manager=None,
        restricted_access=False,
    )
    steps = [
        (
            at("11/03/2025", "09:14"),
            world.alice,
            {},  # the creation itself
        ),
        (
            at("11/03/2025", "09:17"),
            world.alice,
            dict(
                social_status="company_director",
                fiscal_year_start=datetime.date(datetime.date.today().year, 1, 1),
                fiscal_year_end=datetime.date(datetime.date.today().year, 12, 31),  # current (clients.rules)
                company_name="Vandenberghe Architecture SRL",
                enterprise_number="0712.345.630",
            ),
        ),
        (at("02/06/2025", "14:05"), world.alice, dict(phone="0478 55 21 90")),
        (
            at("15/09/2025", "10:42"),
            world.bob,
            dict(street="Avenue Louise", house_number="231", box="5", postcode="1050", municipality="Ixelles"),
        ),
        (at("20/10/2025", "16:30"), world.admin, dict(file_manager=world.bob)),
    ]
    for _when, _who, changes in steps[1:]:
        services.client_update(client=client, **changes)
    # Back-date the history and name its authors (no request here to tell who changed what).
    rows = list(client.history.order_by("history_id"))
    assert len(rows) == len(steps)
    for row, (when, who, _changes) in zip(rows, steps, strict=True):
        type(row).objects.filter(pk=row.pk).update(history_date=when, history_user=who)
    add_career(client)
    add_policies(client)
    return client


def add_career(client):
    """Employee after her studies, two years without a line (the gap), self-employed, then her company."""
    for from_year, to_year, status, employer, income in [
        (2001, 2005, "employee", "Atelier Delmotte & Associés", "31200"),
        (2008, 2012, "self_employed", "Architecte indépendante", "48500"),
        (2013, None, "company_director", "Vandenberghe Architecture SRL", "72000"),
    ]:
        services.career_line_create(
            client=client,
            from_year=from_year,
            to_year=to_year,
            status=status,
            employer=employer,
            gross_annual_income=Decimal(income),
        )


def add_policies(client):
    """A main PLCI (NN) and an EIP in the pension section, a guaranteed income, an investment with a goal."""
    for fields in [
        dict(
            section="pension",
            type="plci",
            insurer="NN",
            number="3001843379",
            start_date=datetime.date(2009, 1, 1),
            annual_premium=Decimal("3412.50"),
            reserves=Decimal("58240.17"),
            reserves_date=datetime.date(2024, 12, 31),
        ),
        dict(
            section="pension",
            type="eip",
            insurer="AG",
            number="800123456701",
            start_date=datetime.date(2014, 6, 1),
            annual_premium=Decimal("12000"),
            reserves=Decimal("131905.40"),
            reserves_date=datetime.date(2024, 12, 31),
        ),
        dict(
            section="disability",
            type="guaranteed_income",
            insurer="BALOISE",
            number="GI 2013 0457",
            start_date=datetime.date(2013, 3, 1),
            annual_premium=Decimal("1845.60"),
            disability_annual_benefit=Decimal("42000"),
            disability_waiting_days=30,
        ),
        dict(
            section="investment",
            type="investment_insurance",
            insurer="ALLIANZ",
            number="INV 5520 7700",
            start_date=datetime.date(2019, 9, 15),
            annual_premium=Decimal("2400"),
            reserves=Decimal("17315.82"),
            reserves_date=datetime.date(2025, 9, 30),
            goal="Études des enfants",
        ),
    ]:
        policies.policy_create(client=client, **fields)


def test_readme_screenshot_of_a_client_file(page: Page, log_in, world, pinned_today):
    client = build_client_file(world)
    log_in(world.alice)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(client.get_absolute_url())

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_contain_text("VANDENBERGHE Claire")
    expect(page.locator("#identity")).to_contain_text("Données personnelles")
    expect(page.locator("#identity")).to_contain_text("Avenue Louise 231")
    expect(page.locator("#status")).to_contain_text("Dirigeant d'entreprise (avec société)")
    year = datetime.date.today().year
    expect(page.locator("#status")).to_contain_text(f"01/01/{year} – 31/12/{year}")
    expect(page.locator("#history tbody tr")).to_have_count(5)
    expect(page.locator("#history tbody tr").first).to_contain_text("20/10/2025 16:30")
    expect(page.locator("#todos")).to_have_count(0)  # a complete file: nothing left to do
    career = page.locator("#career")
    expect(career.locator("tbody tr:not(.gap)")).to_have_count(3)
    expect(career.locator("tbody tr.gap")).to_have_count(1)
    expect(career.locator("tbody tr.gap td").first).to_have_text("2006–2007")
    expect(career.locator("#years-done")).to_have_text("23")  # 2001–2005 and 2008–2025
    expect(career.locator("#years-left")).to_have_text("20")  # born in 1978: 67 in 2045
    expect(career.locator("thead")).to_contain_text("→ 2025")
    pension = page.locator("#pension")
    expect(pension.locator("tbody tr")).to_have_count(2)
    expect(pension.locator("tbody tr", has_text="300-1843379")).to_contain_text("NN Insurance Belgium")
    expect(pension.locator("tbody .badge:not(.warn)")).to_have_count(2)  # each alone in its group: PLCI, EIP
    expect(page.locator("#disability tbody tr")).to_have_count(1)
    expect(page.locator("#death tbody tr")).to_have_count(0)
    expect(page.locator("#investment tbody tr")).to_contain_text("Études des enfants")
    page.evaluate("document.fonts.ready")

    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    assert re.match(rb"\x89PNG", png)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    if not SCREENSHOT.exists() or SCREENSHOT.read_bytes() != png:
        SCREENSHOT.write_bytes(png)
