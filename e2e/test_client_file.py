"""The client file in a real browser: the career shortcut, policies by section and the main-policy rule.

Logged in through the login form as a French-speaking staff member. The texts the page shows are read from
the French catalogue at test time (`fr()`): a message that has no French translation yet is shown in English
by the page and expected in English here, and the tests keep passing once it is translated.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pilier.clients.models import CareerLine
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .helpers import fr, sophie_lambert

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NBSP = "\u00a0"


def born_1985(world, **fields):
    return sophie_lambert(world, datetime.date(1985, 4, 2), **fields)


def open_file(page: Page, client) -> None:
    page.goto(client.get_absolute_url())
    expect(page.locator("h1")).to_contain_text(client.full_name)


def file_url(client) -> re.Pattern:
    return re.compile(rf"/clients/{client.pk}/(#[\w-]+)?$")


def add_policy_in(page: Page, section: str) -> None:
    """Clicks "add policy" in a section of the file and lands on the form, the section chosen."""
    page.locator(f"section#{section} .toolbar").get_by_role("link", name=fr("Add a policy")).click()
    page.wait_for_url(re.compile(rf"/policies/new/\?section={section}$"))
    expect(page.locator("select[name=section]")).to_have_value(section)


def fill_policy(page: Page, *, type: str, insurer: str, number: str, premium: str | None = None) -> None:
    page.select_option("select[name=type]", type)
    page.select_option("select[name=insurer]", insurer)
    expect(page.locator("#insurer-hint")).not_to_be_empty()  # the insurer's number format, beside the field
    page.fill("input[name=number]", number)
    if premium is not None:
        page.fill("input[name=annual_premium]", premium)


def save_policy(page: Page) -> None:
    page.click("#policy-form button[type=submit]")


def main_badge(row):
    return row.locator(".badge:not(.warn)")


def test_career_shortcut_always_an_employee(page: Page, log_in, world):
    client = born_1985(world)
    this_year = timezone.localdate().year
    log_in(world.alice)
    open_file(page, client)

    career = page.locator("section#career")
    expect(career.locator("table.career")).to_have_count(0)
    expect(career.locator(".empty")).to_have_text(fr("No career line yet."))
    shortcut = career.locator(f'a[href="/clients/{client.pk}/career/shortcut/"]')
    expect(shortcut).to_have_text(fr("Always an employee since the end of studies"))
    shortcut.click()

    page.wait_for_url(re.compile(rf"/clients/{client.pk}/career/shortcut/$"))
    page.fill("input[name=end_of_studies_year]", "2008")
    page.click("form.card button[type=submit]")

    page.wait_for_url(file_url(client))
    rows = career.locator("table.career tbody tr")
    expect(rows).to_have_count(1)  # one line, and no gap row
    line = CareerLine.objects.get(client=client)
    assert (line.from_year, line.to_year, line.status, line.various_employers) == (2008, None, "employee", True)
    row = career.locator(f"#career-{line.pk}")
    expect(row.locator("td").nth(0)).to_have_text(f"2008–{fr('today')}")
    expect(row.locator("td").nth(1)).to_have_text(fr("Employee"))
    expect(row.locator("td").nth(2)).to_have_text(fr("Various employers"))
    expect(career.locator("#years-done")).to_have_text(str(this_year - 2008 + 1))
    # Born in 1985: 67 in 2052, the legal retirement age for those who reach it from 2030 on.
    expect(career.locator("#years-left")).to_have_text(str(2052 - this_year))


def test_plci_in_the_pension_section(page: Page, log_in, world):
    client = world.client
    log_in(world.alice)
    open_file(page, client)
    expect(page.locator("section#pension .empty")).to_be_visible()

    add_policy_in(page, "pension")
    fill_policy(page, type="plci", insurer="NN", number="3000000256", premium="2 451,00")
    save_policy(page)

    page.wait_for_url(re.compile(rf"/clients/{client.pk}/#policy-{UUID}$"))
    policy = Policy.objects.get(client=client)
    assert (policy.section, policy.type, policy.insurer) == ("pension", "plci", "NN")
    assert (policy.number, policy.number_key) == ("300-0000256", "3000000256")
    assert policy.annual_premium == Decimal("2451.00")
    assert policy.is_main  # alone in its group
    assert page.url.endswith(f"#policy-{policy.pk}")

    pension = page.locator("section#pension")
    row = pension.locator(f"#policy-{policy.pk}")
    expect(pension.locator("tbody tr")).to_have_count(1)
    expect(row).to_contain_text("300-0000256")
    expect(row).to_contain_text("NN Insurance Belgium")
    # Playwright's text matching treats U+00A0 as a space: the separators are checked on the raw text.
    assert row.locator("td").nth(2).text_content().strip() == f"2{NBSP}451,00{NBSP}€"
    assert pension.locator("tfoot th").nth(1).text_content().strip() == f"2{NBSP}451,00{NBSP}€"
    expect(main_badge(row)).to_have_text(fr("main"))
    expect(row.get_by_role("button")).to_have_count(0)  # nothing to choose between
    for other in ("disability", "death", "investment"):
        expect(page.locator(f"section#{other} tbody tr")).to_have_count(0)


def test_plci_refused_in_death_only(page: Page, log_in, world):
    client = world.client
    log_in(world.alice)
    open_file(page, client)

    add_policy_in(page, "death")
    pension_types = page.locator("select[name=type] optgroup", has=page.locator("option[value=plci]"))
    expect(pension_types).to_have_attribute("label", fr("Pension"))  # every section's types are offered
    fill_policy(page, type="plci", insurer="NN", number="3000000256", premium="1 200")
    save_policy(page)

    refusal = fr("%(type)s must build a pension capital: add it in the Pension section, not in Death only.") % {
        "type": fr("PLCI")
    }
    expect(page.locator("#field-type.has-error .errorlist")).to_have_text(refusal)
    expect(page).to_have_url(re.compile(rf"/clients/{client.pk}/policies/new/\?section=death$"))
    expect(page.locator("select[name=section]")).to_have_value("death")  # what was typed is kept
    expect(page.locator("input[name=number]")).to_have_value("3000000256")
    assert not Policy.objects.filter(client=client).exists()

    open_file(page, client)
    expect(page.locator("section#death .empty")).to_be_visible()
    expect(page.locator("section#death tbody tr")).to_have_count(0)


def test_make_the_second_plci_main(page: Page, log_in, world):
    client = world.client
    first = PolicyFactory(client=client, insurer="NN", number="3000000256")
    second = PolicyFactory(client=client)
    first.refresh_from_db()
    assert first.is_main and not second.is_main  # the first one is main by itself
    log_in(world.alice)
    open_file(page, client)

    pension = page.locator("section#pension")
    first_row, second_row = pension.locator(f"#policy-{first.pk}"), pension.locator(f"#policy-{second.pk}")
    expect(main_badge(first_row)).to_have_text(fr("main"))
    expect(main_badge(second_row)).to_have_count(0)
    expect(first_row.get_by_role("button")).to_have_count(0)
    make_main = second_row.locator(f'form[action="/policies/{second.pk}/main/"] button[type=submit]')
    expect(make_main).to_have_text(fr("Make main"))
    make_main.click()

    expect(main_badge(second_row)).to_have_text(fr("main"))
    expect(main_badge(first_row)).to_have_count(0)
    expect(first_row.locator(f'form[action="/policies/{first.pk}/main/"] button')).to_have_text(fr("Make main"))
    expect(second_row.get_by_role("button")).to_have_count(0)
    expect(pension.locator("tbody tr").first).to_have_id(f"policy-{second.pk}")  # the main policy comes first
    expect(page.locator("#todos")).to_have_count(0)  # a main policy is chosen: nothing to do
    assert list(Policy.objects.filter(client=client, is_main=True)) == [second]


def test_number_already_used_in_the_office_links_to_the_other_file(page: Page, log_in, world):
    taken = PolicyFactory(client=world.client, insurer="NN", number="3000000256")
    client = born_1985(world)
    log_in(world.alice)
    open_file(page, client)

    add_policy_in(page, "pension")
    fill_policy(page, type="plci", insurer="NN", number="300 000 0256")  # the same number, typed otherwise
    save_policy(page)

    expect(page.locator("#field-number.has-error .errorlist")).to_contain_text(world.client.full_name)
    link = page.locator("#policy-form .messages .error a")
    expect(link).to_have_text(world.client.full_name)
    expect(link).to_have_attribute("href", f"{world.client.get_absolute_url()}#policy-{taken.pk}")
    assert not client.policies.exists()

    link.click()
    page.wait_for_url(re.compile(rf"/clients/{world.client.pk}/#policy-{taken.pk}$"))
    expect(page.locator(f"section#pension #policy-{taken.pk}")).to_contain_text("300-0000256")


def test_number_used_in_a_restricted_file_names_no_one(page: Page, log_in, world):
    """Bob is not assigned to the restricted file: he learns the number cannot be used, not why nor by whom."""
    PolicyFactory(client=world.restricted, insurer="NN", number="3000000256")
    log_in(world.bob)
    open_file(page, world.client)

    add_policy_in(page, "pension")
    fill_policy(page, type="plci", insurer="NN", number="3000000256")
    save_policy(page)

    expect(page.locator("#field-number.has-error .errorlist")).to_contain_text(
        fr("This policy number cannot be used for this file. Ask an office admin.")
    )
    expect(page.locator("#policy-form .messages")).to_have_count(0)  # no link to the file
    expect(page.locator("body")).not_to_contain_text(world.restricted.last_name, ignore_case=True)
    assert not world.client.policies.exists()
