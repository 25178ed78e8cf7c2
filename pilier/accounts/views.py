from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .decorators import staff_required
from .forms import ApiTokenForm, EmailAuthenticationForm, PreferencesForm
from .models import ApiToken
from .services import api_token_create


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Staff on the list of files, a client on their own file (pilier/portal)."""
        from pilier.portal.services import landing_url

        from .access import actor_for

        return landing_url(actor_for(self.request.user))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set from the link mailed to the account lifts its lockout, as the locked page
    promises: only whoever reads that mailbox gets here."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        return response


@staff_required
def profile_view(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(request.user.language)
        messages.success(request, _("Preferences saved."))
        return redirect("accounts:profile")
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/profile.html", {"form": form, "tokens": tokens, "token_form": ApiTokenForm()})


@staff_required
@require_POST
def api_token_create_view(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:profile")
    _token, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
    tokens = ApiToken.objects.filter(user=request.user)
    messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    context = {
        "form": PreferencesForm(instance=request.user),
        "tokens": tokens,
        "token_form": ApiTokenForm(),
        "new_token": secret,
    }
    return render(request, "accounts/profile.html", context)


@staff_required
@require_POST
def api_token_revoke_view(request, token_id):
    deleted, _rows = ApiToken.objects.filter(user=request.user, pk=token_id).delete()
    if deleted:
        messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
