from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilier.accounts.decorators import office_admin_required, staff_required
from pilier.accounts.models import User

from . import services
from .access import client_for_user
from .forms import AssignmentForm, ClientIdentityForm, SocialStatusForm
from .history import history_entries
from .selectors import SORTS, client_list, clients_visible_to, dangerously_all_office_clients


@staff_required
def client_list_view(request):
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    qs = client_list(user=request.user, office=request.office, query=query, sort=sort)
    page = Paginator(qs, settings.CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "sort": sort}
    template = "clients/_table.html" if request.headers.get("HX-Request") else "clients/list.html"
    return render(request, template, context)


@staff_required
def client_create_view(request):
    form = ClientIdentityForm(
        request.POST or None, office=request.office, user=request.user, initial={"account_manager": request.user}
    )
    if request.method == "POST" and form.is_valid():
        client = services.client_create(office=request.office, **form.cleaned_data)
        messages.success(request, _("Personal data saved. Step 2: the current social status."))
        return redirect("clients:status", client.pk)
    return render(request, "clients/identity_form.html", {"form": form, "creating": True})


@staff_required
def client_edit_view(request, client_id):
    client = client_for_user(request.user, client_id, write=True)
    form = ClientIdentityForm(request.POST or None, instance=client, office=request.office, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.client_update(client=client, **form.cleaned_data)
        messages.success(request, _("Personal data saved."))
        return redirect(client)
    return render(request, "clients/identity_form.html", {"form": form, "client": client, "creating": False})


@staff_required
def client_status_view(request, client_id):
    client = client_for_user(request.user, client_id, write=True)
    wizard = not client.is_complete
    form = SocialStatusForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.client_set_social_status(client=client, **form.cleaned_data)
        messages.success(request, _("Social status saved."))
        return redirect(client)
    return render(request, "clients/status_form.html", {"form": form, "client": client, "wizard": wizard})


@staff_required
def client_detail_view(request, client_id):
    client = client_for_user(
        request.user,
        client_id,
        queryset=clients_visible_to(request.user, request.office).select_related("account_manager", "file_manager"),
    )
    entries, more = history_entries(client, limit=20)
    context = {"client": client, "history": entries, "more_history": more}
    return render(request, "clients/detail.html", context)


@staff_required
def client_history_view(request, client_id):
    client = client_for_user(request.user, client_id)
    entries, _more = history_entries(client, limit=1000)
    return render(request, "clients/history.html", {"client": client, "history": entries})


@staff_required
@require_POST
def client_delete_view(request, client_id):
    client = client_for_user(request.user, client_id, write=True)
    name = client.full_name
    services.client_delete(client=client)
    messages.success(request, _("The file of %(name)s was deleted.") % {"name": name})
    return redirect("clients:list")


@office_admin_required
def assignments_view(request):
    """Every file of the office with its assignees, restricted files included (name only)."""
    clients = (
        dangerously_all_office_clients(request.office)
        .select_related("account_manager", "file_manager")
        .only(
            "id",
            "last_name",
            "first_name",
            "restricted_access",
            "account_manager__first_name",
            "account_manager__last_name",
            "account_manager__email",
            "file_manager__first_name",
            "file_manager__last_name",
            "file_manager__email",
        )
    )
    if request.GET.get("restricted") == "1":
        clients = clients.filter(restricted_access=True)
    page = Paginator(clients.order_by("search_name", "id"), 50).get_page(request.GET.get("page"))
    staff = list(User.objects.filter(memberships__office=request.office).order_by("last_name", "first_name"))
    return render(request, "clients/assignments.html", {"page": page, "staff": staff})


@office_admin_required
@require_POST
def reassign_view(request, client_id):
    client = client_for_user(request.user, client_id, queryset=dangerously_all_office_clients(request.office))
    form = AssignmentForm(request.POST, instance=client, office=request.office)
    if form.is_valid():
        services.client_reassign(client=client, **form.cleaned_data)
        messages.success(request, _("Assignees of %(name)s saved.") % {"name": client.full_name})
    else:
        for error in form.errors.values():
            messages.error(request, f"{client.full_name}: {' '.join(error)}")
    return redirect(reverse("clients:assignments") + ("?" + request.GET.urlencode() if request.GET else ""))
