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
import io
import os
import pstats
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0
PASSWORD = "bench-" + secrets.token_urlsafe(12)  # only for the staff created here; they log in with force_login

# fmt: off
LAST_NAMES = [
    # Wallonia and Brussels
    "Dubois", "Lambert", "Dupont", "Martin", "Simon", "Lefèvre", "Lejeune", "Renard", "Leclercq", "Hubert",
    "Gérard", "François", "Lemaire", "Lecomte", "Noël", "Thiry", "Fontaine", "Maréchal", "Rousseau", "Dumont",
    "Léonard", "Poncelet", "Bastin", "Delvaux", "Collignon", "Bodart", "Mathieu", "Delhaye", "Lhoest", "Piérard",
    "Deprez", "Jacquet", "Henrard", "Defossé", "Wathelet", "Gillet", "Lecocq", "Hennebert", "Dethier", "Bériot",
    # Flanders
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
    "Hermans", "Van den Broeck", "Vermeulen", "De Backer", "Verstraete", "Van Damme", "Claessens", "Pauwels",
    "Michiels", "Declercq", "Cools", "Vandenberghe", "Dewulf", "Geerts", "Stevens", "Wauters", "Lenaerts", "Aerts",
    "Smets", "Segers", "Hendrickx", "De Meyer", "Van Acker", "Dierickx", "Van de Velde", "Desmet", "Coppens",
    "Van Hoof", "Verbeke", "Bogaerts", "Martens", "Van Dyck", "Sterckx", "Vercammen", "D'Hondt", "Vanderstraeten",
]
FIRST_NAMES_FR = [
    "Marc", "Sophie", "Olivier", "Isabelle", "Julie", "Nathalie", "Éric", "Hélène", "François", "Cécile",
    "Jérôme", "Valérie", "Benoît", "Anne", "Michaël", "Aurélie", "Stéphane", "Céline", "Thierry", "Noémie",
    "Frédéric", "Chloé", "Grégory", "Mélanie", "Sébastien", "Élise", "Jean-Pierre", "Marie-Claire", "Loïc", "Zoé",
]
FIRST_NAMES_NL = [
    "An", "Koen", "Els", "Pieter", "Tom", "Bart", "Sofie", "Wouter", "Lies", "Jan", "Katrien", "Stijn", "Joris",
    "Griet", "Dirk", "Eline", "Jens", "Ine", "Wim", "Hanne", "Maarten", "Leen", "Geert", "Liesbeth", "Thijs",
    "Annelies", "Sander", "Sien", "Bram", "Noor",
]
TOWNS_FR = [("1300", "Wavre"), ("4000", "Liège"), ("5000", "Namur"), ("6000", "Charleroi"), ("7000", "Mons"),
            ("1348", "Louvain-la-Neuve"), ("6700", "Arlon"), ("4800", "Verviers"), ("1050", "Ixelles")]
TOWNS_NL = [("9000", "Gent"), ("3000", "Leuven"), ("2000", "Antwerpen"), ("8000", "Brugge"), ("3500", "Hasselt"),
            ("2800", "Mechelen"), ("8500", "Kortrijk"), ("9300", "Aalst"), ("1090", "Jette")]
# fmt: on
STREETS_FR = [
    "Rue de la Station",
    "Avenue des Tilleuls",
    "Chaussée de Bruxelles",
    "Rue du Moulin",
    "Place Saint-Aubain",
]
STREETS_NL = ["Stationsstraat", "Kerkstraat", "Molenstraat", "Dorpsplein", "Lindenlaan"]


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


def configure_environment() -> tuple[Path, bool]:
    """Environment for pilier.settings, before Django is imported. Returns (var dir, own database)."""
    var_dir = Path(tempfile.mkdtemp(prefix="pilier-bench-"))
    os.environ["PILIER_VAR_DIR"] = str(var_dir)
    own_database = not os.environ.get("DATABASE_URL")
    if own_database:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilier.settings")
    (var_dir / "static").mkdir()  # STATIC_ROOT: WhiteNoise warns when it does not exist
    sys.path.insert(0, str(ROOT))
    return var_dir, own_database


class NationalNumbers:
    """Valid, unique national numbers (NN) with their birth date and gender."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self, born: datetime.date | None = None) -> tuple[str, datetime.date, str]:
        from pilier.clients.identifiers import national_number_for

        while True:
            day = born or datetime.date(1940, 1, 1) + datetime.timedelta(days=self.rng.randrange(65 * 365))
            serial = self.rng.randrange(1, 998)
            number = national_number_for(day, serial)
            if number not in self.used:
                self.used.add(number)
                return number, day, "M" if serial % 2 else "F"


def make_people(office, managers, count: int, rng: random.Random, numbers: NationalNumbers):
    """`count` unsaved Client rows with every field that Client.save() would fill."""
    from pilier.clients.identifiers import PLACEHOLDER, digits
    from pilier.clients.models import Client, SocialStatus, search_key

    statuses = [s.value for s in SocialStatus]
    clients = []
    for index in range(count):
        flemish = rng.random() < 0.55
        last = rng.choice(LAST_NAMES)
        first = rng.choice(FIRST_NAMES_NL if flemish else FIRST_NAMES_FR)
        if rng.random() < 0.02:  # not known yet: the placeholder, provisional
            national_number, born, gender = PLACEHOLDER, None, "X"
        else:
            national_number, born, gender = numbers.new()
        postcode, town = rng.choice(TOWNS_NL if flemish else TOWNS_FR)
        account_manager = rng.choice(managers) if rng.random() < 0.9 else None
        file_manager = rng.choice(managers) if rng.random() < 0.7 else None
        restricted = rng.random() < 0.05
        if restricted and not (account_manager or file_manager):
            account_manager = rng.choice(managers)
        status = "" if rng.random() < 0.10 else rng.choice(statuses)
        director = status == SocialStatus.COMPANY_DIRECTOR
        clients.append(
            Client(
                office=office,
                client_number=f"C{100000 + index}" if rng.random() < 0.6 else "",
                national_number=national_number,
                national_number_provisional=national_number == PLACEHOLDER,
                national_number_digits=digits(national_number),
                last_name=last,
                first_name=first,
                birth_date=born,
                gender=gender,
                language="nl" if flemish else "fr",
                email=f"{search_key(first).replace(' ', '')}.{index}@example.be" if rng.random() < 0.8 else "",
                phone=f"+32 4{rng.randrange(70, 100)} {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
                f"{rng.randrange(10, 100)}",
                street=rng.choice(STREETS_NL if flemish else STREETS_FR),
                house_number=str(rng.randrange(1, 250)),
                box=str(rng.randrange(1, 20)) if rng.random() < 0.15 else "",
                postcode=postcode,
                municipality=town,
                country="BE",
                account_manager=account_manager,
                file_manager=file_manager,
                restricted_access=restricted,
                social_status=status,
                fiscal_year_start=datetime.date(2025, 1, 1) if director else None,
                fiscal_year_end=datetime.date(2025, 12, 31) if director else None,
                company_name=f"{last} & Associés SRL" if director else "",
                search_name=search_key(last, first),
            )
        )
    return clients


def set_up(args, own_database: bool):
    """The office, its staff, the clients, a client with history, a big file, an API token."""
    from django.db import transaction

    from pilier.accounts.models import ApiToken
    from pilier.accounts.services import office_create, staff_create
    from pilier.clients import services
    from pilier.clients.models import Client, SocialStatus

    rng = random.Random(2026)
    numbers = NationalNumbers(rng)
    tag = "" if own_database else f" {uuid.uuid4().hex[:8]}"
    mail = "bench.pilier.be" if own_database else f"bench-{uuid.uuid4().hex[:8]}.pilier.be"

    started = time.perf_counter()
    office = office_create(
        name=f"Courtage Banc d'essai{tag}",
        admin_email=f"admin@{mail}",
        admin_password=PASSWORD,
        first_name="Anne",
        last_name="Delvaux",
    )
    people = [
        ("claire", "Claire", "Renard", "fr"),
        ("joris", "Joris", "Vermeulen", "nl"),
        ("eva", "Éva", "Lambert", "fr"),
    ]
    staff = [
        staff_create(office=office, email=f"{login}@{mail}", password=PASSWORD, first_name=f, last_name=la, language=lg)
        for login, f, la, lg in people
    ]
    user = staff[0]  # the broker who browses: a plain staff member, manager of about a third of the files

    with transaction.atomic():
        batch = make_people(office, staff, args.clients - 1, rng, numbers)
        for start in range(0, len(batch), 1000):
            Client.objects.bulk_create(batch[start : start + 1000], batch_size=500)

    # The file page's client: created and changed through the services, so it has a real history.
    number, born, gender = numbers.new(datetime.date(1985, 7, 30))
    client = services.client_create(
        office=office,
        last_name="Lefèvre",
        first_name="Hélène",
        national_number=number,
        birth_date=born,
        gender=gender,
        language="fr",
        email="helene.lefevre@example.be",
        street="Rue de la Station",
        house_number="12",
        postcode="5000",
        municipality="Namur",
        client_number="B-0042",
        account_manager=staff[1],
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


def set_up_big_file(office, staff, user, numbers: NationalNumbers, rng: random.Random):
    """A client with BIG_POLICIES policies and BIG_CAREER_LINES career lines (bulk_create, so without history rows),
    then a few changes to both through the services (history rows), as a broker would make them."""
    from django.db import transaction

    from pilier.clients import services
    from pilier.clients.models import CareerLine, SocialStatus
    from pilier.policies.models import Policy
    from pilier.policies.services import policy_update

    number, born, gender = numbers.new(datetime.date(1975, 3, 14))
    client = services.client_create(
        office=office,
        last_name="Vandenberghe",
        first_name="Pieter",
        national_number=number,
        birth_date=born,
        gender=gender,
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


def api_payloads(numbers: NationalNumbers, user, rng: random.Random):
    while True:
        flemish = rng.random() < 0.5
        last = rng.choice(LAST_NAMES)
        first = rng.choice(FIRST_NAMES_NL if flemish else FIRST_NAMES_FR)
        postcode, town = rng.choice(TOWNS_NL if flemish else TOWNS_FR)
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

    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
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


def check(response, expected: int, label: str):
    if response.status_code != expected:
        body = response.content[:500].decode(errors="replace")
        raise SystemExit(f"{label}: status {response.status_code}, expected {expected}\n{body}")
    return response


class SqlClock:
    """Time spent in the database driver: execute() and the fetches that follow it.

    SQLite computes a SELECT's rows lazily while they are fetched, so the execute() time alone
    (what connection.queries reports) can miss most of the work; the fetch methods of Django's
    cursor wrapper are timed too, for the duration of the block only.
    """

    FETCHES = ("fetchone", "fetchmany", "fetchall")

    def __init__(self, connection):
        self.connection = connection
        self.seconds = 0.0

    def _execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started

    def _timed_fetch(self, name):
        clock = self

        def fetch(wrapper, *args):
            started = time.perf_counter()
            try:
                with wrapper.db.wrap_database_errors:
                    return getattr(wrapper.cursor, name)(*args)
            finally:
                clock.seconds += time.perf_counter() - started

        return fetch

    def __enter__(self):
        from django.db.backends.utils import CursorWrapper

        self._wrapper = self.connection.execute_wrapper(self._execute)
        self._wrapper.__enter__()
        for name in self.FETCHES:
            setattr(CursorWrapper, name, self._timed_fetch(name))
        return self

    def __exit__(self, *exc):
        from django.db.backends.utils import CursorWrapper

        for name in self.FETCHES:
            delattr(CursorWrapper, name)  # back to CursorWrapper.__getattr__
        return self._wrapper.__exit__(*exc)


def timed(request, expected: int, label: str) -> float:
    started = time.perf_counter()
    response = request()
    elapsed = (time.perf_counter() - started) * 1000
    check(response, expected, label)
    return elapsed


def measure(cases, warmup: int, runs: int) -> list[dict]:
    """Round-robin over the requests, so that a burst of load on the shared machine hits them all alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for label, request, expected in cases:
        for _ in range(warmup):
            check(request(), expected, label)
    times = {label: [] for label, _request, _expected in cases}
    for _ in range(runs):
        for label, request, expected in cases:
            times[label].append(timed(request, expected, label))
    # Apart from the timed runs (capturing the SQL slows each query a little): the queries of
    # one request, and the median time spent in the database over a few requests.
    sql_times = {label: [] for label, _request, _expected in cases}
    captured, sizes = {}, {}
    for _ in range(max(5, runs // 5)):
        for label, request, expected in cases:
            with CaptureQueriesContext(connection) as queries, SqlClock(connection) as clock:
                response = check(request(), expected, label)
            sql_times[label].append(clock.seconds * 1000)
            captured.setdefault(label, list(queries.captured_queries))
            sizes[label] = len(response.content)
    results = []
    for label, _request, _expected in cases:
        runs_ms = sorted(times[label])
        results.append(
            {
                "label": label,
                "median": statistics.median(runs_ms),
                "p90": runs_ms[min(len(runs_ms) - 1, round(0.9 * (len(runs_ms) - 1)))],
                "min": runs_ms[0],
                "runs": len(runs_ms),
                "queries": len(captured[label]),
                "sql_ms": statistics.median(sql_times[label]),
                "sql": [q["sql"] for q in captured[label]],
                "bytes": sizes[label],
            }
        )
    return results


def print_table(results, target: float):
    header = (
        f"{'request':44} {'median':>8} {'p90':>8} {'min':>8} {'runs':>5} {'queries':>7} {'in SQL':>8} {'bytes':>6}"
        "  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        verdict = "OK" if r["median"] <= target else "OVER"
        print(
            f"{r['label']:44} {r['median']:6.1f}ms {r['p90']:6.1f}ms {r['min']:6.1f}ms {r['runs']:5d} "
            f"{r['queries']:7d} {r['sql_ms']:6.1f}ms {r['bytes']:6d}  < {target:.0f} ms {verdict}"
        )
    print("-" * len(header))
    print(
        "median, p90, min: whole request, over the timed runs; queries: SQL queries of one request;\n"
        "in SQL: median time spent in those queries (measured apart); bytes: size of the response body"
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
        check(request(), expected, label)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(r"pilier/|django/(template|db/models/sql)", 25)
    print(out.getvalue())


def main():
    args = parse_args()
    var_dir, own_database = configure_environment()
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import override_settings

        if not own_database:
            print(
                f"WARNING: DATABASE_URL is set: the benchmark writes to that database ({connection.vendor}, "
                f"{settings.DATABASES['default']['NAME']}) and leaves a new office with {args.clients} clients in it."
            )
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            SECURE_SSL_REDIRECT=False,
        ).enable()

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_seconds = time.perf_counter() - started
        office, user, client, big, token, numbers, setup_seconds = set_up(args, own_database)
        print(
            f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}\n"
            f"Set-up: migrate {migrate_seconds:.1f} s; office {office.name!r} with {office.clients.count()} clients, "
            f"4 staff, a file with {client.history.count()} history rows, a big file with {big.policies.count()} "
            f"policies and {big.career_lines.count()} career lines: {setup_seconds:.1f} s\n"
            f"Logged in as {user.email} (staff). {args.warmup} warm-up runs, then {args.runs} timed runs each, "
            f"round-robin. Load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.\n"
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
    finally:
        if own_database and args.keep:
            print(f"Kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
