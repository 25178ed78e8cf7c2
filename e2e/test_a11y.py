"""What a screen reader is told, in a real browser: a field's accessible description is its help text and
its errors (aria-describedby naming ids the page has), the menu's current page, the messages and the end
of an import in live regions, the last one still the same element after htmx swapped the status it follows.

Chromium computes the accessible names and descriptions (Playwright's to_have_accessible_description)."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from pilier.couplings.jobs import run_import
from pilier.couplings.tests.conftest import csv_bytes, row

from .helpers import fr, sophie_lambert
from .test_imports import media, queue_only, upload  # noqa: F401 (media and queue_only are fixtures)

pytestmark = pytest.mark.browser

# Every aria-describedby id that the page lacks, and every help text or error list that no field names.
UNDESCRIBED = """() => {
  const refs = [...document.querySelectorAll("[aria-describedby]")].flatMap(
    (e) => e.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean));
  const dangling = refs.filter((id) => document.querySelectorAll(`[id="${id}"]`).length !== 1);
  const orphans = [...document.querySelectorAll("form .helptext, form .errorlist:not(.nonfield)")]
    .filter((e) => !e.id || !refs.includes(e.id)).map((e) => e.outerHTML.slice(0, 80));
  return {dangling, orphans};
}"""


def assert_every_description_holds(page: Page) -> None:
    assert page.evaluate(UNDESCRIBED) == {"dangling": [], "orphans": []}


def described(text: str) -> re.Pattern:
    return re.compile(re.escape(" ".join(text.split())))


def test_the_wizard_s_fields_are_described_by_their_help_text_and_errors(page: Page, log_in, world):
    log_in(world.alice)
    page.goto("/clients/new/")
    national = page.locator("#id_national_number")
    help_text = fr("NN or BIS number; 99.99.99-999.99 when not known yet.")
    expect(national).to_have_accessible_description(help_text)
    expect(national).not_to_have_attribute("aria-invalid", re.compile(".*"))
    assert_every_description_holds(page)

    page.fill("input[name=national_number]", "1")
    page.click("form.card button[type=submit]")
    expect(page.locator("#field-national_number")).to_have_class("field has-error")
    error = page.locator("#id_national_number_error").inner_text()
    assert error
    expect(national).to_have_attribute("aria-invalid", "true")
    expect(national).to_have_accessible_description(described(f"{help_text} {error}"))
    expect(page.locator("#id_last_name")).to_have_accessible_description(fr("This field is required."))
    assert_every_description_holds(page)


def test_the_social_status_is_a_group_described_by_its_error_then_a_message_says_it_is_saved(page: Page, log_in, world):
    client = sophie_lambert(world, datetime.date(1980, 5, 1), social_status="")  # the wizard's step 2 to do
    log_in(world.alice)
    page.goto(f"/clients/{client.pk}/status/")
    group = page.get_by_role("group", name=re.compile(f"^{re.escape(fr('Current social status'))}"))
    expect(group).to_have_count(1)
    expect(group.get_by_role("radio")).not_to_have_count(0)
    page.click("form.card button[type=submit]")
    expect(group).to_have_accessible_description(fr("This field is required."))
    expect(group.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")
    assert_every_description_holds(page)

    messages = page.locator("#messages")
    expect(messages).to_have_attribute("aria-live", "polite")
    expect(messages).to_be_empty()
    group.get_by_role("radio").first.check()
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/$"))
    expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#messages li")).to_have_text(fr("Social status saved."))


def test_the_policy_number_is_described_by_the_insurer_s_format(page: Page, log_in, world):
    log_in(world.alice)
    page.goto(f"/clients/{world.client.pk}/policies/new/?section=pension")
    page.select_option("select[name=insurer]", "NN")
    hint = page.locator("#insurer-hint")
    expect(hint).not_to_be_empty()
    number = page.locator("#id_number")
    expect(number).to_have_accessible_description(hint.inner_text())
    page.select_option("select[name=insurer]", "AG")
    expect(number).to_have_accessible_description(hint.inner_text())  # the script keeps the hint up to date
    page.select_option("select[name=insurer]", "NN")
    page.fill("input[name=number]", "12")  # not in NN's format
    page.click("#policy-form button[type=submit]")
    expect(number).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_number_error").inner_text()
    expect(number).to_have_accessible_description(described(f"{hint.inner_text()} {error}"))
    assert_every_description_holds(page)


def test_the_menu_says_which_page_is_current(page: Page, log_in, world):
    log_in(world.alice)
    menu = page.locator("header.top nav")
    clients = menu.get_by_role("link", name=fr("Clients"), exact=True)
    imports = menu.get_by_role("link", name=fr("Imports"), exact=True)
    expect(clients).to_have_attribute("aria-current", "page")
    expect(imports).not_to_have_attribute("aria-current", re.compile(".*"))
    imports.click()
    page.wait_for_url(re.compile(r"/imports/$"))
    expect(imports).to_have_attribute("aria-current", "page")
    expect(clients).not_to_have_attribute("aria-current", re.compile(".*"))
    expect(menu.locator("[aria-current]")).to_have_count(1)
    page.goto(world.client.get_absolute_url())
    expect(clients).to_have_attribute("aria-current", "true")  # the file is within Clients, not its page


def test_the_end_of_an_import_is_announced_in_a_live_region_the_poll_keeps(
    page: Page,
    log_in,
    world,
    queue_only,  # noqa: F811
    media,  # noqa: F811
):
    log_in(world.alice)
    page.goto("/imports/")
    upload(page, csv_bytes([row(insurer="ACME")]))
    announce = page.get_by_role("status")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_be_empty()
    page.evaluate("document.getElementById('import-announce').dataset.first = 'yes'")
    expect(page.locator("#import-status")).to_have_attribute("hx-trigger", "every 1s")

    run_import(run=world.import_of(world.office))  # what the worker does
    expect(page.locator("#import-done")).to_have_text(fr("Import done"))  # swapped in by the next poll
    expect(announce).to_have_text(fr("Import done"))
    assert page.evaluate("document.getElementById('import-announce').dataset.first") == "yes"
    expect(page.locator("[id=import-announce]")).to_have_count(1)
