"""The Content-Security-Policy in a real browser: the pages with scripts or drawings (the client file and its
career timeline, the policy form, the wizard's step 2, the analysis and its chart, the Clients search, the
API docs) load with no violation reported, and what their scripts did still works, now from static files.

Chromium reports each violation twice: a `securitypolicyviolation` event (listened to from a script that
Playwright adds to every document, outside the page's policy) and a console error "Refused to …".
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pilier.clients.models import Client
from pilier.clients.services import income_set
from pilier.tests.factories import CareerLineFactory, ClientFactory, PolicyFactory

from .helpers import fr, sophie_lambert

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SCREENSHOTS = Path(__file__).parent / "artifacts"

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every CSP violation the pages of this test report, from the event or from the console."""
    found: list[str] = []
    page.context.expose_binding("reportViolation", lambda _source, text: found.append(text))
    page.context.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Refused to" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    return found


@pytest.fixture
def file_with_a_career(world) -> Client:
    """A self-employed client with a gap in her career, a main PLCI with reserves and an income."""
    client = sophie_lambert(world, datetime.date(1980, 5, 1), social_status="self_employed")
    CareerLineFactory(client=client, from_year=2002, to_year=2005, status="employee", employer="Atelier Delmotte")
    CareerLineFactory(client=client, from_year=2008, to_year=None, status="self_employed", employer="")
    PolicyFactory(
        client=client,
        annual_premium=Decimal("2000"),
        reserves=Decimal("40000"),
        reserves_date=datetime.date(2024, 12, 31),
    )
    income_set(client=client, year=2024, user=world.alice, plci_reference_income=Decimal("30000"))
    return client


def no_injected_style(page: Page) -> None:
    """htmx is configured not to add its indicator <style>; nothing else adds one either."""
    assert page.evaluate("document.querySelectorAll('style').length") == 0


def test_the_client_file_its_timeline_and_its_delete_confirmation(
    page: Page, log_in, world, violations, file_with_a_career
):
    client = file_with_a_career
    log_in(world.alice)
    page.goto(client.get_absolute_url())
    expect(page.locator("h1")).to_contain_text(client.full_name)

    # The timeline: one SVG bar per line and one for the gap, where the years put them.
    bars = page.locator("#career svg.timeline rect.bar")
    expect(bars).to_have_count(3)
    gap = page.locator("#career tr.gap svg.timeline rect.bar.gap")
    expect(gap).to_have_count(1)
    boxes = [bars.nth(i).bounding_box() for i in range(3)]
    track = page.locator("#career svg.timeline").first.bounding_box()
    assert all(box["width"] > 4 and box["height"] == track["height"] for box in boxes)
    first, second = page.locator("#career tbody tr:not(.gap) rect.bar").all()
    assert first.bounding_box()["x"] == pytest.approx(track["x"], abs=1)  # the career's first year
    assert second.bounding_box()["x"] > gap.bounding_box()["x"] > first.bounding_box()["x"]
    # Filled by the stylesheet (status colours, the gap's hatching), not by a style attribute.
    assert page.evaluate("getComputedStyle(document.querySelector('rect.bar.status-self_employed')).fill") == (
        "rgb(47, 143, 91)"
    )
    assert "timeline-gap-hatch" in page.evaluate("getComputedStyle(document.querySelector('rect.bar.gap')).fill")
    toolbar_title = page.locator("#career .toolbar h2")
    assert page.evaluate("(el) => getComputedStyle(el).flexGrow", toolbar_title.element_handle()) == "1"
    no_injected_style(page)

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "csp-client-file.png", full_page=True)

    # The delete button asks first (pilier.js, from the form's data-confirm); dismissed, nothing is deleted.
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name=fr("Delete the file")).click()
    assert asked == [fr("Delete this client file? Its history is kept.")]
    expect(page.locator("h1")).to_contain_text(client.full_name)
    assert Client.objects.filter(pk=client.pk).exists()
    assert violations == []


def test_the_policy_form_shows_the_insurer_hint_and_the_fields_of_its_section(
    page: Page, log_in, world, violations, file_with_a_career
):
    client = file_with_a_career
    log_in(world.alice)
    page.goto(client.get_absolute_url())
    page.locator("section#pension .toolbar").get_by_role("link", name=fr("Add a policy")).click()
    page.wait_for_url(re.compile(r"/policies/new/\?section=pension$"))

    goal = page.locator(".only-investment")
    benefit = page.locator(".only-disability").first
    expect(goal).to_be_hidden()
    expect(benefit).to_be_hidden()
    page.select_option("select[name=section]", "investment")
    expect(goal).to_be_visible()
    expect(benefit).to_be_hidden()
    page.select_option("select[name=section]", "disability")
    expect(goal).to_be_hidden()
    expect(benefit).to_be_visible()

    hint = page.locator("#insurer-hint")
    page.select_option("select[name=insurer]", "NN")
    expect(hint).not_to_have_text("")
    nn_hint = hint.text_content()
    page.select_option("select[name=insurer]", "AG")
    expect(hint).not_to_have_text(nn_hint)

    # An existing policy: its delete button asks first.
    policy = client.policies.get()
    page.goto(f"/policies/{policy.pk}/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=fr("Delete this policy")).click()
    assert asked == [fr("Delete this policy? Its history is kept.")]
    assert client.policies.filter(pk=policy.pk).exists()
    no_injected_style(page)
    assert violations == []


def test_the_wizard_s_step_2_shows_the_company_only_for_a_company_director(page: Page, log_in, world, violations):
    client = ClientFactory(office=world.office, account_manager=world.alice, social_status="")
    log_in(world.alice)
    page.goto(f"/clients/{client.pk}/status/")
    company = page.locator("#company-fields")
    expect(company).to_be_hidden()
    page.check("input[name=social_status][value=company_director]")
    expect(company).to_be_visible()
    page.check("input[name=social_status][value=employee]")
    expect(company).to_be_hidden()
    assert violations == []


def test_the_analysis_its_chart_and_its_print_button(page: Page, log_in, world, violations, file_with_a_career):
    client = file_with_a_career
    log_in(world.alice)
    page.goto(f"/clients/{client.pk}/analysis/?year=2024&rate=1.75&coefficient=16")
    expect(page.locator("h1")).to_contain_text(client.full_name)
    expect(page.locator("svg.chart polyline")).to_have_count(1)
    assert page.locator("svg.chart").bounding_box()["height"] > 100
    rate = page.locator("input[name=rate]").bounding_box()
    assert 80 < rate["width"] < 110  # 6rem, from the stylesheet

    page.evaluate("window.print = () => { window.printed = true; }")  # no print dialog in a test
    page.get_by_role("button", name=fr("Print")).click()
    assert page.evaluate("window.printed") is True
    no_injected_style(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "csp-analysis.png", full_page=True)
    assert violations == []


def test_the_search_as_you_type_still_works_with_htmx_under_the_policy(page: Page, log_in, world, violations):
    log_in(world.alice)
    box = page.locator("input[name=q]")
    box.click()
    box.press_sequentially("Dubo", delay=20)
    expect(page.locator("#client-table tbody tr")).to_have_count(1)
    expect(page.locator("#client-table tbody tr")).to_contain_text("DUBOIS")
    expect(page).to_have_url(re.compile(r"\?q=Dubo"))
    no_injected_style(page)
    assert violations == []


def test_the_api_docs_work_from_the_swagger_files_ninja_ships(page: Page, log_in, world, violations):
    log_in(world.alice)
    page.goto("/api/v1/docs")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/clients")
    assert violations == []


def test_the_listener_hears_a_violation(page: Page, log_in, world, violations):
    """The checks above would pass vacuously if nothing were listening: a style attribute and an image
    from elsewhere, added to the page, are refused and reported."""
    log_in(world.alice)
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend",
        '<p style="color: red">x</p><img src="https://images.example.invalid/x.png" alt="">')"""
    )
    for _ in range(50):  # the reports arrive asynchronously
        if any("img-src" in v for v in violations) and any("style-src" in v for v in violations):
            break
        page.wait_for_timeout(50)
    assert any("style-src" in v for v in violations), violations
    assert any("img-src" in v for v in violations), violations
