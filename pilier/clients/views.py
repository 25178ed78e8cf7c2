from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilier.accounts.access import (
    career_line_for_user,
    client_for_incomes,
    client_for_user,
    dangerously_all_office_clients,
    dangerously_office_client_for_admin,
    income_for_user,
    office_for_user,
)
from pilier.accounts.decorators import office_admin_required, staff_required
from pilier.accounts.models import User
from pilier.lib.history import history_entries
from pilier.lib.text import printable
from pilier.lib.validation import add_errors
from pilier.policies.selectors import policies_of, sections_of
from pilier.policies.services import main_policy_todos

from . import services
from .career import career_summary, retirement_rule_source
from .forms import (
    AssignmentForm,
    CareerLineForm,
    CareerShortcutForm,
    ClientIdentityForm,
    IncomeForm,
    SocialStatusForm,
)
from .selectors import SORTS, client_list


@staff_required
def client_list_view(request):
    query = printable(request.GET.get("q", ""))  # as the search reads it: no NUL byte echoed in the page
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    qs = client_list(actor=request.actor, query=query, sort=sort)
    page = Paginator(qs, settings.CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "sort": sort}
    template = "clients/_table.html" if request.headers.get("HX-Request") else "clients/list.html"
    return render(request, template, context)


@staff_required
def client_create_view(request):
    office = office_for_user(request.actor, write=True)
    form = ClientIdentityForm(
        request.POST or None, office=office, user=request.user, initial={"account_manager": request.user}
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(office=office, by=request.actor, **form.cleaned_data)
        except ValidationError as exc:  # what changed since the form's check (another write meanwhile)
            add_errors(form, exc)
        else:
            messages.success(request, _("Personal data saved. Step 2: the current social status."))
            return redirect("clients:status", client.pk)
    return render(request, "clients/identity_form.html", {"form": form, "creating": True})


@staff_required
def client_edit_view(request, client_id):
    client = client_for_user(request.actor, client_id, write=True)
    form = ClientIdentityForm(request.POST or None, instance=client, office=request.office, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, by=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Personal data saved."))
            return redirect(client)
    return render(request, "clients/identity_form.html", {"form": form, "client": client, "creating": False})


@staff_required
def client_status_view(request, client_id):
    client = client_for_user(request.actor, client_id, write=True)
    wizard = not client.is_complete
    form = SocialStatusForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.client_set_social_status(client=client, **form.cleaned_data)
        messages.success(request, _("Social status saved."))
        return redirect(client)
    return render(request, "clients/status_form.html", {"form": form, "client": client, "wizard": wizard})


@staff_required
def client_detail_view(request, client_id):
    client = client_for_user(request.actor, client_id)
    entries, more = history_entries(client, limit=20)
    lines = list(client.career_lines.all())
    summary = career_summary(
        [line.span() for line in lines],
        client.birth_date.year if client.birth_date else None,
        timezone.localdate().year,
    )
    _place_on_timeline(lines, summary, timezone.localdate().year)
    summary.retirement_source = retirement_rule_source()
    policies = policies_of(client)
    context = {
        "client": client,
        "history": entries,
        "more_history": more,
        "career_lines": lines,
        "career": summary,
        "sections": sections_of(policies),
        "todos": client.todos() + main_policy_todos(policies),
    }
    return render(request, "clients/detail.html", context)


def _place_on_timeline(lines, summary, current_year: int) -> None:
    """Left offset and width (in %) of each line's bar, and of each gap, on one shared time axis."""
    if not lines:
        return
    first = min(line.from_year for line in lines)
    total = current_year - first + 1
    for line in lines:
        end = min(line.to_year or current_year, current_year)
        line.bar_left = round(100 * (line.from_year - first) / total, 2)
        line.bar_width = max(round(100 * (end - line.from_year + 1) / total, 2), 1)
    gap_rows = [
        {
            "years": str(a) if a == b else f"{a}–{b}",
            "from_year": a,
            "left": round(100 * (a - first) / total, 2),
            "width": round(100 * (b - a + 1) / total, 2),
        }
        for a, b in summary.gaps
    ]
    # Lines and gaps in the order of the years.
    summary.rows = sorted(
        [("line", line.from_year, line) for line in lines] + [("gap", g["from_year"], g) for g in gap_rows],
        key=lambda row: (row[1], row[0] == "line"),
    )
    summary.first_year = first


@staff_required
def client_history_view(request, client_id):
    client = client_for_user(request.actor, client_id)
    entries, _more = history_entries(client, limit=1000)
    from pilier.portal.history import access_entries, merged  # the portal's views and access changes

    entries = merged(entries, access_entries(client, limit=1000)[0], limit=1000)
    return render(request, "clients/history.html", {"client": client, "history": entries})


@staff_required
@require_POST
def client_delete_view(request, client_id):
    client = client_for_user(request.actor, client_id, write=True)
    name = client.full_name
    services.client_delete(client=client)
    messages.success(request, _("The file of %(name)s was deleted.") % {"name": name})
    return redirect("clients:list")


@office_admin_required
def assignments_view(request):
    """Every file of the office with its assignees, restricted files included (name only)."""
    clients = (
        dangerously_all_office_clients(request.actor)
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
    client = dangerously_office_client_for_admin(request.actor, client_id, write=True)
    form = AssignmentForm(request.POST, instance=client, office=request.office)
    if form.is_valid():
        services.client_reassign(client=client, **form.cleaned_data)
        messages.success(request, _("Assignees of %(name)s saved.") % {"name": client.full_name})
    else:
        for error in form.errors.values():
            messages.error(request, f"{client.full_name}: {' '.join(error)}")
    return redirect(reverse("clients:assignments") + ("?" + request.GET.urlencode() if request.GET else ""))


# Career -------------------------------------------------------------------------------------


@staff_required
def career_line_form_view(request, client_id, line_id=None):
    client = client_for_user(request.actor, client_id, write=True)
    line = career_line_for_user(request.actor, client, line_id, write=True) if line_id else None
    form = CareerLineForm(request.POST or None, instance=line, client=client)
    if request.method == "POST" and form.is_valid():
        if line is None:
            services.career_line_create(client=client, **form.cleaned_data)
        else:
            services.career_line_update(line=line, **form.cleaned_data)
        messages.success(request, _("Career line saved."))
        return redirect(client.get_absolute_url() + "#career")
    return render(request, "clients/career_form.html", {"form": form, "client": client, "line": line})


@staff_required
@require_POST
def career_line_delete_view(request, client_id, line_id):
    client = client_for_user(request.actor, client_id, write=True)
    services.career_line_delete(line=career_line_for_user(request.actor, client, line_id, write=True))
    messages.success(request, _("Career line deleted."))
    return redirect(client.get_absolute_url() + "#career")


@staff_required
def career_shortcut_view(request, client_id):
    client = client_for_user(request.actor, client_id, write=True)
    form = CareerShortcutForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        services.career_employee_since_studies(
            client=client, end_of_studies_year=form.cleaned_data["end_of_studies_year"]
        )
        messages.success(request, _("Career line saved."))
        return redirect(client.get_absolute_url() + "#career")
    return render(request, "clients/career_shortcut.html", {"form": form, "client": client})


INCOME_YEARS = (1950, 2100)  # the years an income may be entered for (the API's bounds)


@staff_required
def income_view(request, client_id, year):
    """The income figures of one year: read by whoever sees the file, written by whoever may give incomes."""
    client = client_for_incomes(request.actor, client_id, write=request.method == "POST")
    if not INCOME_YEARS[0] <= year <= INCOME_YEARS[1]:
        raise Http404
    income = income_for_user(request.actor, client, year, write=request.method == "POST")
    form = IncomeForm(request.POST or None, instance=income)
    if request.method == "POST" and form.is_valid():
        services.income_set(client=client, year=year, user=request.user, **form.cleaned_data)
        messages.success(request, _("Income figures of %(year)s saved.") % {"year": year})
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("analysis:client", args=[client.pk])
        return redirect(target)
    return render(request, "clients/income_form.html", {"form": form, "client": client, "year": year})
