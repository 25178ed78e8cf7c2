"""Portfolio imports in a real browser: the upload's progress bar, then its result; linking an unmatched record.

Logged in through the login form as a French-speaking staff member; the texts are read from the French
catalogue at test time (`fr()`), as in test_client_file.py.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from playwright.sync_api import Page, expect

from pilier.couplings.jobs import run_import
from pilier.couplings.models import ImportRun, UnmatchedRecord
from pilier.couplings.portfolio.records import FIELDS
from pilier.couplings.tests.conftest import csv_bytes, row
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .test_client_file import UUID, fr, open_file

pytestmark = pytest.mark.browser

QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def media(settings, tmp_path):
    """The uploaded files go to a temporary folder, not to var/media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def queue_only(settings):
    """The upload queues its job and nothing runs it: the test does, once the page shows the bar.

    The root conftest's autouse fixture (run before this one) sets the immediate backend. `settings` is
    Django's global settings object, which the live server's threads read too, and changing TASKS sends
    `setting_changed`: django_tasks' receiver then drops its configured backends (`task_backends`), so
    the next request builds the dummy backend. The change is undone, with the same signal, after the test.
    """
    from django_tasks import task_backends
    from django_tasks.backends.dummy import DummyBackend

    settings.TASKS = QUEUE_ONLY
    assert isinstance(task_backends["default"], DummyBackend)
    return settings


def in_language(user, msgid: str) -> str:
    """A message written by the import, in the language of the user who started it."""
    with translation.override(user.language):
        return translation.gettext(msgid)


def open_imports(page: Page) -> None:
    """Through the top menu, from wherever the user is."""
    page.locator("header.top nav").get_by_role("link", name=fr("Imports"), exact=True).click()
    page.wait_for_url(re.compile(r"/imports/$"))
    expect(page.locator("h1")).to_have_text(fr("Imports"))


def upload(page: Page, content: bytes, name: str = "nn.csv") -> None:
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.locator("form.stacked").get_by_role("button", name=fr("Import")).click()
    page.wait_for_url(re.compile(rf"/imports/{UUID}/$"))


def test_an_upload_shows_its_progress_bar_then_the_result(page: Page, log_in, world, queue_only, media):
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium="100.00")
    content = csv_bytes(
        [
            row(),  # line 2: updates the office's policy 300-0000256
            row(policy_number="3000000999", mandate="no"),  # line 3: no policy, no mandate
            row(insurer="ACME"),  # line 4: rejected
        ]
    )
    log_in(world.alice)
    open_imports(page)
    expect(page.locator("table.imports")).to_have_count(0)
    upload(page, content)

    job = ImportRun.objects.get()
    assert (job.status, job.created_by, job.file_name, job.source) == ("queued", world.alice, "nn.csv", "upload")
    assert page.url.endswith(f"/imports/{job.pk}/")
    status = page.locator("#import-status")
    expect(status.locator("#import-progress")).to_be_visible()
    expect(status.locator("h2")).to_have_text(fr("Waiting for its turn…"))
    expect(status).to_have_attribute("hx-trigger", "every 1s")
    expect(status.locator("#import-done")).to_have_count(0)
    page.evaluate("window.stillThisPage = true")  # gone if the page were loaded again

    run_import(run=job)  # what the worker does
    assert job.status == "done"

    done = page.locator("#import-done")
    expect(done).to_have_text(fr("Import done"))  # swapped in by htmx's next poll
    expect(page.locator("#import-progress")).to_have_count(0)
    assert page.evaluate("window.stillThisPage") is True
    expect(page.locator("#import-status")).not_to_have_attribute("hx-trigger", re.compile(".*"))  # polling stops
    expect(page.locator("#count-updated")).to_have_text("1")
    expect(page.locator("#count-created")).to_have_text("0")
    expect(page.locator("#count-unchanged")).to_have_text("0")
    expect(page.locator("#count-unmatched")).to_contain_text("1")
    expect(page.locator("#count-unmatched a")).to_have_text(fr("handle them"))
    expect(page.locator("#count-rejected")).to_have_text("1")
    errors = page.locator("#import-status table.errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.locator("td").nth(0)).to_have_text("4")
    unknown = in_language(world.alice, "Unknown insurer “%(value)s”.") % {"value": "ACME"}
    expect(errors).to_contain_text(unknown)
    expect(errors).to_contain_text("ACME · 3000000256")  # what the record was about, not only its line

    policy.refresh_from_db()
    assert str(policy.annual_premium) == "2451.00"
    assert UnmatchedRecord.objects.get().number == "3000000999"
    assert not list(media.rglob("*.dat"))  # the file (personal data) is not kept

    open_imports(page)  # the list of previous imports shows it
    listed = page.locator("table.imports tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("nn.csv")
    expect(listed.locator(f'a[href="/imports/{job.pk}/"]')).to_be_visible()


def test_an_unmatched_record_is_linked_to_the_clients_file(page: Page, log_in, world, media):
    job = ImportRun.objects.create(office=world.office, created_by=world.admin, file_name="nn.csv", source="command")
    job.file.save(f"{job.pk}.dat", ContentFile(csv_bytes([row(policy_number="3000000999", mandate="no")])))
    run_import(run=job)
    record = UnmatchedRecord.objects.get()
    assert (record.status, record.holder_name) == ("open", "Dubois Marc")

    log_in(world.bob)
    open_imports(page)
    unmatched_button = page.get_by_role("link", name=re.compile(re.escape(fr("Unmatched records"))))
    expect(unmatched_button.locator(".badge")).to_have_text("1")
    unmatched_button.click()
    page.wait_for_url(re.compile(r"/imports/unmatched/$"))
    line = page.locator(f"#record-{record.pk}")
    expect(line).to_contain_text("3000000999")
    expect(line).to_contain_text("Dubois Marc")
    line.get_by_role("link", name=fr("Link to a file")).click()

    page.wait_for_url(re.compile(rf"/imports/unmatched/{record.pk}/$"))
    expect(page.locator("input[name=q]")).to_have_value("Dubois Marc")  # the holder's name is searched
    candidate = page.locator("tr", has_text=world.client.full_name)
    expect(candidate).to_have_count(1)
    candidate.get_by_role("button", name=fr("Link here")).click()

    page.wait_for_url(re.compile(rf"/clients/{world.client.pk}/#policy-{UUID}$"))
    policy = Policy.objects.get(client=world.client)
    assert page.url.endswith(f"#policy-{policy.pk}")
    assert (policy.insurer, policy.number, policy.type, policy.section) == ("NN", "300-0000999", "plci", "pension")
    expect(page.locator(".messages .success")).to_contain_text("300-0000999")
    pension_row = page.locator(f"section#pension #policy-{policy.pk}")
    expect(pension_row).to_contain_text("300-0000999")
    expect(pension_row).to_contain_text("NN Insurance Belgium")
    record.refresh_from_db()
    assert (record.status, record.linked_client) == ("linked", world.client)

    page.goto("/imports/unmatched/")
    expect(page.locator(f"#record-{record.pk}")).to_have_count(0)  # handled: no longer to handle
    open_file(page, world.client)
    expect(page.locator(f"section#pension #policy-{policy.pk}")).to_be_visible()


def test_a_file_with_a_wrong_header_is_refused(page: Page, log_in, world, media):
    """The immediate backend (the root conftest's) runs the job inside the upload request."""
    log_in(world.bob)
    open_imports(page)
    upload(page, b"insurer;number\nNN;3000000256\n", name="wrong.csv")

    missing = [f for f in FIELDS if f != "insurer"]
    refusal = in_language(
        world.bob, "The header row is not the portfolio format: missing %(fields)s. Expected: %(expected)s."
    ) % {"fields": ", ".join(missing), "expected": ";".join(FIELDS)}
    expect(page.locator("#import-failure")).to_have_text(refusal)
    expect(page.locator("#import-status h2")).to_have_text(fr("The file was refused"))
    expect(page.locator("#import-status")).to_contain_text(fr("Nothing was changed."))
    expect(page.locator("#import-progress")).to_have_count(0)
    expect(page.locator("#import-done")).to_have_count(0)
    job = ImportRun.objects.get()
    assert (job.status, job.records) == ("failed", 0)
