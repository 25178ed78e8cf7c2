from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilier.accounts.access import (
    client_for_user,
    import_for_user,
    imports_visible_to,
    office_for_user,
    unmatched_for_user,
    unmatched_visible_to,
)
from pilier.accounts.decorators import staff_required
from pilier.clients.selectors import client_list
from pilier.lib.uploads import takes_upload, upload_refused

from . import jobs, services
from .forms import PortfolioUploadForm
from .models import ImportKind, ImportSource, UnmatchedStatus


@takes_upload
@staff_required
def import_list_view(request):
    office = office_for_user(request.actor, write=request.method == "POST")
    if request.method == "POST":
        form = PortfolioUploadForm(request.POST, request.FILES, refused=bool(upload_refused(request)))
    else:
        form = PortfolioUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.import_run_create(
            office=office,
            user=request.user,
            file=upload,
            file_name=upload.name,
            source=ImportSource.UPLOAD,
            kind=ImportKind.PORTFOLIO,
            insurer=form.cleaned_data.get("insurer") or "",
        )
        return redirect("couplings:detail", run.pk)
    jobs.recover_stale_runs(office_id=office.pk)
    imports = imports_visible_to(request.actor).select_related("created_by").defer("errors")
    page = Paginator(imports, 20).get_page(request.GET.get("page"))
    open_records = unmatched_visible_to(request.actor).filter(status=UnmatchedStatus.OPEN).count()
    context = {"form": form, "page": page, "open_records": open_records}
    return render(request, "couplings/imports.html", context, status=413 if form.is_bound and form.refused else 200)


@staff_required
def import_detail_view(request, import_id):
    run = jobs.recover(run=import_for_user(request.actor, import_id))
    template = "couplings/_import_status.html" if request.headers.get("HX-Request") else "couplings/import.html"
    return render(request, template, {"job": run, "progress": jobs.progress_of(run)})


@staff_required
def unmatched_list_view(request):
    status = request.GET.get("status", UnmatchedStatus.OPEN)
    if status not in UnmatchedStatus.values:
        status = UnmatchedStatus.OPEN
    records = unmatched_visible_to(request.actor).filter(status=status).order_by("-seen_at", "number")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "couplings/unmatched.html", {"page": page, "status": status, "statuses": UnmatchedStatus})


@staff_required
def unmatched_detail_view(request, record_id):
    record = unmatched_for_user(request.actor, record_id)
    query = request.GET.get("q", record.holder_national_number or record.holder_name).strip()
    candidates = client_list(actor=request.actor, query=query)[:10] if query else []
    return render(
        request, "couplings/unmatched_record.html", {"record": record, "query": query, "candidates": candidates}
    )


@staff_required
@require_POST
def unmatched_link_view(request, record_id):
    record = unmatched_for_user(request.actor, record_id, write=True)
    client = client_for_user(request.actor, request.POST.get("client"), write=True)
    try:
        policy = services.unmatched_link(record=record, client=client)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("couplings:unmatched_record", record.pk)
    messages.success(
        request,
        _("Policy %(number)s added to the file of %(name)s.") % {"number": policy.number, "name": client.full_name},
    )
    return redirect(f"{client.get_absolute_url()}#policy-{policy.pk}")


@staff_required
@require_POST
def unmatched_dismiss_view(request, record_id):
    record = unmatched_for_user(request.actor, record_id, write=True)
    services.unmatched_dismiss(record=record)
    messages.success(request, _("Record %(number)s dismissed.") % {"number": record.number})
    return redirect("couplings:unmatched")
