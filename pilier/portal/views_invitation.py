"""The page behind a one-time link: choose a password (any purpose, pilier/portal/invitations.py)."""

from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import invitations

STATUS = {"unknown": 404}  # the other refusals (expired, used, replaced, revoked): 410 Gone


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitations.check(token)
    except invitations.InvitationError as exc:
        language = exc.invitation.user.language if exc.invitation is not None else translation.get_language()
        with translation.override(language):
            context = {"error": exc.message, "code": exc.code}
            return render(request, "portal/invitation.html", context, status=STATUS.get(exc.code, 410))
    user = invitation.user
    translation.activate(user.language)  # the invited person's language, whoever's browser opens the link
    request.LANGUAGE_CODE = user.language
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.accept(token, form.cleaned_data["new_password1"])
        except invitations.InvitationError as exc:  # used meanwhile (another tab)
            return render(request, "portal/invitation.html", {"error": exc.message, "code": exc.code}, status=410)
        user.refresh_from_db()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "portal/invitation.html", {"form": form, "invitation": invitation})
