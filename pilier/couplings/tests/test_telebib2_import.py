"""Telebib2 files through the real import path (jobs.run_import): what the portfolio import guarantees holds."""

from decimal import Decimal

import pytest

from pilier.couplings.models import UnmatchedRecord
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .telebib2_files import contract, telebib_file

pytestmark = pytest.mark.django_db


def counts(job):
    return {k: getattr(job, k) for k in ("created", "updated", "unchanged", "unmatched", "rejected")}


def test_a_file_of_several_messages_updates_matches_and_lists_the_others(world, run_import):
    policy = PolicyFactory(client=world.client, insurer="AXA", number="010113849770", annual_premium=1000)
    broken = contract(number="BROKEN")
    broken.insert(3, "XRT+7")
    content = telebib_file(
        contract(number="AX010113849770", national_number=None),  # AXA's internal prefix: the insurer's number rules
        broken,
        contract(number="999999", holder=("MÜLLER", "Zoé"), intermediary=False),
    )
    job = run_import(content, name="PORTEFEUILLE")  # no extension: told by its content
    assert job.status == "done", job.failure
    assert counts(job) == {"created": 0, "updated": 1, "unchanged": 0, "unmatched": 1, "rejected": 1}, job.errors
    policy.refresh_from_db()
    assert policy.annual_premium == Decimal("2451.00") and policy.reserves == Decimal("12345.67")
    (error,) = job.errors
    assert "Message 2" in error["message"]
    assert error["number"] == "BROKEN" and error["insurer"] == "AXA" and error["holder"] == "DUBOIS Marc"
    unmatched = UnmatchedRecord.objects.get(office=world.office)
    assert unmatched.data["last_name"] == "MÜLLER" and unmatched.data["first_name"] == "Zoé"
    assert unmatched.data["language"] == "fr"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, run_import):
    PolicyFactory(client=world.client, insurer="AXA", number="010113849770", annual_premium=1000)
    policies = Policy.objects.count()
    content = telebib_file(contract(national_number=None), contract(number="777", nested=False), encoding="utf-8")
    first = run_import(content, name="axa.edi")
    second = run_import(content, name="axa.edi")
    assert counts(first)["updated"] == 1 and counts(first)["unmatched"] == 1, first.errors
    assert counts(second)["updated"] == 0 and counts(second)["unchanged"] == 2, second.errors
    assert UnmatchedRecord.objects.filter(office=world.office).count() == 1
    assert Policy.objects.count() == policies


def test_the_api_takes_the_insurer_for_a_file_that_does_not_name_it(client, world, django_capture_on_commit_callbacks):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from conftest import api_headers
    from pilier.couplings.models import ImportRun

    PolicyFactory(client=world.client, insurer="AXA", number="010113849770", annual_premium=1000)
    content = telebib_file(contract(insurer_enterprise=None, national_number=None))
    headers = api_headers(world.token(world.alice))
    refused = client.post(
        "/api/v1/portfolio-imports", {"file": SimpleUploadedFile("x.txt", content), "insurer": "NOPE"}, **headers
    )
    assert refused.status_code == 422 and "insurer" in refused.json()["errors"]
    assert not ImportRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/portfolio-imports", {"file": SimpleUploadedFile("x.txt", content), "insurer": "axa"}, **headers
        )
    assert response.status_code == 202
    run = ImportRun.objects.get()
    assert (run.insurer, run.status, run.updated, run.rejected) == ("AXA", "done", 1, 0), run.errors
    assert run.file_name == "x.txt" and run.file_size == len(content)
    assert run.file_sha256 == hashlib.sha256(content).hexdigest()
    assert not run.file  # deleted once the import is done


def test_without_the_insurer_such_a_file_is_rejected_message_by_message(world, run_import):
    job = run_import(telebib_file(contract(insurer_enterprise=None), contract(insurer_enterprise=None, number="2")))
    assert job.rejected == 2 and job.updated == 0
    assert all("the insurer" in e["message"] or "l'assureur" in e["message"] for e in job.errors), job.errors


def test_the_upload_page_offers_the_insurer(client, world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from pilier.couplings.models import ImportRun

    client.force_login(world.bob)
    page = client.get(reverse("couplings:imports")).content.decode()
    assert 'name="insurer"' in page and 'value="AXA"' in page
    content = telebib_file(contract(insurer_enterprise=None, national_number=None))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("couplings:imports"), {"file": SimpleUploadedFile("x.gbo", content), "insurer": "AXA"})
    run = ImportRun.objects.get()
    assert run.insurer == "AXA" and run.file_size == len(content)


def test_the_import_page_shows_what_a_rejected_record_was_about(client, world, run_import):
    from django.urls import reverse

    broken = contract(number="BROKEN-42")
    broken.insert(3, "XRT+7")
    job = run_import(telebib_file(broken))
    client.force_login(world.admin)
    page = client.get(reverse("couplings:detail", args=[job.pk])).content.decode()
    assert "AXA · BROKEN-42 · DUBOIS Marc" in page
