from django.utils import translation

from .access import NOBODY, actor_for, staff_membership


class OfficeMiddleware:
    """Sets `request.membership` / `request.office` for a logged-in staff user and switches
    the interface to the user's own language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.office = None
        request.actor = NOBODY
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            bind_user(request, user)
        return self.get_response(request)


def bind_user(request, user) -> None:
    membership = staff_membership(user)
    request.membership = membership
    request.office = membership.office if membership else None
    request.actor = actor_for(user)  # who is asking, resolved once: pilier.accounts.access
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
