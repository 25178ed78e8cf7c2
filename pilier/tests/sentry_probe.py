"""Run by test_observability in a process of its own, with SENTRY_DSN set: serves one request whose view raises
through Django's WSGI handler (as gunicorn does), with Sentry's Django integration, a transport that keeps the
events instead of sending them, and personal data in the URL, the body, the headers and the exception; prints
the status and the events as JSON."""

import io
import json
import sys
import types
from wsgiref.util import setup_testing_defaults

import django

django.setup()

import sentry_sdk  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from sentry_sdk.transport import Transport  # noqa: E402

sent: list[dict] = []


class Keep(Transport):
    def capture_envelope(self, envelope):
        sent.extend(item.payload.json for item in envelope.items if item.payload.json)


sentry_sdk.get_client().transport = Keep()


def boom(request):
    raise ValueError("client marc@example.com broke")


urls = types.ModuleType("sentry_probe_urls")
urls.urlpatterns = [path("boom/", csrf_exempt(boom))]  # type: ignore[attr-defined]
sys.modules[urls.__name__] = urls
settings.ROOT_URLCONF = urls.__name__
settings.ALLOWED_HOSTS = ["*"]
settings.SECURE_SSL_REDIRECT = False

body = b"national_number=85.07.30-033.61&email=anne%40office.be"
environ = {
    "REQUEST_METHOD": "POST",
    "PATH_INFO": "/boom/",
    "QUERY_STRING": "email=anne@office.be",
    "CONTENT_TYPE": "application/x-www-form-urlencoded",
    "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body),
    "HTTP_AUTHORIZATION": "Bearer tok123",
    "HTTP_COOKIE": "csrftoken=secretcookie",
    "HTTP_USER_AGENT": "probe",
    "REMOTE_ADDR": "203.0.113.9",
}
setup_testing_defaults(environ)
status: list[str] = []


def start_response(line, headers, exc_info=None):
    status.append(line)
    return lambda data: None


b"".join(get_wsgi_application()(environ, start_response))
sentry_sdk.flush()
print(json.dumps({"status": status[0], "events": [event for event in sent if "exception" in event]}))
