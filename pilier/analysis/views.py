from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _

from pilier.accounts.access import client_for_user
from pilier.accounts.decorators import staff_required
from pilier.lib.money import money
from pilier.lib.text import printable

from .engine.assumptions import Assumption, resolve
from .engine.inputs import Options
from .engine.steps import Figure
from .forms import AssumptionsForm
from .labels import (
    ANNUITY_OPTIONS,
    ASSUMPTIONS,
    NOT_APPLICABLE,
    NOT_APPLICABLE_GENERIC,
    PRODUCT_SHORT,
    PRODUCTS,
    TAX_REGIMES,
    missing_item,
    param_label,
    proposal_status,
)
from .presenters import chart, explain, show
from .rulebook import available_years, load_rules
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


def _amount(value) -> Decimal | None:
    """An amount of a product's extra: a Decimal, or a Figure's value."""
    return value.value if isinstance(value, Figure) else value


def _param_labels(keys) -> str:
    """The rules figures `keys` by their names, each once (several keys may share a name)."""
    return ", ".join(dict.fromkeys(param_label(k) for k in keys))


def _own_steps(figure: Figure, base: Figure) -> list[dict]:
    """The rows of a figure continued from `base` (a fork of its steps): only the steps of its own, the others
    being shown just above."""
    n = len(base.steps)
    return explain(figure, start=n if n and figure.steps[:n] == base.steps else 0)


def _product_row(key: str, product) -> dict:
    extra = product.extra
    row = {
        "key": key,
        "label": PRODUCTS[key],
        "product": product,
        "reason": NOT_APPLICABLE.get(product.reason, NOT_APPLICABLE_GENERIC),
        "unverified_labels": _param_labels(product.unverified),
        "max_steps": explain(product.max_premium) if product.max_premium.steps else [],
        "room_steps": explain(product.room) if product.room.value is not None else [],
        "back_service": extra.get("back_service"),
        "back_steps": _own_steps(extra["back_service"], product.room) if extra.get("back_service") else [],
        "regimes": extra.get("regimes"),
        "notices": [],
    }
    overpaid = _amount(extra.get("overpaid"))
    if overpaid:
        row["overpaid"] = _("over-payment of %(amount)s: not deductible") % {"amount": money(overpaid)}
    reduction = extra.get("tax_reduction_paid")
    if isinstance(reduction, Figure) and reduction.value is not None:
        row["reduction"] = {
            "text": _("Tax reduction of what is paid: %(amount)s") % {"amount": money(reduction.value)},
            "steps": _own_steps(reduction, product.room),
        }
    zone = extra.get("low_zone")
    if zone:
        row["notices"].append(
            _(
                "Paid %(paid)s: above %(max_30)s the reduction falls to %(rate_25)s, i.e. %(reduction)s, less than "
                "the %(reduction_30)s of %(max_30)s at %(rate_30)s. Between %(max_30)s and %(limit)s paid, the "
                "client gets less than by paying %(max_30)s."
            )
            % {
                "paid": money(zone["paid"]),
                "max_30": money(zone["max_30"]),
                "limit": money(zone["limit"].value),
                "reduction": money(zone["reduction_paid"]),
                "reduction_30": money(zone["reduction_30"]),
                "rate_25": show("rate_25", _step_value(zone["limit"], "rate_25")),
                "rate_30": show("rate_30", _step_value(zone["limit"], "rate_30")),
            }
        )
    proposed = extra.get("proposed_change")
    if proposed and proposed["max_premium"].value is not None:
        row["proposed"] = {
            "text": _(
                "A bill would raise the maximum to %(amount)s (%(status)s); this analysis applies the maximum in "
                "force, %(current)s."
            )
            % {
                "amount": money(proposed["max_premium"].value),
                "status": proposal_status(proposed["status"]),
                "current": money(product.max_premium.value),
            },
            "steps": _own_steps(proposed["max_premium"], product.max_premium),
        }
    return row


def _step_value(figure: Figure, name: str) -> Decimal | None:
    return next((s.value for s in figure.steps if s.name == name), None)


def _assumption_value(assumption: Assumption) -> str:
    value = assumption.value
    if value is None:
        return _("none")
    if assumption.name == "annuity_option":
        return str(ANNUITY_OPTIONS.get(str(value), ANNUITY_OPTIONS["plain"]))
    if assumption.name == "active_until_legal_age":
        return _("yes") if value else _("no")
    return show("technical_rate", Decimal(value))  # a rate: 1,75 %


def assumption_rows(assumptions: dict[str, Assumption], defaults: dict[str, Assumption]) -> list[dict]:
    """Each assumption of the analysis: its value, chosen or by default (with the default's public source), and
    the default it replaces when chosen."""
    rows = []
    for name, assumption in assumptions.items():
        default = defaults.get(name)
        param = default.param if default else None
        rows.append(
            {
                "name": name,
                "label": ASSUMPTIONS.get(name, name),
                "value": _assumption_value(assumption),
                "text": _("%(label)s: %(value)s")
                % {"label": ASSUMPTIONS.get(name, name), "value": _assumption_value(assumption)},
                "chosen": assumption.chosen,
                "default": _assumption_value(default) if default else "",
                "source": param.source if param else "",
                "url": param.url if param else None,
                "verified": bool(param and param.verified),
            }
        )
    return rows


def _context(request, client, assumptions: AssumptionsForm):
    year = _year(request)
    options = assumptions.options()
    incomes = client_incomes(client)  # one query for the analysis and the page's table
    analysis, inputs = analysis_for_client(client, year, options, incomes=incomes)
    products = [_product_row(key, product) for key, product in analysis.products.items()]
    projection = analysis.projection
    rows = assumption_rows(analysis.assumptions, resolve(Options(), load_rules(year)))
    return {
        "client": client,
        "year": year,
        "years": available_years(),
        "analysis": analysis,
        "unverified_labels": _param_labels(analysis.unverified),
        "inputs": inputs,
        "products": products,
        "missing": [missing_item(code, client, year) for code in analysis.missing],
        "policies": [
            {
                "item": p,
                "gross_steps": explain(p.gross),
                "net_steps": explain(p.net) if p.net else [],
                "tax_regime": TAX_REGIMES.get(p.tax_regime, ""),
            }
            for p in projection.policies
        ],
        "chart": chart(projection.series),
        "gap_steps": explain(analysis.gap) if analysis.gap and analysis.gap.value is not None else [],
        "rate_percent": request.GET.get("rate", ""),
        "coefficient": request.GET.get("coefficient", ""),
        "option": options.annuity_option or "plain",
        "options": ANNUITY_OPTIONS,
        "assumptions": assumptions,
        "assumption_rows": rows,
        "assumption_defaults": {row["name"]: row for row in rows},
        "incomes": incomes[:10],
        "generated_at": timezone.now(),
    }


def pdf_language(client) -> str:
    """The client's language when the app has it (fr, nl, en), else French (a German-speaking client)."""
    languages = {code for code, _name in settings.LANGUAGES}
    return client.language if client.language in languages else "fr"


@staff_required
def analysis_view(request, client_id):
    client = client_for_user(request.actor, client_id)
    assumptions = _assumptions(request)
    status = 400 if assumptions.errors else 200
    return render(request, "analysis/client.html", _context(request, client, assumptions), status=status)


def _office_of(request, client):
    """The file's office: the staff member's own (already loaded, no query), else read."""
    actor = getattr(request, "actor", None)
    office = getattr(actor, "office", None)
    return office if office is not None and office.pk == client.office_id else client.office


def client_pdf_html(request, client, assumptions: AssumptionsForm) -> str:
    """The PDF's HTML, in the client's language whatever the broker's (amounts, dates and labels)."""
    with translation.override(pdf_language(client)):
        context = _context(request, client, assumptions)
        context["office"] = _office_of(request, client)
        return render_to_string("analysis/client_pdf.html", context, request=request)


@staff_required
def analysis_pdf_view(request, client_id):
    from weasyprint import HTML

    client = client_for_user(request.actor, client_id)
    assumptions = _assumptions(request)
    if assumptions.errors:
        # The page, with the refused assumption's error on its field, rather than a PDF of other figures.
        return render(request, "analysis/client.html", _context(request, client, assumptions), status=400)
    html = client_pdf_html(request, client, assumptions)
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
    for row in rows:
        row.product_label = PRODUCT_SHORT.get(row.product, row.product)
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
