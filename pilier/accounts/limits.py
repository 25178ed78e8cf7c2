"""Who is knocking, and how often: the client's address, the account a login is for, failures counted
per address in the cache.

The login lockout is django-axes' (settings AXES_*), which calls `client_ip` and `lockout_username`;
the API counts its invalid bearer tokens with `count_failure`, by the same `client_ip`.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

from .models import normalize_address


def client_ip(request) -> str:
    """REMOTE_ADDR; behind a reverse proxy (BEHIND_PROXY), the last address of X-Forwarded-For, the
    one that proxy appended: the ones before it are whatever the client wrote."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def lockout_username(request, credentials) -> str | None:
    """The account a login attempt is for, in its one spelling, so that every spelling of an address
    counts against the same account (AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    address = (credentials or {}).get(field)
    if address is None and request is not None:
        address = getattr(request, "POST", {}).get(field)
    return normalize_address(address) if isinstance(address, str) else None


def count_failure(scope: str, request, *, limit: int, window: int = 60) -> int | None:
    """Counts one failure of `scope` from the request's address in the current window of `window`
    seconds; past `limit` of them, returns the seconds until the window ends (else None).

    Fixed windows in the shared cache: `add` starts a window's counter, `incr` counts. The file cache
    does both in two steps, so concurrent processes may miss a few counts: a limit of a few dozen
    stays one. Each window has its own key, so no backend's handling of expiry on `incr` matters."""
    now = time.time()
    key = f"pilier:failures:{scope}:{client_ip(request)}:{int(now // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        count = 1
        cache.add(key, count, timeout=window + 1)
    if count <= limit:
        return None
    return max(1, math.ceil(window - now % window))
