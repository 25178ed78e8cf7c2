import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from conftest import api_headers
from pilier.couplings.models import ImportRun, UnmatchedRecord
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


def test_an_upload_runs_in_the_background_and_the_page_shows_the_result(
    client, world, django_capture_on_commit_callbacks
):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    client.force_login(world.bob)
    upload = SimpleUploadedFile("nn.csv", csv_bytes([row(), row(policy_number="3000000999", mandate="no")]))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("couplings:imports"), {"file": upload})
    assert len(callbacks) == 1  # the job was queued after the row was committed
    job = ImportRun.objects.get()
    assert response["Location"] == reverse("couplings:detail", args=[job.pk])
    assert (job.status, job.created_by, job.updated, job.unmatched) == ("done", world.bob, 1, 1)
    assert not job.file  # the file (personal data) is not kept
    html = client.get(response["Location"]).content.decode()
    assert 'id="count-updated">1<' in html and "hx-trigger" not in html
    listing = client.get(reverse("couplings:imports")).content.decode()
    assert "nn.csv" in listing and "NN" in listing


def test_while_it_runs_the_page_polls_a_progress_bar(client, world):
    client.force_login(world.bob)
    client.post(reverse("couplings:imports"), {"file": SimpleUploadedFile("nn.csv", csv_bytes([row()]))})
    job = ImportRun.objects.get()
    assert job.status == "queued"  # no worker in this test
    fragment = client.get(reverse("couplings:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment and "<html" not in fragment


def test_an_upload_without_file_is_refused_with_a_message(client, world):
    client.force_login(world.bob)
    response = client.post(reverse("couplings:imports"), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not ImportRun.objects.exists()


def test_a_refused_file_shows_why(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("couplings:imports"), {"file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n")})
    job = ImportRun.objects.get()
    html = client.get(reverse("couplings:detail", args=[job.pk])).content.decode()
    assert job.status == "failed" and 'id="import-failure"' in html


def test_the_api_takes_a_file_and_answers_202_then_the_result(client, world, django_capture_on_commit_callbacks):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    headers = api_headers(world.token(world.alice))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/portfolio-imports", {"file": SimpleUploadedFile("nn.csv", csv_bytes([row()]))}, **headers
        )
    assert response.status_code == 202
    body = client.get(f"/api/v1/portfolio-imports/{response.json()['id']}", **headers).json()
    assert body["status"] == "done" and body["progress"] == 100
    assert (body["updated"], body["created"], body["rejected"], body["errors"]) == (1, 0, 0, [])
    assert body["insurers"] == ["NN"] and body["created_by"] == "alice@alpha.be"


def test_the_api_takes_json_records(client, world, django_capture_on_commit_callbacks):
    headers = api_headers(world.token(world.alice))
    records = [row(mandate=True, holder_national_number=world.client.national_number), row(insurer="ACME")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/portfolio-imports", records, content_type="application/json", **headers)
    body = client.get(f"/api/v1/portfolio-imports/{response.json()['id']}", **headers).json()
    assert (body["created"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["line"] == 2 and "ACME" in body["errors"][0]["message"]


def test_the_api_refuses_a_request_without_file_or_records(client, world):
    response = client.post("/api/v1/portfolio-imports", **api_headers(world.token(world.alice)))
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert not ImportRun.objects.exists()


def test_the_command_runs_in_the_foreground_and_prints_the_result(world, tmp_path):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    path = tmp_path / "nn.csv"
    path.write_bytes(csv_bytes([row()]))
    out = StringIO()
    call_command("import_portfolio", "--office-admin", "admin@alpha.be", str(path), stdout=out)
    body = json.loads(out.getvalue())
    assert body["status"] == "done" and body["updated"] == 1 and body["file_name"] == "nn.csv"


def test_the_command_needs_an_office_admin(world, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "nn.csv"
    path.write_bytes(csv_bytes([row()]))
    with pytest.raises(CommandError):
        call_command("import_portfolio", "--office-admin", "bob@alpha.be", str(path), stdout=StringIO())


def test_the_broker_links_an_unmatched_record_to_a_file(client, world, run_import):
    run_import(csv_bytes([row(mandate="no", holder_last_name="Dubois")]))
    record = UnmatchedRecord.objects.get()
    client.force_login(world.bob)
    assert (
        "DUBOIS Marc"
        in client.get(reverse("couplings:unmatched_record", args=[record.pk]), {"q": "dubois"}).content.decode()
    )
    response = client.post(reverse("couplings:unmatched_link", args=[record.pk]), {"client": world.client.pk})
    policy = Policy.objects.get()
    assert response["Location"].endswith(f"#policy-{policy.pk}")
    assert policy.client == world.client and policy.history.first().history_user == world.bob


def test_linking_to_a_restricted_file_one_cannot_see_is_404(client, world, run_import):
    run_import(csv_bytes([row(mandate="no")]))
    record = UnmatchedRecord.objects.get()
    client.force_login(world.bob)
    assert (
        client.post(reverse("couplings:unmatched_link", args=[record.pk]), {"client": world.restricted.pk}).status_code
        == 404
    )
    assert not Policy.objects.exists()


def test_the_broker_dismisses_a_record(client, world, run_import):
    run_import(csv_bytes([row(mandate="no")]))
    record = UnmatchedRecord.objects.get()
    client.force_login(world.bob)
    client.post(reverse("couplings:unmatched_dismiss", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "dismissed"
    assert f'id="record-{record.pk}"' not in client.get(reverse("couplings:unmatched")).content.decode()
    assert (
        f'id="record-{record.pk}"'
        in client.get(reverse("couplings:unmatched"), {"status": "dismissed"}).content.decode()
    )


def test_the_policy_page_shows_the_import_as_the_author_of_its_changes(client, world, run_import):
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1000)
    run_import(csv_bytes([row(annual_premium="2451.00")]), name="nn-2026-11.csv")
    client.force_login(world.bob)
    html = client.get(reverse("policies:edit", args=[policy.pk])).content.decode()
    history = html.split('id="history"')[1]
    assert "nn-2026-11.csv" in history and "2\u00a0451,00\u00a0€" in history and "1\u00a0000,00\u00a0€" in history
