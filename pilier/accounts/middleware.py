from django.utils import translation

from .models import STAFF_ROLES, Membership


class OfficeMiddleware:
    """Sets `request.membership` / `request.office` for a logged-in staff user and switches
    the interface to the user's own language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.office = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            bind_user(request, user)
        return self.get_response(request)


def bind_user(request, user) -> None:
    membership = staff_membership(user)
    request.membership = membership
    request.office = membership.office if membership else None
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language


def staff_membership(user) -> Membership | None:
    cached = getattr(user, "_staff_membership", False)
    if cached is not False:
        return cached
    membership = (
        Membership.objects.select_related("office")
        .filter(user=user, role__in=STAFF_ROLES)
        .order_by("created_at")
        .first()
    )
    user._staff_membership = membership
    return membership
