"""The API's JSON bodies: read within a size limit, UTF-8 only, nesting bounded.

Ninja's default parser hands `json.loads` whatever came: bytes in another encoding, or nesting
deep enough to exhaust the stack further on. Here such a body is refused with a 400 and a message
in the caller's language, and a body over its limit with a 413, before it is read.
"""

import codecs
import json

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.parser import Parser

# Deeper than any body of this API (a record, an address in a client): the stack is safe far below.
MAX_DEPTH = 32


class BodyRefused(HttpError):
    """A request body refused before or while it is parsed; rendered as {"detail": message}."""


class BodyTooLarge(BodyRefused):
    def __init__(self, limit: int):
        super().__init__(413, _("The request body is larger than %(size)s.") % {"size": size_text(limit)})


def size_text(size: int) -> str:
    """A size as people write it: "200 MB", "1.5 MB", "512 KB" (localised)."""
    for unit, label in ((1024 * 1024, _("%(size)s MB")), (1024, _("%(size)s KB"))):
        if size >= unit:
            value = round(size / unit, 1)
            return label % {"size": number_format(value, 1) if value % 1 else int(value)}
    return _("%(size)s bytes") % {"size": size}


def content_length(request) -> int:
    """The declared body length; what Django reads at most (an absent or invalid header reads nothing)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def read_body(request, limit: int) -> bytes:
    """The body, refused with a 413 when it is declared or found larger than `limit`, without reading more."""
    if content_length(request) > limit:
        raise BodyTooLarge(limit)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    return raw


def parse_json(raw: bytes, *, max_depth: int | None = MAX_DEPTH):
    """JSON from UTF-8 bytes (RFC 8259; a byte-order mark is allowed); 400 for anything else.

    `max_depth=None` for a caller that checks the shape itself (the nesting is then bounded by it)."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyRefused(
            400, _("The request body is not UTF-8 text (byte %(position)s).") % {"position": exc.start + 1}
        ) from None
    try:
        data = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise BodyRefused(400, _("The JSON is nested too deeply.")) from None
    except ValueError:
        raise BodyRefused(400, _("The request body is not valid JSON.")) from None
    if max_depth is not None and _deeper_than(data, max_depth):
        raise BodyRefused(400, _("The JSON is nested too deeply."))
    return data


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity, which Python's json reads by default


def _deeper_than(data, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, list | dict))
    return False


class JsonParser(Parser):
    """The API's parser: every JSON body goes through parse_json (the size was checked by Django on
    reading request.body: DATA_UPLOAD_MAX_MEMORY_SIZE, answered 413 by the API's error handler)."""

    def parse_body(self, request):
        return parse_json(request.body)
