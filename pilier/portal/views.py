"""The office's Team pages of a file (create, invite, re-send, revoke access) and the client's portal."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilier.accounts.access import CLIENT, client_for_user, request_actor
from pilier.accounts.decorators import office_admin_required, staff_required
from pilier.accounts.models import User
from pilier.lib.text import printable
from pilier.lib.validation import add_errors
from pilier.policies.selectors import policies_of, sections_of

from . import services
from .history import record
from .models import EventKind


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Client's e-mail address"), max_length=254)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Letter"), max_length=10000, widget=forms.Textarea(attrs={"rows": 18}))


def _letter_initial(request: HttpRequest, client) -> dict:
    letter = services.letter_for(client, by=request.user)
    state = services.access_state(client)
    return {"email": state.email or client.email, "subject": letter.subject, "body": letter.body}


@staff_required
def team_invite_view(request: HttpRequest, client_id) -> HttpResponse:
    """The letter filled in for this client, editable for this send; sent as the invitation e-mail or printed."""
    client = client_for_user(request_actor(request), client_id, write=request.method == "POST")
    form = InviteForm(request.POST or None, initial=_letter_initial(request, client))
    if request.method == "POST" and form.is_valid():
        try:
            access = services.access_create(client=client, by=request.user, email=form.cleaned_data["email"])
            sent = services.invite(
                request,
                access=access,
                by=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                send=request.POST.get("action") != "print",
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if request.POST.get("action") == "print":
                return _letter_pdf(request, client, sent)
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": access.user.email})
            return redirect(f"{client.get_absolute_url()}#team")
    return render(
        request, "portal/team_invite.html", {"client": client, "form": form}, status=400 if form.errors else 200
    )


@staff_required
@require_POST
def team_resend_view(request: HttpRequest, client_id) -> HttpResponse:
    client = client_for_user(request_actor(request), client_id, write=True)
    state = services.access_state(client)
    if state.access is None or not state.access.is_active:
        raise Http404
    services.invite(request, access=state.access, by=request.user)
    messages.success(
        request, _("A new link was sent to %(email)s; the previous one no longer works.") % {"email": state.email}
    )
    return redirect(f"{client.get_absolute_url()}#team")


@staff_required
@require_POST
def team_revoke_view(request: HttpRequest, client_id) -> HttpResponse:
    client = client_for_user(request_actor(request), client_id, write=True)
    if services.access_revoke(client=client, by=request.user) is not None:
        messages.success(request, _("The client's access is revoked; their sessions are ended."))
    return redirect(f"{client.get_absolute_url()}#team")


def _pdf(request: HttpRequest, html: str, name: str) -> HttpResponse:
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name) or "attachment"
    return response


def _letter_pdf(request: HttpRequest, client, sent: services.Sent) -> HttpResponse:
    with translation.override(services.client_language(client)):
        html = render_to_string(
            "portal/letter_pdf.html",
            {
                "client": client,
                "office": client.office,
                "subject": sent.subject,
                "body": sent.body,
                "today": timezone.localdate(),
            },
            request=request,
        )
    return _pdf(request, html, f"access-{printable(client.last_name) or 'client'}.pdf")


# The file as the client reads it (the portal and the printable overview) ------------------------------------------


def file_context(client) -> dict:
    from pilier.analysis.selectors import analysis_for_client, default_year

    year = default_year()
    try:
        analysis, _inputs = analysis_for_client(client, year)
    except Exception:  # noqa: BLE001 - an analysis that cannot be drawn leaves the rest of the file readable
        analysis = None
    from pilier.analysis.labels import PRODUCTS

    rooms = [
        {"label": PRODUCTS.get(key, key), "max": p.max_premium.value, "paid": p.paid, "room": p.room.value}
        for key, p in (analysis.products.items() if analysis is not None else [])
        if p.applicable and p.max_premium.value is not None
    ]
    broker = client.account_manager or client.file_manager
    return {
        "rooms": rooms,
        "client": client,
        "office": client.office,
        "broker": broker,
        "career_lines": list(client.career_lines.all()),
        "sections": sections_of(policies_of(client)),
        "analysis": analysis,
        "year": year,
        "today": timezone.localdate(),
    }


@staff_required
def overview_pdf_view(request: HttpRequest, client_id) -> HttpResponse:
    """One page for the broker to attach: the file as the client reads it, in the client's language."""
    client = client_for_user(request_actor(request), client_id)
    with translation.override(services.client_language(client)):
        html = render_to_string("portal/overview_pdf.html", file_context(client), request=request)
    record(client, EventKind.OVERVIEW_PRINTED, by=request.user)
    return _pdf(request, html, f"overview-{printable(client.last_name) or 'client'}.pdf")


def client_required(view):
    """A logged-in client of a file; anonymous visitors to the login page, anyone else 404 (a staff member's
    login never opens a portal)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request_actor(request).role != CLIENT or len(request_actor(request).files) != 1:
            raise Http404
        client = client_for_user(request_actor(request), next(iter(request_actor(request).files)))
        return view(request, client, *args, **kwargs)

    return wrapper


@client_required
def portal_home_view(request: HttpRequest, client) -> HttpResponse:
    record(client, EventKind.PORTAL_VIEW, by=request.user)
    return render(request, "portal/home.html", file_context(client))


@client_required
def portal_pdf_view(request: HttpRequest, client) -> HttpResponse:
    html = render_to_string("portal/overview_pdf.html", file_context(client), request=request)
    record(client, EventKind.PORTAL_PDF, by=request.user)
    return _pdf(request, html, f"overview-{printable(client.last_name) or 'file'}.pdf")


@client_required
@require_POST
def portal_language_view(request: HttpRequest, client) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in ("fr", "nl", "en"):
        User.objects.filter(pk=request.user.pk).update(language=language)  # type: ignore[misc]
    return redirect("portal:home")


@client_required
@require_POST
def portal_mandate_view(request: HttpRequest, client) -> HttpResponse:
    """The client asks their broker to take over a policy the office does not manage: a line of the file's history."""
    policy = next(
        (p for p in policies_of(client) if str(p.pk) == request.POST.get("policy", "") and not p.managed), None
    )
    if policy is None:
        raise Http404
    record(
        client,
        EventKind.MANDATE_PROPOSED,
        by=request.user,
        detail=f"{policy.get_type_display()} {policy.insurer} {policy.number}",
    )
    messages.success(request, _("Your broker has your message and will contact you."))
    return redirect("portal:home")


class LetterTemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Letter"), max_length=10000, widget=forms.Textarea(attrs={"rows": 22}))


@office_admin_required
def letter_template_view(request: HttpRequest, lang: str) -> HttpResponse:
    """The office's client-access letter in one language (fr, nl, en): its own text, or ours until changed."""
    from . import letters

    if lang not in letters.LANGUAGES:
        raise Http404
    office = request_actor(request).office
    assert office is not None
    current = letters.template_for(office, lang)
    form = LetterTemplateForm(request.POST or None, initial={"subject": current.subject, "body": current.body})
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            letters.reset_template(office=office, language=lang)
            messages.success(request, _("The default text is back."))
            return redirect("portal:letter_template", lang)
        if form.is_valid():
            user = request.user if isinstance(request.user, User) else None
            letters.save_template(office=office, language=lang, by=user, **form.cleaned_data)
            messages.success(request, _("Letter saved."))
            return redirect("portal:letter_template", lang)
    context = {"form": form, "lang": lang, "languages": letters.LANGUAGES, "custom": current.custom}
    return render(request, "portal/letter_template.html", context, status=400 if form.errors else 200)
