"""`make bench`: the analysis of one full file, its PDF, and the office view over 10,000 files.

Standalone: a fresh SQLite database in a temporary directory (removed at the end), even when
DATABASE_URL is set (the targets are SQLite's). An office of 10,000 clients, most of them
self-employed or company directors, with career lines, incomes of 2020-2025 and policies, all made
with bulk_create; a second office of 1,000 clients made the same way, to show that the office view
makes as many queries for 1,000 files as for 10,000. Every request goes through the whole Django
stack with django.test.Client, logged in as a staff member (the API with a bearer token).

Options: --clients N (10000), --small N (1000; 0: no second office), --runs N (30), --pdf-runs N (5),
--office-runs N (3), --profile (a cProfile of one office view), --keep. See bench/README.md.
"""

import argparse
import cProfile
import datetime
import logging
import random
import time
from decimal import Decimal

import _common  # bench/_common.py: bench/ is first on sys.path when this script runs

YEAR = 2025
INCOME_YEARS = range(2020, 2026)  # 2020: the frozen pay of the 80 % rule
PAGE_TARGET_MS = 50.0  # bench/run.py's target for one request (page or API)
OFFICE_TARGET_S = 20.0  # the issue's target: the office view of 10,000 files

# The office's mix of social statuses (a broker office of self-employed people and company directors).
STATUSES = [
    ("self_employed", 0.50),
    ("company_director", 0.35),
    ("assisting_spouse", 0.03),
    ("employee", 0.07),
    ("retired", 0.03),
    ("", 0.02),  # step 2 not done yet
]
# Policies by status: the first is always there (the main policy of its group), then 1 to 3 of the others.
POLICY_MIX = {
    "self_employed": ("plci", ["cpti", "pension_savings", "long_term_savings", "guaranteed_income", "plci_social"]),
    "company_director": ("eip", ["group_insurance", "pension_savings", "guaranteed_income", "term_life"]),
    "assisting_spouse": ("plci", ["pension_savings", "guaranteed_income", "long_term_savings"]),
    "employee": ("pension_savings", ["long_term_savings", "group_insurance", "term_life", "savings_insurance"]),
    "retired": ("savings_insurance", ["investment_insurance", "mixed_investment", "term_life"]),
    "": ("pension_savings", ["long_term_savings", "term_life", "savings_insurance"]),
}
SELF_EMPLOYED = {"self_employed", "company_director", "assisting_spouse"}

FILE_PAGE = "file analysis  GET /clients/<uuid>/analysis/"
FILE_API = "file analysis  GET /api/v1/clients/<uuid>/analysis"
FILE_PDF = "file PDF       GET /clients/<uuid>/analysis.pdf"
OFFICE = "office view    GET /analysis/room/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000, help="files in the office (10000)")
    parser.add_argument("--small", type=int, default=1_000, help="files in the second office (1000; 0: none)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of the file page and the API (30)")
    parser.add_argument("--pdf-runs", type=int, default=5, help="timed runs of the PDF (5)")
    parser.add_argument("--office-runs", type=int, default=3, help="timed runs of the office view (3)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up runs of the file page, API and PDF (3)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="a cProfile of one office view (about 2x slower)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and database")
    return parser.parse_args()


# The data -----------------------------------------------------------------------------------------------------


class PolicyNumbers:
    """Athora numbers "GV…", unique in the database (the generic format: the key is the number)."""

    def __init__(self):
        self.next = 1_000_000

    def new(self) -> str:
        self.next += 1
        return f"GV{self.next}"


def pick(rng: random.Random, weighted) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def make_client(office, index: int, status: str, managers, rng: random.Random, numbers):
    """An unsaved Client with every field that Client.save() would fill, born 1958-1999 (a birth date always)."""
    from pilier.clients.identifiers import digits
    from pilier.clients.models import Client, search_key

    flemish = rng.random() < 0.55
    last = rng.choice(_common.LAST_NAMES)
    first = rng.choice(_common.FIRST_NAMES_NL if flemish else _common.FIRST_NAMES_FR)
    born = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randrange(42 * 365))
    national_number, born, gender = numbers.new(born)
    postcode, town = rng.choice(_common.TOWNS_NL if flemish else _common.TOWNS_FR)
    director = status == "company_director"
    return Client(
        office=office,
        client_number=f"A{100000 + index}" if rng.random() < 0.6 else "",
        national_number=national_number,
        national_number_provisional=False,
        national_number_digits=digits(national_number),
        last_name=last,
        first_name=first,
        birth_date=born,
        gender=gender,
        language="nl" if flemish else "fr",
        email=f"{search_key(first).replace(' ', '')}.{index}@example.be",
        postcode=postcode,
        municipality=town,
        country="BE",
        account_manager=rng.choice(managers),
        file_manager=rng.choice(managers) if rng.random() < 0.7 else None,
        restricted_access=False,  # every file is seen by the broker who asks for the office view
        social_status=status,
        fiscal_year_start=datetime.date(2025, 1, 1) if director else None,
        fiscal_year_end=datetime.date(2025, 12, 31) if director else None,
        company_name=f"{last} & Associés SRL" if director else "",
        search_name=search_key(last, first),
    )


def make_career(client, rng: random.Random) -> tuple[list, int]:
    """2 or 3 unsaved career lines (studies, perhaps a job, the current activity ongoing), and the first year of
    the current activity. About 5% of the self-employed started in 2023 or 2024 (PLCI starters)."""
    from pilier.clients.models import CareerLine

    born = client.birth_date.year
    status = client.social_status
    current = status if status in SELF_EMPLOYED else "employee"
    studies_end = born + rng.choice([20, 21, 22, 23])
    if status in SELF_EMPLOYED and rng.random() < 0.05:
        start = rng.choice([2023, 2024])
    else:
        start = min(2022, studies_end + 1 + rng.randrange(0, 15))
    start = max(start, studies_end + 1)
    lines = [CareerLine(client=client, from_year=born + 18, to_year=studies_end, status="student")]
    if start > studies_end + 1 and rng.random() < 0.8:
        lines.append(
            CareerLine(
                client=client,
                from_year=studies_end + 1,
                to_year=start - 1,
                status="employee",
                various_employers=True,
                gross_annual_income=Decimal(rng.randrange(28, 60) * 1000),
            )
        )
    end = born + 65 if status == "retired" else None
    lines.append(CareerLine(client=client, from_year=start, to_year=end, status=current, employer=client.company_name))
    return lines, start


def make_incomes(client, start: int, user, rng: random.Random) -> list:
    """Incomes of 2020-2025 (from the start of the activity): the net taxable professional income, the gross
    remuneration of directors; 3/4 of the self-employed have their 2025 PLCI reference income (the fund's
    invoice); about 8% of the files lack one year (a file that needs inputs)."""
    from pilier.clients.models import Income

    status = client.social_status
    years = [y for y in INCOME_YEARS if y >= start or status not in SELF_EMPLOYED]
    if rng.random() < 0.08 and years:
        years.remove(rng.choice(years))
    base = Decimal(rng.randrange(25, 120) * 1000)
    incomes = []
    for year in years:
        grown = (base * Decimal(1 + 0.03 * (year - 2021))).quantize(Decimal("0.01"))
        incomes.append(
            Income(
                client=client,
                year=year,
                net_taxable_professional_income=grown,
                gross_remuneration=(grown * Decimal("1.35")).quantize(Decimal("0.01"))
                if status == "company_director"
                else None,
                plci_reference_income=(grown * Decimal("0.9")).quantize(Decimal("0.01"))
                if year == YEAR and status in ("self_employed", "assisting_spouse") and rng.random() < 0.75
                else None,
                entered_by=user,
            )
        )
    return incomes


def make_policies(client, start: int, rng: random.Random, numbers: PolicyNumbers) -> list:
    """2-4 unsaved Athora policies as the services store them: section and main_group from the catalogue, the
    first policy of each group main, number_key equal to the number, premiums and reserves."""
    from pilier.policies.catalogue import TYPES
    from pilier.policies.models import Policy

    first, others = POLICY_MIX[client.social_status]
    kinds = [first, *rng.sample(others, rng.randint(1, 3))]
    policies, mains = [], set()
    for kind in kinds:
        spec = TYPES[kind]
        number = numbers.new()
        premium = Decimal(rng.randrange(300, 3800)) if spec.section != "investment" else None
        years = max(1, YEAR - max(start, 2000))
        saving = spec.section in ("pension", "investment")
        policies.append(
            Policy(
                office=client.office,
                client=client,
                section=spec.section,
                type=kind,
                insurer="ATHORA",
                number=number,
                number_key=number,
                status="dormant" if rng.random() < 0.1 else "active",
                start_date=datetime.date(max(start, 2000), 1 + rng.randrange(12), 1),
                annual_premium=premium,
                reserves=((premium or Decimal(20000)) * years).quantize(Decimal("0.01")) if saving else None,
                reserves_date=datetime.date(2025, 12, 31) if saving else None,
                death_capital=Decimal(rng.randrange(50, 300) * 1000) if spec.section == "death" else None,
                managed=rng.random() < 0.9,
                mandate=rng.random() < 0.7,
                main_group=spec.main_group,
                is_main=bool(spec.main_group) and spec.main_group not in mains,
            )
        )
        mains.add(spec.main_group)
    return policies


def set_up_office(name: str, mail: str, count: int, rng: random.Random, numbers, policy_numbers):
    """An office of `count` files (bulk_create), its admin and 3 staff; returns (office, the broker who browses)."""
    from django.db import transaction

    from pilier.clients.models import CareerLine, Client, Income
    from pilier.policies.models import Policy

    office, staff = _common.create_office(name, mail)
    batch = 2000
    with transaction.atomic():
        for begin in range(0, count, batch):
            clients, lines, incomes, policies = [], [], [], []
            for index in range(begin, min(count, begin + batch)):
                client = make_client(office, index, pick(rng, STATUSES), staff, rng, numbers)
                career, start = make_career(client, rng)
                clients.append(client)
                lines += career
                incomes += make_incomes(client, start, rng.choice(staff), rng)
                policies += make_policies(client, start, rng, policy_numbers)
            Client.objects.bulk_create(clients, batch_size=500)
            CareerLine.objects.bulk_create(lines, batch_size=500)
            Income.objects.bulk_create(incomes, batch_size=500)
            Policy.objects.bulk_create(policies, batch_size=500)
    return office, staff[0]


def set_up_full_file(office, user, numbers):
    """The file whose analysis is timed, made through the services as a broker would: a self-employed consultant
    born in 1975, three career lines, incomes of 2020-2025 (PLCI reference income of 2025 included) and 6 policies
    (main PLCI and CPTI, a social PLCI, pension savings, long-term savings, guaranteed income). Every product and
    the projection have their inputs, so every figure is computed and explained."""
    from pilier.clients import services
    from pilier.policies.services import policy_create

    client = _common.create_client(
        office,
        numbers,
        datetime.date(1975, 3, 14),
        **_common.HELENE,
        account_manager=user,
        social_status="self_employed",
    )
    for from_year, to_year, status, employer in [
        (1993, 1997, "student", ""),
        (1998, 2007, "employee", "Proximus SA"),
        (2008, None, "self_employed", "HL Conseil"),
    ]:
        services.career_line_create(
            client=client, from_year=from_year, to_year=to_year, status=status, employer=employer
        )
    for year in INCOME_YEARS:
        net = Decimal(52000 + 2500 * (year - 2021))
        services.income_set(
            client=client,
            year=year,
            user=user,
            net_taxable_professional_income=net,
            plci_reference_income=Decimal("50312.40") if year == YEAR else None,
        )
    for section, kind, number, premium, reserves in [
        ("pension", "plci", "GV900001", Decimal("3100"), Decimal("41800")),
        ("pension", "plci_social", "GV900002", Decimal("600"), Decimal("5200")),
        ("pension", "cpti", "GV900003", Decimal("2400"), Decimal("18500")),
        ("pension", "pension_savings", "GV900004", Decimal("1020"), Decimal("14300")),
        ("pension", "long_term_savings", "GV900005", Decimal("1500"), Decimal("22100")),
        ("disability", "guaranteed_income", "GV900006", Decimal("1850"), None),
    ]:
        policy_create(
            client=client,
            section=section,
            type=kind,
            insurer="ATHORA",
            number=number,
            annual_premium=premium,
            reserves=reserves,
            reserves_date=datetime.date(2025, 12, 31) if reserves else None,
            start_date=datetime.date(2010, 1, 1),
            mandate=True,
        )
    return client


# The measures -------------------------------------------------------------------------------------------------


def summary(label, seconds: list[float], response, queries: list, sql_seconds: float, target, unit: str) -> dict:
    return {
        "label": label,
        **_common.spread(seconds),
        "queries": len(queries),
        "sql": sql_seconds,
        "bytes": len(response.content),
        "target": target,
        "unit": unit,
    }


class Warnings(logging.Handler):
    """WeasyPrint's warnings, counted by message instead of printed once per PDF."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.counts: dict[str, int] = {}

    def emit(self, record):
        message = record.getMessage()
        self.counts[message] = self.counts.get(message, 0) + 1

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.propagate = self.logger.propagate
        self.logger.addHandler(self)
        self.logger.propagate = False
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.propagate = self.propagate


def measure_file(client, user, token, args) -> list[dict]:
    """The file page and the API, round-robin (a burst of load falls on both alike), then the PDF."""
    http = _common.logged_in(user)
    api = _common.logged_in(user)
    api.logout()  # no session: the bearer token only
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    page = f"/clients/{client.pk}/analysis/?year={YEAR}&rate=1.75&coefficient=10.5"
    cases = [
        (
            FILE_PAGE,
            lambda: _common.check(http.get(page), FILE_PAGE),
            args.runs,
            PAGE_TARGET_MS / 1000,
        ),
        (
            FILE_API,
            lambda: _common.check(
                api.get(f"/api/v1/clients/{client.pk}/analysis?year={YEAR}&rate=1.75", **bearer),
                FILE_API,
                content_type="application/json",
            ),
            args.runs,
            PAGE_TARGET_MS / 1000,
        ),
        (
            FILE_PDF,
            lambda: _common.check(
                http.get(f"/clients/{client.pk}/analysis.pdf?year={YEAR}"), FILE_PDF, content_type="application/pdf"
            ),
            args.pdf_runs,
            None,
        ),
    ]
    for _label, request, _runs, _target in cases:
        for _ in range(args.warmup):
            request()
    times = {label: [] for label, *_rest in cases}
    for turn in range(args.runs):
        for label, request, runs, _target in cases:
            if turn < runs:
                times[label].append(_common.timed(request)[0])
    results = []
    for label, request, _runs, target in cases:
        response, queries, sql = _common.one_apart(request)
        results.append(summary(label, times[label], response, queries, sql, target, "ms"))
    return results


def full_file_check(client, token) -> bool:
    """The timed file is a full one: with the page's assumptions (rate 1.75 %, coefficient 10.5), every product of
    a self-employed person is computed and nothing is missing (one API request, not timed)."""
    from django.test import Client as HttpClient

    url = f"/api/v1/clients/{client.pk}/analysis?year={YEAR}&rate=1.75&coefficient=10.5"
    analysis = _common.check(HttpClient().get(url, HTTP_AUTHORIZATION=f"Bearer {token}"), "full file check").json()
    products = analysis["products"]
    computed = [key for key, p in products.items() if p["applicable"] and p["room"] is not None]
    lacking = [key for key, p in products.items() if p["applicable"] and p["room"] is None]
    missing = [m["code"] for m in analysis["missing"]]
    gap = analysis["projection"]["gap_to_80_percent"]
    ok = not lacking and not missing and gap is not None and gap["value"] is not None
    print(
        f"Full file (rate 1.75 %, coefficient 10.5): room computed for {', '.join(computed)}; "
        f"{len(analysis['projection']['policies'])} pension policies projected; gap to 80 %: "
        f"{gap and gap['value']}: " + ("OK." if ok else f"FAILED: no room for {lacking}, missing {missing}.")
    )
    return ok


def measure_office(user, runs: int, label: str = OFFICE, target: float | None = OFFICE_TARGET_S) -> dict:
    """One request apart (its SQL and the number of rows, also the warm-up), then `runs` timed requests."""
    import pilier.analysis.views as views

    http = _common.logged_in(user)
    counted = {}
    original = views.office_room

    def counting(**kwargs):
        rows = original(**kwargs)
        counted["with room"] = sum(1 for r in rows if r.room)
        counted["no room left"] = sum(1 for r in rows if r.room is not None and not r.room)
        counted["need inputs"] = sum(1 for r in rows if r.room is None)
        counted["products"] = {key: sum(1 for r in rows if r.product == key) for key in ("plci", "eip", "cpti")}
        return rows

    def request():
        return _common.check(http.get(f"/analysis/room/?year={YEAR}"), label)

    views.office_room = counting
    try:
        response, queries, sql = _common.one_apart(request)
    finally:
        views.office_room = original
    seconds = [_common.timed(request)[0] for _ in range(runs)]
    result = summary(label, seconds, response, queries, sql, target, "s")
    result["rows"] = counted
    return result


def profile_office(user) -> None:
    http = _common.logged_in(user)
    profiler = cProfile.Profile()
    profiler.enable()
    _common.check(http.get(f"/analysis/room/?year={YEAR}"), OFFICE)
    profiler.disable()
    text = _common.profile_text(profiler, ("tottime", 25), ("cumulative", r"pilier/|django/(template|db/models)", 30))
    print("\n== cProfile of one office view: top 25 by own time, then pilier's and Django's by cumulative time")
    print("(cProfile about doubles the time of Python code)")
    print(text)
    _common.dump_profile(profiler, "office.prof")


# The report ---------------------------------------------------------------------------------------------------


def show(seconds: float, unit: str) -> str:
    return f"{seconds * 1000:7.1f}ms" if unit == "ms" else f"{seconds:7.2f}s "


def row(r: dict) -> str:
    unit = r["unit"]
    if r["target"] is None:
        verdict = "(no target)"
    else:
        limit = f"{r['target'] * 1000:.0f} ms" if unit == "ms" else f"{r['target']:.0f} s"
        verdict = f"< {limit} {'OK' if r['median'] < r['target'] else 'OVER'}"
    return (
        f"{r['label']:50} {show(r['median'], unit)} {show(r['min'], unit)} {show(r['max'], unit)} {r['runs']:4d} "
        f"{r['queries']:7d} {show(r['sql'], unit)} {r['bytes']:8d}  {verdict}"
    )


def print_table(results: list[dict]) -> None:
    _common.print_table(
        f"{'request':50} {'median':>9} {'min':>9} {'max':>9} {'runs':>4} {'queries':>7} {'in SQL':>9} {'bytes':>8}"
        "  target",
        map(row, results),
        "median, min, max: the whole request, over the timed runs; queries: SQL queries of one request;\n"
        "in SQL: time spent in the database driver during one request (measured apart); bytes: response body",
    )


def main():
    args = parse_args()
    with _common.bench_environment("pilier-analysis-bench-", keep=args.keep, fresh_sqlite="analysis benchmark"):
        from django.conf import settings

        from pilier.accounts.models import ApiToken
        from pilier.clients.models import CareerLine, Client, Income
        from pilier.policies.insurers import normalise_policy_number
        from pilier.policies.models import Policy

        _common.settings_for_test_client()
        assert normalise_policy_number("ATHORA", "GV1000001").key == "GV1000001"

        migrate_seconds = _common.migrate()
        rng = random.Random(args.seed)
        numbers, policy_numbers = _common.NationalNumbers(rng), PolicyNumbers()
        started = time.perf_counter()
        office, user = set_up_office(
            "Courtage Analyse d'essai", "analysis.bench.pilier.be", args.clients - 1, rng, numbers, policy_numbers
        )
        full = set_up_full_file(office, user, numbers)  # the 10,000th file
        token = ApiToken.issue(user=user, name="bench")[1]
        small_office = small_user = None
        if args.small:
            small_office, small_user = set_up_office(
                "Courtage Petit d'essai", "small.analysis.bench.pilier.be", args.small, rng, numbers, policy_numbers
            )
        setup_seconds = time.perf_counter() - started

        def counts(of):
            return (
                Client.objects.filter(office=of).count(),
                CareerLine.objects.filter(client__office=of).count(),
                Income.objects.filter(client__office=of).count(),
                Policy.objects.filter(office=of).count(),
            )

        n_clients, n_lines, n_incomes, n_policies = counts(office)
        self_employed = Client.objects.filter(office=office, social_status__in=SELF_EMPLOYED).count()
        second = f"; a second office with {counts(small_office)[0]:,} files" if small_office else ""
        print(
            f"Database: SQLite {settings.DATABASES['default']['NAME']}\n"
            f"Set-up: migrate {migrate_seconds:.1f} s; office with {n_clients:,} files ({self_employed:,} "
            f"self-employed, directors or assisting spouses: the office view's files), {n_lines:,} career lines, "
            f"{n_incomes:,} incomes, {n_policies:,} policies{second}: {setup_seconds:.1f} s.\n"
            f"Logged in as {user.email} (staff). File page and API: {args.warmup} warm-up runs, then {args.runs} "
            f"timed runs each, round-robin; PDF: {args.pdf_runs} timed runs; office view: one request apart (the "
            f"queries), then {args.office_runs} timed runs.\n"
            f"{_common.load_average()}\n"
        )

        with Warnings() as pdf_warnings:
            results = measure_file(full, user, token, args)
        office_result = measure_office(user, args.office_runs)
        results.append(office_result)
        small_result = None
        if small_user is not None:
            small_result = measure_office(
                small_user, 1, label=f"office view, {args.small:,} files (queries)", target=None
            )
            results.append(small_result)
        print_table(results)

        rows = office_result["rows"]
        print(
            f"\nOffice view of {YEAR}: {rows['with room']:,} files with room left, {rows['no room left']:,} with "
            f"none left, {rows['need inputs']:,} that need inputs (main product: "
            + ", ".join(f"{key.upper()} {n:,}" for key, n in rows["products"].items())
            + ")."
        )
        pdfs = args.warmup + args.pdf_runs + 1
        for message, n in pdf_warnings.counts.items():
            print(f"WeasyPrint warned {n} times in {pdfs} PDFs: {message}")
        full_ok = full_file_check(full, token)
        same = True
        if small_result is not None:
            same = small_result["queries"] == office_result["queries"]
            print(
                f"Queries: office view of {args.clients:,} files {office_result['queries']} "
                f"{'=' if same else '!='} {args.small:,} files {small_result['queries']}: "
                + ("OK (the count does not grow with the number of files)." if same else "FAILED (a query per file?)")
            )
        over = office_result["median"] >= OFFICE_TARGET_S
        if args.profile:
            profile_office(user)
        elif over:
            print("Run with --profile for a cProfile of the office view.")
        if not same:
            raise SystemExit("FAILED: the office view's queries grow with the number of files.")
        if not full_ok:
            raise SystemExit("FAILED: the timed file lacks inputs: it does not measure a full analysis.")


if __name__ == "__main__":
    main()
