from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilier.accounts.access import client_for_user, policy_for_user
from pilier.accounts.decorators import staff_required
from pilier.lib.history import history_entries
from pilier.lib.validation import add_errors

from . import services
from .catalogue import Section
from .forms import PolicyForm


def _back(policy_or_client, anchor: str) -> str:
    client = getattr(policy_or_client, "client", policy_or_client)
    return f"{client.get_absolute_url()}#{anchor}"


@staff_required
def policy_create_view(request, client_id):
    client = client_for_user(request.actor, client_id, write=True)
    section = request.GET.get("section", Section.PENSION)
    if section not in Section.values:
        section = Section.PENSION
    form = PolicyForm(
        request.POST or None,
        client=client,
        user=request.user,
        initial={"section": section, "managed": True, "mandate": False},
    )
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(client=client, by=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Policy saved."))
            return redirect(_back(client, f"policy-{policy.pk}"))
    return render(request, "policies/form.html", {"form": form, "client": client, "section": section})


@staff_required
def policy_edit_view(request, policy_id):
    policy = policy_for_user(request.actor, policy_id, write=True)
    form = PolicyForm(request.POST or None, instance=policy, client=policy.client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(policy=policy, by=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Policy saved."))
            return redirect(_back(policy, f"policy-{policy.pk}"))
    history, _more = history_entries(policy, limit=50)
    context = {"form": form, "client": policy.client, "policy": policy, "section": policy.section, "history": history}
    return render(request, "policies/form.html", context)


@staff_required
@require_POST
def policy_main_view(request, policy_id):
    policy = policy_for_user(request.actor, policy_id, write=True)
    try:
        services.policy_set_main(policy=policy)
    except ValidationError:
        messages.error(request, _("This type of policy has no main policy."))
    else:
        messages.success(request, _("%(policy)s is now the main policy.") % {"policy": policy})
    return redirect(_back(policy, f"policy-{policy.pk}"))


@staff_required
@require_POST
def policy_delete_view(request, policy_id):
    policy = policy_for_user(request.actor, policy_id, write=True)
    anchor = policy.section
    services.policy_delete(policy=policy)
    messages.success(request, _("Policy deleted."))
    return redirect(_back(policy.client, anchor))
