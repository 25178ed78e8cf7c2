from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .access import CLIENT


def staff_required(view):
    """Logged in, and a staff member of an office; anonymous users go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.membership is None:
            if getattr(request, "actor", None) is not None and request.actor.role == CLIENT:
                raise Http404  # a client's login knows of no staff page (pilier/portal)
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def office_admin_required(view):
    @wraps(view)
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
