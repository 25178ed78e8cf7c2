"""What the three benchmarks of `make bench` share: the environment of a fresh database, Django's set-up, the
office and its staff, the generated people, the logged-in test client, the timings and the tables.

Imported as `import _common` by the scripts (run as `.venv/bin/python bench/<script>.py`, bench/ is then first on
sys.path), or as `from bench import _common` from the repository root. Django and pilier are imported inside the
functions: the environment must be set before settings are read.
"""

import contextlib
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
# The office's staff besides its admin (Anne Delvaux): (login, first name, last name, language).
STAFF = [
    ("claire", "Claire", "Renard", "fr"),
    ("joris", "Joris", "Vermeulen", "nl"),
    ("eva", "Éva", "Lambert", "fr"),
]
# The file made through the services in bench/run.py and bench/analysis_bench.py (birth date and the rest apart).
HELENE = {
    "last_name": "Lefèvre",
    "first_name": "Hélène",
    "language": "fr",
    "email": "helene.lefevre@example.be",
    "street": "Rue de la Station",
    "house_number": "12",
    "postcode": "5000",
    "municipality": "Namur",
    "client_number": "B-0042",
}


# The environment and Django ---------------------------------------------------------------------------------------


def configure_environment(prefix: str, *, fresh_sqlite: str = "") -> tuple[Path, bool]:
    """Environment for pilier.settings, before Django is imported (inherited by child processes): a temporary
    directory for PILIER_VAR_DIR, with a SQLite database in it unless DATABASE_URL is set.

    `fresh_sqlite` (the benchmark's name, for the note): always that fresh SQLite database and the file cache,
    whatever DATABASE_URL and CACHE_URL say (the targets are SQLite's). Returns (var dir, own database)."""
    if fresh_sqlite and os.environ.get("DATABASE_URL"):
        print(f"Note: DATABASE_URL is ignored here: the {fresh_sqlite} always uses a fresh SQLite database.")
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["PILIER_VAR_DIR"] = str(var_dir)
    own_database = bool(fresh_sqlite) or not os.environ.get("DATABASE_URL")
    if own_database:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"  # with DEBUG, Django would keep every query in memory
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    if fresh_sqlite:
        os.environ["DJANGO_SETTINGS_MODULE"] = "pilier.settings"
        os.environ.pop("CACHE_URL", None)  # the file cache under the temporary directory
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilier.settings")
    (var_dir / "static").mkdir()  # STATIC_ROOT: WhiteNoise warns when it does not exist
    return var_dir, own_database


def setup_django() -> None:
    """django.setup(), the repository root first on sys.path (for pilier)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextlib.contextmanager
def bench_environment(prefix: str, *, keep: bool, fresh_sqlite: str = ""):
    """configure_environment() and setup_django(); yields (var dir, own database). At the end the temporary
    directory is removed, unless `keep` and the database is the benchmark's own."""
    var_dir, own_database = configure_environment(prefix, fresh_sqlite=fresh_sqlite)
    try:
        setup_django()
        yield var_dir, own_database
    finally:
        if own_database and keep:
            print(f"Kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def settings_for_test_client() -> None:
    """Static files without WhiteNoise's manifest (no collectstatic), no HTTPS redirect, the test client's host."""
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        SECURE_SSL_REDIRECT=False,
        ALLOWED_HOSTS=["testserver"],
    ).enable()


def migrate() -> float:
    """The migrations, quietly; returns the seconds they took."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return time.perf_counter() - started


def load_average() -> str:
    return f"Load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."


# The office and its people ------------------------------------------------------------------------------------


def create_office(name: str, mail: str, staff=STAFF):
    """An office with its admin (Anne Delvaux, admin@`mail`) and `staff` (plain staff members, `login`@`mail`);
    returns (office, the staff members)."""
    from pilier.accounts.services import office_create, staff_create

    office = office_create(
        name=name, admin_email=f"admin@{mail}", admin_password=PASSWORD, first_name="Anne", last_name="Delvaux"
    )
    members = [
        staff_create(office=office, email=f"{login}@{mail}", password=PASSWORD, first_name=f, last_name=la, language=lg)
        for login, f, la, lg in staff
    ]
    return office, members


class NationalNumbers:
    """Valid, unique national numbers (NN) with the birth date and gender the rules read in them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self, born: datetime.date | None = None) -> tuple[str, datetime.date, str]:
        from pilier.clients import rules
        from pilier.clients.identifiers import national_number_for

        while True:
            day = born or datetime.date(1940, 1, 1) + datetime.timedelta(days=self.rng.randrange(65 * 365))
            serial = self.rng.randrange(1, 998)
            number = national_number_for(day, serial)
            if number not in self.used:
                self.used.add(number)
                identity = rules.identity(national_number=number)
                assert identity.birth_date is not None
                return number, identity.birth_date, identity.gender


def create_client(office, numbers: NationalNumbers, born: datetime.date, **fields):
    """A client made through the services (so with a history), with a new national number of `born` (the service
    takes the birth date and the gender from it)."""
    from pilier.clients import services

    number, _born, _gender = numbers.new(born)
    return services.client_create(office=office, national_number=number, **fields)


def make_people(office, managers, count: int, rng: random.Random, numbers: NationalNumbers):
    """`count` unsaved Client rows with every field that Client.save() would fill, as the rules want them (they
    are bulk-created: the services would take minutes)."""
    from django.core.exceptions import ValidationError

    from pilier.clients import rules
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
        try:
            rules.check_restricted(restricted=restricted, account_manager=account_manager, file_manager=file_manager)
        except ValidationError:  # a restricted file needs an assignee
            account_manager = rng.choice(managers)
        status = "" if rng.random() < 0.10 else rng.choice(statuses)
        social_status = rules.social_status(  # the company's data for a director only
            social_status=status,
            fiscal_year_start=datetime.date(2025, 1, 1),
            fiscal_year_end=datetime.date(2025, 12, 31),
            company_name=f"{last} & Associés SRL",
        )
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
                **social_status,
                search_name=search_key(last, first),
            )
        )
    return clients


# The requests -------------------------------------------------------------------------------------------------


def logged_in(user):
    """A test client with the session of `user` (force_login: no password check)."""
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return http


def check(response, label: str, expected: int = 200, content_type: str = ""):
    """The response, or SystemExit when its status (or its content type) is not the one expected."""
    if response.status_code != expected:
        body = response.content[:500].decode(errors="replace")
        raise SystemExit(f"{label}: status {response.status_code}, expected {expected}\n{body}")
    if content_type and not response["Content-Type"].startswith(content_type):
        raise SystemExit(f"{label}: {response['Content-Type']}, expected {content_type}")
    return response


def timed(request) -> tuple[float, object]:
    """(seconds, response) of one request."""
    started = time.perf_counter()
    response = request()
    return time.perf_counter() - started, response


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


def one_apart(request):
    """One request with its SQL captured and the time spent in the driver: (response, queries, seconds in SQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, SqlClock(connection) as clock:
        response = request()
    return response, list(queries.captured_queries), clock.seconds


# The figures --------------------------------------------------------------------------------------------------


def spread(values: list[float]) -> dict:
    """The median, p90, min and max of timed runs, and their number."""
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "p90": ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))],
        "min": ordered[0],
        "max": ordered[-1],
        "runs": len(ordered),
    }


def print_table(header: str, rows, note: str) -> None:
    """The header, a rule, the rows, a rule and the note below."""
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row)
    print("-" * len(header))
    print(note)


def profile_text(profiler, *listings) -> str:
    """The profile's listings, each (sort key, restrictions...) as pstats' sort_stats and print_stats take them."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    for key, *restrictions in listings:
        stats.sort_stats(key).print_stats(*restrictions)
    return out.getvalue()


def dump_profile(profiler, name: str) -> None:
    """The profile in the temporary directory (kept with --keep), for python -m pstats."""
    dump = Path(os.environ["PILIER_VAR_DIR"]) / name
    profiler.dump_stats(dump)
    print(f"The profile is in {dump} (with --keep): python -m pstats {dump}")
