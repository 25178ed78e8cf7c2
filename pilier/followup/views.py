"""PRO follow-up pages: the file's "Actions" (on / off, its status this year), the yearly dashboard, the list
behind each count and its bulk change of status."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilier.accounts.access import client_for_user, office_for_user
from pilier.accounts.decorators import staff_required
from pilier.analysis.labels import PRODUCT_SHORT

from . import selectors, services
from .models import Flow, Status

PAGE_SIZE = 50


def default_year() -> int:
    years = services.follow_up_years()
    this_year = timezone.localdate().year
    return this_year if this_year in years else (years[-1] if years else this_year)


def _year(raw: object) -> int:
    try:
        year = int(str(raw)) if raw not in (None, "") else default_year()
    except ValueError:
        raise Http404 from None
    if year not in services.follow_up_years():
        raise Http404
    return year


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@require_POST
@staff_required
def pro_follow_up_view(request: HttpRequest, client_id: object) -> HttpResponse:
    """Actions → activate or deactivate PRO follow-up."""
    client = client_for_user(request.actor, client_id, write=True)  # type: ignore[attr-defined]
    active = request.POST.get("active") == "1"
    try:
        services.pro_follow_up_set(client=client, active=active, by=request.actor)  # type: ignore[attr-defined]
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("PRO follow-up activated.") if active else _("PRO follow-up deactivated."))
    return redirect(client.get_absolute_url() + "#pro-follow-up")


@require_POST
@staff_required
def status_view(request: HttpRequest, client_id: object, year: int) -> HttpResponse:
    """The file's status in its flow of `year`."""
    client = client_for_user(request.actor, client_id, write=True)  # type: ignore[attr-defined]
    _year(year)
    try:
        services.follow_up_set_status(
            client=client,
            year=year,
            status=request.POST.get("status", ""),
            by=request.actor,  # type: ignore[attr-defined]
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Status saved."))
    return redirect(client.get_absolute_url() + "#pro-follow-up")


@staff_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    office = office_for_user(request.actor)  # type: ignore[attr-defined]
    year = _year(request.GET.get("year"))
    updating = services.follow_up_prepare(office=office, year=year)
    counts = selectors.dashboard_counts(request.actor, year)  # type: ignore[attr-defined]
    flows = [
        {
            "code": flow.value,
            "label": flow.label,
            "counts": [
                {"status": status.value, "label": status.label, "n": counts[flow.value][key]}
                for status, key in selectors.SUMMARY_KEYS.items()
            ],
        }
        for flow in Flow
    ]
    context = {"year": year, "years": services.follow_up_years(), "flows": flows, "updating": updating}
    return render(request, "followup/dashboard.html", context)


@staff_required
def files_view(request: HttpRequest) -> HttpResponse:
    office = office_for_user(request.actor)  # type: ignore[attr-defined]
    year = _year(request.GET.get("year"))
    flow = request.GET.get("flow", Flow.OPTIMISATION)
    status = request.GET.get("status", "")
    if flow not in Flow.values or (status and status not in Status.values):
        raise Http404
    updating = services.follow_up_prepare(office=office, year=year)
    rows = selectors.follow_up_files(request.actor, year, flow, status or None)  # type: ignore[attr-defined]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.product_label = PRODUCT_SHORT.get(row.product, row.product)  # type: ignore[attr-defined]
    context = {
        "year": year,
        "flow": Flow(flow),
        "status": status,
        "statuses": Status.choices,
        "page": page,
        "query": urlencode({"year": str(year), "flow": flow, "status": status}),
        "updating": updating,
    }
    return render(request, "followup/files.html", context)


@require_POST
@staff_required
def bulk_status_view(request: HttpRequest) -> HttpResponse:
    """The status of the files ticked in the list (only rows the actor sees are touched)."""
    office_for_user(request.actor, write=True)  # type: ignore[attr-defined]
    year = _year(request.POST.get("year"))
    flow = request.POST.get("flow", "")
    if flow not in Flow.values:
        raise Http404
    ids = request.POST.getlist("rows")
    visible = selectors.follow_up_files(request.actor, year, flow)  # type: ignore[attr-defined]
    rows = list(visible.filter(pk__in=[i for i in ids if _is_uuid(i)]))
    try:
        count = services.follow_up_bulk_set_status(rows=rows, status=request.POST.get("status", ""), by=request.actor)  # type: ignore[attr-defined]
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Status saved for %(n)s files.") % {"n": count})
    back = request.POST.get("status_filter", "")
    return redirect(reverse("followup:files") + "?" + urlencode({"year": str(year), "flow": flow, "status": back}))


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
