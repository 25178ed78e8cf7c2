"""Upload limits: a body over its limit is refused before it is read (413), on the page and the API;
a JSON import body the import cannot take is refused at once (422), not queued."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from conftest import api_headers
from pilier.couplings.models import ImportRun

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

BOUNDARY = "pilier-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


class NeverRead:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


class Counted:
    """A request body that counts what was read of it."""

    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.position + size
        chunk, self.position = self.data[self.position : end], min(end, len(self.data))
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def multipart(content: bytes, *, name="nn.csv", fields: dict | None = None) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in (fields or {}).items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def english(world):
    for user in (world.alice, world.bob):
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def small_limits(settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 10 * 1024
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "tmp"
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # spooled to a temporary file, as large uploads are
    (tmp_path / "tmp").mkdir()
    return tmp_path


def post_api(client, world, path="/api/v1/portfolio-imports", **extra):
    return client.generic("POST", path, **api_headers(world.token(world.alice)), **extra)


def files_under(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# The API --------------------------------------------------------------------------------------


def test_the_api_refuses_a_file_declared_over_the_limit_without_reading_it(client, world, english, small_limits):
    response = post_api(
        client,
        world,
        data=b"x",
        content_type=MULTIPART,
        CONTENT_LENGTH=str(2 * 1024 * 1024),
        **{"wsgi.input": NeverRead()},
    )
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "The file is larger than 10 KB."}
    assert not ImportRun.objects.exists() and not files_under(small_limits)


def test_the_api_stops_reading_a_file_over_the_limit_whatever_content_length_says(client, world, english, small_limits):
    body = multipart(b"x" * 200_000)  # its Content-Length is under the limit of the whole body (the file + 1 MB)
    stream = Counted(body)
    response = post_api(
        client, world, data=body, content_type=MULTIPART, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": stream}
    )
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert stream.position < 100_000  # stopped near the limit, the rest never read
    assert not ImportRun.objects.exists()
    assert not files_under(small_limits)  # nor its temporary copy left


def test_the_api_takes_a_file_under_the_limit(client, world, small_limits):
    body = multipart(csv_bytes([row()]))
    response = post_api(client, world, data=body, content_type=MULTIPART)
    assert response.status_code == 202
    assert ImportRun.objects.get().file_name == "nn.csv"


def test_the_api_refuses_an_empty_file_at_once(client, world, english, small_limits):
    response = post_api(client, world, data=multipart(b""), content_type=MULTIPART)
    assert response.status_code == 422 and response.json()["errors"] == {"file": ["The file is empty."]}
    assert not ImportRun.objects.exists()


def test_the_api_refuses_a_multipart_body_it_cannot_read(client, world, english):
    response = post_api(client, world, data=b"no parts here", content_type="multipart/form-data")
    assert response.status_code == 400 and response.json() == {"detail": "The multipart body could not be read."}


def test_the_api_refuses_records_declared_over_their_limit_without_reading_them(client, world, english, settings):
    settings.IMPORT_JSON_MAX_BYTES = 1000
    response = post_api(
        client,
        world,
        data=b"[]",
        content_type="application/json",
        CONTENT_LENGTH="5000",
        **{"wsgi.input": NeverRead()},
    )
    assert response.status_code == 413 and response.json() == {"detail": "The request body is larger than 1000 bytes."}
    assert not ImportRun.objects.exists()


def test_records_may_be_larger_than_any_other_api_body(client, world, settings, django_capture_on_commit_callbacks):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    records = [row(policy_number=f"30000{n:05d}", mandate="no") for n in range(30)]
    body = json.dumps(records).encode()
    assert len(body) > 1000
    with django_capture_on_commit_callbacks(execute=True):
        response = post_api(client, world, data=body, content_type="application/json")
    assert response.status_code == 202
    assert ImportRun.objects.get().unmatched == 30


def test_another_api_body_over_its_limit_is_a_json_413(client, world, english, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"last_name": "x" * 2000}).encode()
    response = post_api(client, world, "/api/v1/clients", data=body, content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "The request body is larger than 1000 bytes."}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"records": "x"},
        "x",
        1,
        None,
        [1, 2],
        [[{"insurer": "NN"}]],
        [],
        {"records": []},
        [{"insurer": {"name": "NN"}}],
        [{"insurer": "NN", "policy_number": ["3000000256"]}],
    ],
)
def test_a_json_body_that_is_not_a_list_of_records_is_refused_at_once(client, world, english, body):
    response = post_api(client, world, data=json.dumps(body).encode(), content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == "Invalid input." and response.json()["errors"]["__all__"]
    assert not ImportRun.objects.exists()  # not queued to fail later


def test_the_api_names_the_record_that_is_not_an_object(client, world, english):
    response = post_api(client, world, data=json.dumps([row(), "x"]).encode(), content_type="application/json")
    assert response.json()["errors"]["__all__"] == [
        "Record 2 is not an object: the JSON must be a list of records (objects)."
    ]


def test_records_may_come_in_an_object_under_records(client, world, django_capture_on_commit_callbacks):
    body = json.dumps({"records": [row(mandate="no")]}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_api(client, world, data=body, content_type="application/json")
    assert response.status_code == 202 and ImportRun.objects.get().unmatched == 1


def test_the_openapi_document_lists_the_refusals_of_an_import(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/portfolio-imports"]["post"]
    assert {"202", "400", "413", "422"} <= set(operation["responses"])
    assert set(operation["requestBody"]["content"]) == {"multipart/form-data", "application/json"}


# The page -------------------------------------------------------------------------------------


def test_the_page_refuses_a_file_declared_over_the_limit_before_the_csrf_check_reads_it(world, english, small_limits):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.bob)
    response = browser.generic(
        "POST",
        reverse("couplings:imports"),
        data=b"x",
        content_type=MULTIPART,
        CONTENT_LENGTH=str(2 * 1024 * 1024),
        **{"wsgi.input": NeverRead()},
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert 'id="refused-body">The file is larger than 10 KB.<' in html and "<html" in html
    assert not ImportRun.objects.exists()


def test_the_page_stops_reading_a_file_over_the_limit_and_says_why(client, world, english, small_limits):
    client.force_login(world.bob)
    body = multipart(b"x" * 200_000)
    stream = Counted(body)
    response = client.generic(
        "POST",
        reverse("couplings:imports"),
        data=body,
        content_type=MULTIPART,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert response.context["form"].errors["file"] == ["The file is larger than 10 KB."]
    assert stream.position < 100_000
    assert not ImportRun.objects.exists() and not files_under(small_limits)


def test_any_other_page_refuses_a_body_over_the_small_limit(world, english, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.bob)
    response = browser.generic(
        "POST",
        reverse("clients:list"),
        data=b"x",
        content_type=MULTIPART,
        CONTENT_LENGTH="5000",
        **{"wsgi.input": NeverRead()},
    )
    assert response.status_code == 413
    assert "The request is larger than 1000 bytes." in response.content.decode()
