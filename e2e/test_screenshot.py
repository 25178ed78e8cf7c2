"""The README screenshot: a realistic client file in French, at 1280x900, full page.

Its data and history dates are fixed, so that the PNG only changes when the page does
(docs/screenshot-client-file.png is committed; it is rewritten only when its bytes differ).
"""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from pilier.clients import services
from pilier.clients.identifiers import national_number_for

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-client-file.png"
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.strptime(f"{day} {time}", "%d/%m/%Y %H:%M").replace(tzinfo=BRUSSELS)


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
                fiscal_year_start=datetime.date(2025, 1, 1),
                fiscal_year_end=datetime.date(2025, 12, 31),
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
    return client


def test_readme_screenshot_of_a_client_file(page: Page, log_in, world):
    client = build_client_file(world)
    log_in(world.alice)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(client.get_absolute_url())

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_contain_text("VANDENBERGHE Claire")
    expect(page.locator("#identity")).to_contain_text("Données personnelles")
    expect(page.locator("#identity")).to_contain_text("Avenue Louise 231")
    expect(page.locator("#status")).to_contain_text("Dirigeant d'entreprise (avec société)")
    expect(page.locator("#status")).to_contain_text("01/01/2025 – 31/12/2025")
    expect(page.locator("#history tbody tr")).to_have_count(5)
    expect(page.locator("#history tbody tr").first).to_contain_text("20/10/2025 16:30")
    expect(page.locator("#todos")).to_have_count(0)  # a complete file: nothing left to do
    page.evaluate("document.fonts.ready")

    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    assert re.match(rb"\x89PNG", png)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    if not SCREENSHOT.exists() or SCREENSHOT.read_bytes() != png:
        SCREENSHOT.write_bytes(png)
