"""The client wizard in a real browser: log in, step 1 (personal data), step 2 (social status),
then find the new file with the search-as-you-type box of the Clients list.

Once in French and once in Dutch: the interface follows the user's own language (User.language),
whatever the browser's (the browser context says fr-BE).
"""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from pilier.clients.identifiers import national_number_for
from pilier.clients.models import Client, SocialStatus
from pilier.tests.factories import staff

YEAR = datetime.date.today().year  # a financial year must be the current one or the next

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def fill_step_1(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"input[name={name}]", value)


def submit(page: Page) -> None:
    page.click("form.card button[type=submit]")


def search(page: Page, text: str) -> None:
    """Types in the search box key by key, as a user does: htmx swaps the table, nothing is submitted."""
    box = page.locator("input[name=q]")
    box.click()
    box.press_sequentially(text, delay=20)


def rows(page: Page):
    return page.locator("#client-table tbody tr")


def test_wizard_in_french_then_search_as_you_type(page: Page, log_in, world):
    number = national_number_for(datetime.date(1985, 7, 30), 33)
    assert number == "85.07.30-033.28"

    log_in(world.alice)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("header.top nav")).to_contain_text("Clients")
    page.get_by_role("link", name="Nouveau client").click()

    # Step 1: personal data.
    page.wait_for_url(re.compile(r"/clients/new/$"))
    expect(page.locator("h1")).to_have_text("Nouveau client")
    expect(page.locator(".steps .current")).to_have_text("1. Données personnelles")
    expect(page.locator(".steps")).to_contain_text("2. Statut social")
    expect(page.locator("form.card button[type=submit]")).to_have_text("Enregistrer et passer à l'étape 2")
    fill_step_1(
        page,
        last_name="Lefèvre",
        first_name="Julien",
        national_number=number.replace(".", "").replace("-", ""),  # typed without dots: normalised
        email="julien.lefevre@example.be",
        phone="0475 12 34 56",
        street="Rue de la Loi",
        house_number="16",
        postcode="1000",
        municipality="Bruxelles",
        client_number="A-200",
    )
    submit(page)

    # Step 2: the current social status.
    page.wait_for_url(re.compile(rf"/clients/{UUID}/status/$"))
    client = Client.objects.get(office=world.office, last_name="Lefèvre")
    assert client.national_number == "85.07.30-033.28"
    assert client.birth_date == datetime.date(1985, 7, 30)  # read from the national number
    assert client.account_manager == world.alice  # the creator by default
    assert not client.is_complete
    expect(page.locator("h1")).to_contain_text("Nouveau client")
    expect(page.locator(".steps .current")).to_have_text("2. Statut social")
    expect(page.locator("#company-fields")).to_be_hidden()
    page.check("input[name=social_status][value=employee]")
    expect(page.locator("#company-fields")).to_be_hidden()
    expect(page.locator("form.card button[type=submit]")).to_have_text("Enregistrer")
    submit(page)

    # The client file.
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/$"))
    expect(page.locator("h1")).to_contain_text("LEFÈVRE Julien")
    expect(page.locator("h1 .badge.warn")).to_have_count(0)
    identity = page.locator("#identity")
    expect(identity).to_contain_text("Données personnelles")
    expect(identity).to_contain_text("85.07.30-033.28")
    expect(identity).to_contain_text("30/07/1985")
    expect(page.locator("#status")).to_contain_text("Statut social")
    client.refresh_from_db()
    assert client.social_status == SocialStatus.EMPLOYEE

    # Search as you type: no accent, no capital, no submit.
    page.get_by_role("link", name="Clients", exact=True).first.click()
    page.wait_for_url(re.compile(r"/clients/$"))
    expect(rows(page).filter(has_text="DUBOIS Marc")).to_have_count(1)
    search(page, "lefevre")
    expect(rows(page).filter(has_text="DUBOIS Marc")).to_have_count(0)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("LEFÈVRE Julien")
    expect(rows(page).first).to_contain_text("85.07.30-033.28")
    expect(page).to_have_url(re.compile(r"[?&]q=lefevre"))  # hx-push-url: the search can be bookmarked


def test_wizard_in_dutch_company_director(page: Page, log_in, world):
    nora = staff(world.office, email="nora@alpha.be", first_name="Nora", last_name="Nijs", language="nl")
    number = national_number_for(datetime.date(1979, 3, 14), 122)

    log_in(nora)
    expect(page.locator("html")).to_have_attribute("lang", "nl")  # the user's language, not the browser's
    expect(page.locator("header.top nav")).to_contain_text("Klanten")
    expect(page.locator("h1")).to_have_text("Klanten")
    page.get_by_role("link", name="Nieuwe klant").click()

    # Step 1.
    page.wait_for_url(re.compile(r"/clients/new/$"))
    expect(page.locator("h1")).to_have_text("Nieuwe klant")
    expect(page.locator(".steps .current")).to_have_text("1. Persoonsgegevens")
    expect(page.locator(".steps")).to_contain_text("2. Sociaal statuut")
    expect(page.locator("form.card button[type=submit]")).to_have_text("Opslaan en naar stap 2")
    fill_step_1(
        page,
        last_name="Vermeulen",
        first_name="Griet",
        national_number=number,
        street="Meir",
        house_number="24",
        postcode="2000",
        municipality="Antwerpen",
    )
    page.select_option("select[name=language]", "nl")
    submit(page)

    # Step 2: company director, whose company fieldset appears when the radio is checked.
    page.wait_for_url(re.compile(rf"/clients/{UUID}/status/$"))
    expect(page.locator(".steps .current")).to_have_text("2. Sociaal statuut")
    director = page.locator("label", has_text="Bedrijfsleider (met vennootschap)")
    expect(director).to_be_visible()
    expect(page.locator("#company-fields")).to_be_hidden()
    page.check("input[name=social_status][value=company_director]")
    expect(page.locator("#company-fields")).to_be_visible()
    page.fill("input[name=fiscal_year_start]", f"01/07/{YEAR}")
    page.fill("input[name=fiscal_year_end]", f"30/06/{YEAR + 1}")
    page.fill("input[name=company_name]", "Vermeulen Advies BV")
    page.fill("input[name=enterprise_number]", "0403170701")
    expect(page.locator("form.card button[type=submit]")).to_have_text("Opslaan")
    submit(page)

    # The client file shows the status and the company's financial year.
    client = Client.objects.get(office=world.office, last_name="Vermeulen")
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/$"))
    status = page.locator("#status")
    expect(status).to_contain_text("Sociaal statuut")
    expect(status).to_contain_text("Bedrijfsleider (met vennootschap)")
    expect(status).to_contain_text(f"01/07/{YEAR} – 30/06/{YEAR + 1}")
    expect(status).to_contain_text("Vermeulen Advies BV (0403.170.701)")
    expect(page.locator("#identity")).to_contain_text("Persoonsgegevens")
    client.refresh_from_db()
    assert client.social_status == SocialStatus.COMPANY_DIRECTOR
    assert (client.fiscal_year_start, client.fiscal_year_end) == (
        datetime.date(YEAR, 7, 1),
        datetime.date(YEAR + 1, 6, 30),
    )

    # Search as you type, this time by the first digits of the national number.
    page.get_by_role("link", name="Klanten", exact=True).first.click()
    page.wait_for_url(re.compile(r"/clients/$"))
    search(page, "790314")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("VERMEULEN Griet")
    expect(rows(page).first).to_contain_text("Bedrijfsleider (met vennootschap)")


def test_wrong_national_number_shows_the_error_and_creates_nothing(page: Page, log_in, world):
    before = Client.objects.count()
    log_in(world.alice)
    page.goto("/clients/new/")
    fill_step_1(page, last_name="Janssens", first_name="Tom", national_number="85.07.30-033.29")  # check digits
    submit(page)

    expect(page.locator("#field-national_number.has-error .errorlist")).to_be_visible()
    expect(page.locator("#field-national_number .errorlist")).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/clients/new/$"))
    expect(page.locator("input[name=last_name]")).to_have_value("Janssens")  # what was typed is kept
    expect(page.locator("input[name=national_number]")).to_have_value("85.07.30-033.29")
    assert Client.objects.count() == before
    assert not Client.objects.filter(last_name="Janssens").exists()


def test_file_left_after_step_1_is_incomplete_in_the_list(page: Page, log_in, world):
    log_in(world.alice)
    page.goto("/clients/new/")
    fill_step_1(
        page, last_name="Maes", first_name="Lotte", national_number=national_number_for(datetime.date(1990, 2, 3), 44)
    )
    submit(page)
    page.wait_for_url(re.compile(rf"/clients/{UUID}/status/$"))

    # The broker leaves the wizard here and comes back to the list.
    page.get_by_role("link", name="Clients", exact=True).first.click()
    page.wait_for_url(re.compile(r"/clients/$"))
    left = rows(page).filter(has_text="MAES Lotte")
    expect(left).to_have_count(1)
    expect(left.locator(".badge.warn")).to_have_text("incomplet")
    expect(rows(page).filter(has_text="DUBOIS Marc").locator(".badge.warn")).to_have_count(0)

    left.get_by_role("link", name="MAES Lotte").click()
    expect(page.locator("h1 .badge.warn")).to_have_text("incomplet")


@pytest.mark.parametrize(
    ("who", "whose"),
    [("alice", "other_client"), ("bob", "restricted")],
    ids=["other-office", "restricted-not-assigned"],
)
def test_client_file_out_of_reach_is_404(page: Page, log_in, world, who, whose):
    client = getattr(world, whose)
    log_in(getattr(world, who))
    for path in (client.get_absolute_url(), f"/clients/{client.pk}/edit/", f"/clients/{client.pk}/status/"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.locator("body")).not_to_contain_text(client.last_name, ignore_case=True)
