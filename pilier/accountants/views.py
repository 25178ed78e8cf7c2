"""The accountants' directory page, for every office's staff: search by name, municipality or e-mail, add one
when not found (the same rules as the API: a wrong enterprise number is refused with its reason)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilier.accounts.access import client_for_user, office_for_user
from pilier.accounts.decorators import staff_required

from . import services
from .models import Accountant


@staff_required
def directory_view(request: HttpRequest) -> HttpResponse:
    office_for_user(request.actor, write=request.method == "POST")  # type: ignore[attr-defined]
    search = request.GET.get("search", "")
    errors: dict[str, list[str]] = {}
    values = {name: request.POST.get(name, "") for name in services.FIELDS}
    if request.method == "POST":
        try:
            accountant = services.accountant_create(**values)
        except ValidationError as exc:
            errors = {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        else:
            messages.success(request, _("Accountant added to the directory."))
            return redirect(reverse("accountants:directory") + "?" + urlencode({"search": accountant.email}))
    context = {
        "search": search,
        "accountants": services.accountant_search(search) if search else [],
        "values": values,
        "errors": errors,
        "fields": services.FIELDS,
    }
    return render(request, "accountants/directory.html", context, status=422 if errors else 200)


@staff_required
@require_POST
def file_accountant_view(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    client = client_for_user(request.actor, client_id, write=True)  # type: ignore[attr-defined]
    if request.POST.get("action") == "remove":
        services.file_accountant_remove(client=client, by=request.actor)  # type: ignore[attr-defined]
        messages.success(request, _("Accountant removed from the file."))
    else:
        found = Accountant.objects.filter(email__iexact=request.POST.get("email", "").strip()).first()
        try:
            if found is None:
                raise ValidationError({"accountant": [services.NO_ACCOUNTANT]})
            services.file_accountant_set(client=client, accountant_id=found.pk, by=request.actor)  # type: ignore[attr-defined]
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Accountant saved on the file."))
    return redirect(client.get_absolute_url() + "#team")
