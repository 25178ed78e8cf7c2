"""`make bench`: one office with 10,000 clients, median times of the main pages and the API.

Standalone: a fresh SQLite database in a temporary directory (removed at the end), unless
DATABASE_URL is set, in which case that database is used and a uniquely-named office is
created in it (and left there). Every request goes through the whole Django stack
(middleware, session, templates) with django.test.Client; no network, no web server.

Options: --clients N (10000), --runs N (50), --target MS (50), --sql (the queries of each
request), --profile (the queries and a cProfile of each request over the target), --keep.
See bench/README.md for what each figure measures.
"""

import argparse
import cProfile
import datetime
import random
import statistics
import time
import uuid
from decimal import Decimal

import _common  # bench/_common.py: bench/ is first on sys.path when this script runs

TARGET_MS = 50.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--target", type=float, default=TARGET_MS, help="target median in ms (default 50)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and database")
    parser.add_argument(
        "--profile", action="store_true", help="print the SQL and a cProfile of each request over the target"
    )
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request of each")
    return parser.parse_args()


def set_up(args, own_database: bool):
    """The office, its staff, the clients, a client with history, a big file, an API token."""
    from django.db import transaction

    from pilier.accounts.models import ApiToken
    from pilier.clients import services
    from pilier.clients.models import Client, SocialStatus

    rng = random.Random(2026)
    numbers = _common.NationalNumbers(rng)
    tag = "" if own_database else f" {uuid.uuid4().hex[:8]}"
    mail = "bench.pilier.be" if own_database else f"bench-{uuid.uuid4().hex[:8]}.pilier.be"

    started = time.perf_counter()
    office, staff = _common.create_office(f"Courtage Banc d'essai{tag}", mail)
    user = staff[0]  # the broker who browses: a plain staff member, manager of about a third of the files

    with transaction.atomic():
        batch = _common.make_people(office, staff, args.clients - 1, rng, numbers)
        for start in range(0, len(batch), 1000):
            Client.objects.bulk_create(batch[start : start + 1000], batch_size=500)

    # The file page's client: created and changed through the services, so it has a real history.
    client = _common.create_client(
        office, numbers, datetime.date(1985, 7, 30), **_common.HELENE, account_manager=staff[1]
    )
    changes = [
        {"phone": "+32 470 12 34 56"},
        {"file_manager": staff[2]},
        {"social_status": SocialStatus.EMPLOYEE},
        {"house_number": "14", "box": "2"},
        {"email": "h.lefevre@example.be"},
        {"account_manager": user},
        {"social_status": SocialStatus.SELF_EMPLOYED},
        {"street": "Avenue des Tilleuls", "house_number": "3", "box": ""},
        {"postcode": "1300", "municipality": "Wavre"},
        {
            "social_status": SocialStatus.COMPANY_DIRECTOR,
            "fiscal_year_start": datetime.date(2025, 1, 1),
            "fiscal_year_end": datetime.date(2025, 12, 31),
            "company_name": "Lefèvre Conseil SRL",
        },
        {"language": "nl"},
    ]
    for index, fields in enumerate(changes):
        client._history_user = staff[index % len(staff)]  # simple_history's author outside a request
        services.client_update(client=client, **fields)
    big = set_up_big_file(office, staff, user, numbers, rng)
    token = ApiToken.issue(user=user, name="bench")[1]
    elapsed = time.perf_counter() - started
    return office, user, client, big, token, numbers, elapsed


# The big file: 60 policies over the four sections and 40 career lines.
# fmt: off
BIG_POLICY_TYPES = (
    # (section, type, how many)
    ("pension", "plci", 4), ("pension", "plci_social", 2), ("pension", "eip", 4), ("pension", "cpti", 3),
    ("pension", "group_insurance", 4), ("pension", "inami", 3), ("pension", "pension_savings", 4),
    ("pension", "long_term_savings", 4), ("pension", "non_fiscal_savings", 3),
    ("disability", "guaranteed_income", 5), ("disability", "turnover_insurance", 4),
    ("death", "term_life", 4), ("death", "mortgage_life", 4),
    ("investment", "savings_insurance", 3), ("investment", "investment_insurance", 3),
    ("investment", "mixed_investment", 6),
)
GOALS = ["petits-enfants", "appartement à la mer", "croissance", "études des enfants", "pension anticipée"]
# Self-employed beside the job (combinable with employee), never two at once; the last one goes on.
SIDE_ACTIVITY = [(1996, 1997), (1999, 2000), (2002, 2003), (2005, 2006), (2010, 2011), (2012, 2013), (2015, 2016),
                 (2018, 2018), (2020, 2021), (2023, None)]
# fmt: on
BIG_POLICIES = sum(count for _section, _type, count in BIG_POLICY_TYPES)
BIG_CAREER_LINES = 40
SMALL_FILE = "client file  GET /clients/<uuid>/"
BIG_FILE = f"big file     GET /clients/<uuid>/ ({BIG_POLICIES}+{BIG_CAREER_LINES})"


def make_policies(client, rng: random.Random):
    """Unsaved Policy rows for `client`, with every field that the services would fill (number_key, main_group,
    one main policy per group)."""
    from pilier.policies.catalogue import TYPES
    from pilier.policies.insurers import insurers, normalise_policy_number
    from pilier.policies.models import PaymentFrequency, Policy, PolicyStatus

    generic = [i.code for i in insurers() if i.number_format == "generic" and i.code != "OTHER"]
    frequencies = [PaymentFrequency.YEARLY, PaymentFrequency.MONTHLY, PaymentFrequency.QUARTERLY]
    policies, main_groups = [], set()
    for section, kind, count in BIG_POLICY_TYPES:
        group = TYPES[kind].main_group
        for _ in range(count):
            index = len(policies)
            insurer = generic[index % len(generic)]
            number = f"BK{2026_0000 + index * 37}"  # letters and digits only: the generic key is the number
            assert normalise_policy_number(insurer, number).key == number
            start = datetime.date(1998 + index % 27, 1 + index % 12, 1)
            status = PolicyStatus.ACTIVE
            end = None
            if index % 10 == 7:
                status, end = PolicyStatus.TERMINATED, start + datetime.timedelta(days=365 * 3)
            elif index % 10 == 4:
                status = PolicyStatus.DORMANT
            premium = Decimal(rng.randrange(300, 4000))
            policies.append(
                Policy(
                    office=client.office,
                    client=client,
                    section=section,
                    type=kind,
                    insurer=insurer,
                    number=number,
                    number_key=number,
                    status=status,
                    start_date=start,
                    end_date=end,
                    annual_premium=premium,
                    payment_frequency=frequencies[index % len(frequencies)],
                    reserves=premium * rng.randrange(2, 20) if section in ("pension", "investment") else None,
                    reserves_date=datetime.date(2025, 12, 31) if section in ("pension", "investment") else None,
                    death_capital=Decimal(rng.randrange(50, 400) * 1000) if section == "death" else None,
                    disability_annual_benefit=Decimal(rng.randrange(12, 48) * 1000)
                    if section == "disability"
                    else None,
                    disability_waiting_days=30 if section == "disability" else None,
                    beneficiary="Le conjoint, à défaut les enfants" if section in ("pension", "death") else "",
                    managed=index % 9 != 5,
                    mandate=index % 3 == 0,
                    goal=rng.choice(GOALS) if section == "investment" else "",
                    main_group=group,
                    is_main=bool(group) and group not in main_groups,
                )
            )
            main_groups.add(group)
    return policies


def make_career_lines(client):
    """Unsaved CareerLine rows: studies, an employee line each year (one year missing: a gap), the current job
    ongoing, and self-employed activities beside the job that do not overlap one another."""
    from pilier.clients.models import CareerLine, CareerStatus

    lines = [CareerLine(client=client, from_year=1993, to_year=1995, status=CareerStatus.STUDENT)]
    employers = ["Proximus SA", "Delhaize Le Lion", "UCB Belgium", "Solvay SA", "Colruyt Group"]
    for year in range(1996, 2026):
        if year == 2009:
            continue  # no line: a gap on the timeline
        lines.append(
            CareerLine(
                client=client,
                from_year=year,
                to_year=year if year < 2025 else None,
                status=CareerStatus.EMPLOYEE,
                employer=employers[(year - 1996) // 6],
                gross_annual_income=Decimal(28000 + 1200 * (year - 1996)),
            )
        )
    for start, end in SIDE_ACTIVITY:
        lines.append(
            CareerLine(
                client=client,
                from_year=start,
                to_year=end,
                status=CareerStatus.SELF_EMPLOYED,
                employer="Lefèvre Conseil",
            )
        )
    return lines


def set_up_big_file(office, staff, user, numbers: _common.NationalNumbers, rng: random.Random):
    """A client with BIG_POLICIES policies and BIG_CAREER_LINES career lines (bulk_create, so without history rows),
    then a few changes to both through the services (history rows), as a broker would make them."""
    from django.db import transaction

    from pilier.clients import services
    from pilier.clients.models import CareerLine, SocialStatus
    from pilier.policies.models import Policy
    from pilier.policies.services import policy_update

    client = _common.create_client(
        office,
        numbers,
        datetime.date(1975, 3, 14),
        last_name="Vandenberghe",
        first_name="Pieter",
        language="nl",
        email="pieter.vandenberghe@example.be",
        street="Kerkstraat",
        house_number="41",
        postcode="9000",
        municipality="Gent",
        client_number="B-0060",
        account_manager=user,
        file_manager=staff[1],
        social_status=SocialStatus.SELF_EMPLOYED,
    )
    with transaction.atomic():
        Policy.objects.bulk_create(make_policies(client, rng))
        CareerLine.objects.bulk_create(make_career_lines(client))
    assert client.policies.count() == BIG_POLICIES and client.career_lines.count() == BIG_CAREER_LINES

    policies = list(client.policies.order_by("number"))
    for index, policy in enumerate(policies[:: len(policies) // 6]):  # 6 policies, one change each
        policy._history_user = staff[index % len(staff)]
        policy_update(policy=policy, annual_premium=policy.annual_premium + 120, notes="Indexation 2026")
    second_plci = client.policies.filter(main_group="plci", is_main=False).order_by("number").first()
    second_plci._history_user = user
    policy_update(policy=second_plci, is_main=True)  # the main PLCI moves to another policy
    for index, line in enumerate(client.career_lines.filter(status="employee").order_by("from_year")[::7]):
        line._history_user = staff[index % len(staff)]
        services.career_line_update(
            line=line, gross_annual_income=line.gross_annual_income + 500, various_employers=True
        )
    return client


def api_payloads(numbers: _common.NationalNumbers, user, rng: random.Random):
    while True:
        flemish = rng.random() < 0.5
        last = rng.choice(_common.LAST_NAMES)
        first = rng.choice(_common.FIRST_NAMES_NL if flemish else _common.FIRST_NAMES_FR)
        postcode, town = rng.choice(_common.TOWNS_NL if flemish else _common.TOWNS_FR)
        yield {
            "national_number": numbers.new()[0],
            "last_name": last,
            "first_name": first,
            "language": "nl" if flemish else "fr",
            "email": f"{uuid.uuid4().hex[:10]}@example.be",
            "phone": "+32 470 11 22 33",
            "address": {
                "street": "Kerkstraat" if flemish else "Rue du Moulin",
                "number": "7",
                "postcode": postcode,
                "municipality": town,
            },
            "account_manager": user.email,
            "social_status": {"code": "employee"},
        }


def scenarios(client, big, token, numbers, user):
    """(label, request, expected status): each request is a no-argument callable on a logged-in test client."""
    from django.test import Client as HttpClient

    http = _common.logged_in(user)
    api = HttpClient()  # no session: the bearer token only
    htmx = {"HX-Request": "true"}
    payloads = api_payloads(numbers, user, random.Random(7))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    detail = f"/clients/{client.pk}/"
    big_detail = f"/clients/{big.pk}/"

    return [
        ("client list  GET /clients/", lambda: http.get("/clients/", secure=False), 200),
        (
            "search name  GET /clients/?q=jans (htmx)",
            lambda: http.get("/clients/?q=jans", secure=False, headers=htmx),
            200,
        ),
        ("search name  GET /clients/?q=jans (page)", lambda: http.get("/clients/?q=jans", secure=False), 200),
        (
            "search NN    GET /clients/?q=85.07 (htmx)",
            lambda: http.get("/clients/?q=85.07", secure=False, headers=htmx),
            200,
        ),
        ("search NN    GET /clients/?q=85.07 (page)", lambda: http.get("/clients/?q=85.07", secure=False), 200),
        (SMALL_FILE, lambda: http.get(detail, secure=False), 200),
        (BIG_FILE, lambda: http.get(big_detail, secure=False), 200),
        (
            "API create   POST /api/v1/clients",
            lambda: api.post("/api/v1/clients", next(payloads), content_type="application/json", **bearer),
            201,
        ),
    ]


def measure(cases, warmup: int, runs: int) -> list[dict]:
    """Round-robin over the requests, so that a burst of load on the shared machine hits them all alike."""
    for label, request, expected in cases:
        for _ in range(warmup):
            _common.check(request(), label, expected)
    times = {label: [] for label, _request, _expected in cases}
    for _ in range(runs):
        for label, request, expected in cases:
            seconds, response = _common.timed(request)
            _common.check(response, label, expected)
            times[label].append(seconds * 1000)
    # Apart from the timed runs (capturing the SQL slows each query a little): the queries of
    # one request, and the median time spent in the database over a few requests.
    sql_times = {label: [] for label, _request, _expected in cases}
    captured, sizes = {}, {}
    for _ in range(max(5, runs // 5)):
        for label, request, expected in cases:
            response, queries, sql_seconds = _common.one_apart(request)
            _common.check(response, label, expected)
            sql_times[label].append(sql_seconds * 1000)
            captured.setdefault(label, queries)
            sizes[label] = len(response.content)
    results = []
    for label, _request, _expected in cases:
        results.append(
            {
                "label": label,
                **_common.spread(times[label]),
                "queries": len(captured[label]),
                "sql_ms": statistics.median(sql_times[label]),
                "sql": [q["sql"] for q in captured[label]],
                "bytes": sizes[label],
            }
        )
    return results


def print_table(results, target: float):
    _common.print_table(
        f"{'request':44} {'median':>8} {'p90':>8} {'min':>8} {'runs':>5} {'queries':>7} {'in SQL':>8} {'bytes':>6}"
        "  target",
        (
            f"{r['label']:44} {r['median']:6.1f}ms {r['p90']:6.1f}ms {r['min']:6.1f}ms {r['runs']:5d} "
            f"{r['queries']:7d} {r['sql_ms']:6.1f}ms {r['bytes']:6d}  < {target:.0f} ms "
            + ("OK" if r["median"] <= target else "OVER")
            for r in results
        ),
        "median, p90, min: whole request, over the timed runs; queries: SQL queries of one request;\n"
        "in SQL: median time spent in those queries (measured apart); bytes: size of the response body",
    )


def check_same_queries(results) -> bool:
    """The file page makes the same number of queries whatever the number of policies and career lines."""
    by_label = {r["label"]: r for r in results}
    small, big = by_label[SMALL_FILE]["queries"], by_label[BIG_FILE]["queries"]
    if small == big:
        print(f"Queries: big file {big} = small file {small}: OK (no query per policy or per career line).")
        return True
    print(f"Queries: big file {big} != small file {small}: FAILED (a query per row?); run with --sql to see them.")
    return False


def profile(label, request, expected, sql):
    print(f"\n== {label}: {len(sql)} SQL queries")
    for statement in sql:
        print(f"  {statement[:300]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        _common.check(request(), label, expected)
    profiler.disable()
    print(
        _common.profile_text(profiler, ("tottime", 20), ("cumulative", r"pilier/|django/(template|db/models/sql)", 25))
    )


def main():
    args = parse_args()
    with _common.bench_environment("pilier-bench-", keep=args.keep) as (_var_dir, own_database):
        from django.conf import settings
        from django.db import connection

        if not own_database:
            print(
                f"WARNING: DATABASE_URL is set: the benchmark writes to that database ({connection.vendor}, "
                f"{settings.DATABASES['default']['NAME']}) and leaves a new office with {args.clients} clients in it."
            )
        _common.settings_for_test_client()

        migrate_seconds = _common.migrate()
        office, user, client, big, token, numbers, setup_seconds = set_up(args, own_database)
        print(
            f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}\n"
            f"Set-up: migrate {migrate_seconds:.1f} s; office {office.name!r} with {office.clients.count()} clients, "
            f"4 staff, a file with {client.history.count()} history rows, a big file with {big.policies.count()} "
            f"policies and {big.career_lines.count()} career lines: {setup_seconds:.1f} s\n"
            f"Logged in as {user.email} (staff). {args.warmup} warm-up runs, then {args.runs} timed runs each, "
            f"round-robin. {_common.load_average()}\n"
        )

        results = measure(scenarios(client, big, token, numbers, user), args.warmup, args.runs)
        print_table(results, args.target)
        same_queries = check_same_queries(results)

        over = [r for r in results if r["median"] > args.target]
        if args.sql:
            for r in results:
                print(f"\n== {r['label']}: {r['queries']} SQL queries")
                for statement in r["sql"]:
                    print(f"  {statement[:400]}")
        if args.profile:
            for (label, request, expected), r in zip(
                scenarios(client, big, token, numbers, user), results, strict=True
            ):
                if r["median"] > args.target:
                    profile(label, request, expected, r["sql"])
        print(f"\n{len(results) - len(over)}/{len(results)} under the {args.target:.0f} ms target (medians).")
        if over and not args.profile:
            print("Run with --profile for the SQL and a cProfile of each request over the target.")
        if not same_queries:
            raise SystemExit("FAILED: the big file does not make as many queries as the small one.")


if __name__ == "__main__":
    main()
