from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode

from pilier.accounts.access import client_for_user
from pilier.accounts.decorators import staff_required
from pilier.lib.text import printable

from .forms import AssumptionsForm
from .labels import ANNUITY_OPTIONS, NOT_APPLICABLE, PRODUCTS, missing_item
from .presenters import chart, explain
from .rulebook import available_years
from .selectors import analysis_for_client, client_incomes, default_year, office_room

# The query-string parameters of the assumptions form.
ASSUMPTION_PARAMETERS = ("rate", "coefficient", "option", "marginal_rate", "active")


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", default_year()))
    except ValueError:
        year = default_year()
    if year not in available_years():
        raise Http404
    return year


def _assumptions(request) -> AssumptionsForm:
    """Bound to the query string; a refused value shows its error in the form, the rules' default is used."""
    form = AssumptionsForm({k: request.GET[k] for k in ASSUMPTION_PARAMETERS if k in request.GET})
    form.is_valid()
    return form


def _context(request, client, assumptions: AssumptionsForm):
    year = _year(request)
    options = assumptions.options()
    incomes = client_incomes(client)  # one query for the analysis and the page's table
    analysis, inputs = analysis_for_client(client, year, options, incomes=incomes)
    products = []
    for key, product in analysis.products.items():
        products.append(
            {
                "key": key,
                "label": PRODUCTS[key],
                "product": product,
                "reason": NOT_APPLICABLE.get(product.reason, product.reason),
                "max_steps": explain(product.max_premium) if product.max_premium.steps else [],
                "room_steps": explain(product.room) if product.room.value is not None else [],
                "back_service": product.extra.get("back_service"),
                "back_steps": explain(product.extra["back_service"]) if product.extra.get("back_service") else [],
                "regimes": product.extra.get("regimes"),
            }
        )
    projection = analysis.projection
    return {
        "client": client,
        "year": year,
        "years": available_years(),
        "analysis": analysis,
        "inputs": inputs,
        "products": products,
        "missing": [missing_item(code, client, year) for code in analysis.missing],
        "policies": [
            {"item": p, "gross_steps": explain(p.gross), "net_steps": explain(p.net) if p.net else []}
            for p in projection.policies
        ],
        "chart": chart(projection.series),
        "gap_steps": explain(analysis.gap) if analysis.gap and analysis.gap.value is not None else [],
        "rate_percent": request.GET.get("rate", ""),
        "coefficient": request.GET.get("coefficient", ""),
        "option": options.annuity_option or "plain",
        "options": ANNUITY_OPTIONS,
        "assumptions": assumptions,
        "incomes": incomes[:10],
        "generated_at": timezone.now(),
    }


@staff_required
def analysis_view(request, client_id):
    client = client_for_user(request.actor, client_id)
    assumptions = _assumptions(request)
    status = 400 if assumptions.errors else 200
    return render(request, "analysis/client.html", _context(request, client, assumptions), status=status)


@staff_required
def analysis_pdf_view(request, client_id):
    from weasyprint import HTML

    client = client_for_user(request.actor, client_id)
    assumptions = _assumptions(request)
    if assumptions.errors:
        # The page, with the refused assumption's error on its field, rather than a PDF of other figures.
        return render(request, "analysis/client.html", _context(request, client, assumptions), status=400)
    html = render_to_string("analysis/client_pdf.html", _context(request, client, assumptions), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    # A stored name may hold what a header may not (a line break from before names were checked).
    name = printable(client.last_name) or "client"
    response["Content-Disposition"] = content_disposition_header(False, f"analysis-{name}-{_year(request)}.pdf")
    return response


@staff_required
def office_room_view(request):
    year = _year(request)
    assumptions = _assumptions(request)
    options = assumptions.options()
    rows = office_room(actor=request.actor, year=year, options=options)
    computed = [r for r in rows if r.room is not None]  # largest room first, files with none left at the end
    incomplete = [r for r in rows if r.room is None]
    context = {
        "year": year,
        "years": available_years(),
        "rows": computed,
        "incomplete": incomplete,
        "rate_percent": request.GET.get("rate", ""),
        "coefficient": request.GET.get("coefficient", ""),
        "assumptions": assumptions,
        # The files' links carry the assumptions taken, not a refused one.
        "assumptions_query": urlencode(
            {k: request.GET[k] for k in ("rate", "coefficient") if request.GET.get(k) and k not in assumptions.errors}
        ),
    }
    return render(request, "analysis/office.html", context, status=400 if assumptions.errors else 200)
