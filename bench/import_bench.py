"""`make bench`, second part: a portfolio import of 100,000 records against the executemany floor.

Standalone: a fresh SQLite database in a temporary directory (removed at the end), always, even when
DATABASE_URL is set (the targets are SQLite's). One office with 20,000 clients and 40,000 policies
(bulk_create), a CSV file written on disk record by record (updates, unchanged, creations, unmatched
and a few hundred invalid records), then:

- the import, run as `manage.py import_portfolio` runs it (an ImportRun row with the file, then
  pilier.couplings.jobs.run_import in the foreground), in a fresh Python process so that its memory is its own:
  wall-clock time and peak RSS growth; then the same file again (nothing to do); --runs times (3),
  each on a fresh copy of the office: the median time, the largest memory growth;
- the floor: the same file read with the csv module and inserted with executemany into a bare table
  (15 text columns) of another SQLite file, in one transaction; --floor-runs times (5): the median;
- the first import again on a copy of the database taken before it, under tracemalloc (peak of the
  Python allocations; slower, so not timed), and with --profile under cProfile.

Options: --records N (100000), --clients N (20000), --policies N (40000), --invalid N (300),
--runs N (3), --floor-runs N (5), --profile, --no-tracemalloc, --keep, --seed N. See bench/README.md for
what each figure measures.
"""

import argparse
import csv
import datetime
import gc
import itertools
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import _common  # bench/_common.py: bench/ is first on sys.path when this script runs

TARGET_RATE = 10_000  # records per second, at least
TARGET_RATIO = 10.0  # import time / floor time, at most
TARGET_MB = 300.0  # peak RSS growth of the import, under
INSURERS = ("AG", "ALLIANZ", "AXA", "ERGO", "NN", "ATHORA", "BALOISE", "VIVIUM")
COUNTS = ("created", "updated", "unchanged", "unmatched", "rejected")


class Style(NamedTuple):
    """How an insurer writes national numbers, dates and amounts in its files."""

    nn_digits: bool  # 85073003328 rather than 85.07.30-033.28
    dmy_dates: bool  # 30/07/1985 rather than 1985-07-30
    decimal_comma: bool  # 2451,50 rather than 2451.50


STYLES = {
    "AG": Style(True, False, False),
    "ALLIANZ": Style(False, False, False),
    "AXA": Style(True, True, True),
    "ERGO": Style(False, True, False),
    "NN": Style(True, False, False),
    "ATHORA": Style(False, False, True),
    "BALOISE": Style(False, True, True),
    "VIVIUM": Style(True, False, False),
}
MAIL = "import-bench.pilier.be"
ADMIN_EMAIL = f"admin@{MAIL}"
MB = 1024 * 1024
TODAY = datetime.date(2026, 1, 1)
# The insurer's fields of a policy (pilier.policies.models.INSURER_FIELDS).
STORED = ("status", "start_date", "end_date", "annual_premium", "reserves", "reserves_date", "death_capital")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--policies", type=int, default=40_000)
    parser.add_argument("--invalid", type=int, default=300, help="invalid records in the file (rejected)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3, help="timed imports (each on a fresh copy): their median")
    parser.add_argument("--floor-runs", type=int, default=5, help="floor measurements: their median")
    parser.add_argument("--profile", action="store_true", help="also run the import under cProfile and print it")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory, database and file")
    # Internal: one import in a fresh process (see run_child).
    parser.add_argument(
        "--saves",
        action="store_true",
        help="also run the import once while a broker saves a client every 100 ms: the saves' latency",
    )
    parser.add_argument("--child", choices=("timed", "traced", "profile", "saves"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args()


# Memory -------------------------------------------------------------------------------------------------------


def _status_kb(name: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_bytes() -> int:
    kb = _status_kb("VmRSS")
    if kb is None:  # not Linux: the peak so far is the best we have
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def reset_peak_rss() -> bool:
    """Linux: VmHWM starts again from the current RSS (clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


# The office ---------------------------------------------------------------------------------------------------


class Numbers:
    """Policy numbers of one insurer, never twice: (display form, key, form written in the insurer's file)."""

    def __init__(self):
        self.serials = {code: itertools.count(1) for code in INSURERS}

    @staticmethod
    def raw(code: str, serial: int) -> str:
        if code == "NN":
            return f"{3_000_000_000 + serial * 13:010d}"
        if code == "AXA":
            return f"{10_000_000_000 + serial * 17:012d}"
        if code == "ERGO":  # a main account and its sub-accounts R01-R03: each one a policy
            return f"{330_000_000 + serial // 3}-R{serial % 3 + 1:02d}"
        if code == "AG":  # one in ten in the new platform's 12-digit form
            return f"{3_000_000_000 + serial:012d}" if serial % 10 == 0 else f"{11_000_000 + serial * 3}"
        if code == "ALLIANZ":
            return f"BCUD{3_912_106 + serial:08d}00"
        if code == "ATHORA":
            return f"GV{172_328 + serial}"
        if code == "BALOISE":
            return f"1A{6_708 + serial:06d}"
        return f"{5_500_000_000 + serial * 11}"  # VIVIUM

    @staticmethod
    def in_file(code: str, display: str, key: str) -> str:
        """As the insurer writes it in its own data: NN and Ergo without the dash, AXA with its "AX" prefix."""
        if code in ("NN", "ERGO", "AG"):
            return key
        if code == "AXA":
            return "AX" + key
        return display

    def new(self, code: str) -> tuple[str, str, str]:
        from pilier.policies.insurers import normalise_policy_number, policy_number_key

        number = normalise_policy_number(code, self.raw(code, next(self.serials[code])))
        written = self.in_file(code, number.number, number.key)
        assert policy_number_key(code, written) == number.key, (code, written, number)
        return number.number, number.key, written


def policy_values(kind, rng: random.Random) -> dict:
    """The insurer's fields of a policy of type `kind` (pilier.policies.catalogue.PolicyType)."""
    start = datetime.date(1995 + rng.randrange(31), 1 + rng.randrange(12), 1)
    roll = rng.random()
    status, end = "active", None
    if roll < 0.05:
        status, end = "terminated", min(start + datetime.timedelta(days=365 * rng.randrange(1, 15)), TODAY)
    elif roll < 0.15:
        status = "dormant"
    elif kind.section == "pension" and roll < 0.6:
        end = datetime.date(start.year + rng.randrange(15, 36), start.month, 1)  # at the pension age
    saving = kind.section in ("pension", "investment")
    return {
        "status": status,
        "start_date": start,
        "end_date": end,
        "annual_premium": Decimal(f"{rng.randrange(300, 5000)}.{rng.randrange(100):02d}"),
        "reserves": Decimal(f"{rng.randrange(1000, 250_000)}.{rng.randrange(100):02d}") if saving else None,
        "reserves_date": datetime.date(2025, 12, 31) if saving else None,
        "death_capital": Decimal(rng.randrange(25, 400) * 1000)
        if kind.section == "death" or rng.random() < 0.2
        else None,
    }


def set_up(args, rng: random.Random):
    """The office, its clients and their policies (bulk_create, as the services would store them)."""
    from django.db import transaction

    from pilier.accounts.models import User
    from pilier.clients.models import Client
    from pilier.policies.catalogue import TYPES
    from pilier.policies.models import PaymentFrequency, Policy

    numbers = _common.NationalNumbers(rng)
    office, _staff = _common.create_office("Courtage Import d'essai", MAIL, staff=())
    admin = User.objects.get(email=ADMIN_EMAIL)
    clients = _common.make_people(office, [admin], args.clients, rng, numbers)
    kinds = list(TYPES.values())
    policy_numbers = Numbers()
    policies, mains = [], set()
    # Every client has policies//clients of them, a few one more.
    owners = list(range(len(clients))) * (args.policies // len(clients))
    owners += rng.sample(range(len(clients)), args.policies % len(clients))
    for owner in owners:
        client = clients[owner]
        kind = rng.choice(kinds)
        code = rng.choice(INSURERS)
        display, key, written = policy_numbers.new(code)
        group = kind.main_group
        policy = Policy(
            office=office,
            client=client,
            section=kind.section,
            type=kind.code,
            insurer=code,
            number=display,
            number_key=key,
            main_group=group,
            is_main=bool(group) and (client.pk, group) not in mains,
            payment_frequency=rng.choice([PaymentFrequency.YEARLY, PaymentFrequency.MONTHLY]),
            managed=rng.random() < 0.9,
            mandate=rng.random() < 0.7,
            **policy_values(kind, rng),
        )
        policy.written = written  # the number as the insurer's file writes it
        if group:
            mains.add((client.pk, group))
        policies.append(policy)
    with transaction.atomic():
        for start in range(0, len(clients), 2000):
            Client.objects.bulk_create(clients[start : start + 2000], batch_size=500)
        for start in range(0, len(policies), 2000):
            Policy.objects.bulk_create(policies[start : start + 2000], batch_size=500)
    return office, admin, clients, policies, numbers, policy_numbers


# The file -----------------------------------------------------------------------------------------------------


def plan(args) -> dict:
    """How many records of each kind: each existing policy named at most once, updates:unchanged 2:1,
    creations:unmatched 25:15 (see bench/README.md)."""
    matched = min(args.policies, round(args.records * 0.6))
    updated = round(matched * 2 / 3)
    rest = args.records - matched - args.invalid
    if rest < 0:
        raise SystemExit("--records is too small for --policies and --invalid")
    created = round(rest * 25 / 40)
    return {
        "created": created,
        "updated": updated,
        "unchanged": matched - updated,
        "unmatched": rest - created,
        "rejected": args.invalid,
    }


class FileWriter:
    """Records as an insurer's portfolio file writes them (pilier.couplings.portfolio.records.FIELDS)."""

    def __init__(self, rng, clients, policies, numbers, policy_numbers):
        from pilier.policies.catalogue import TYPES

        self.rng, self.numbers, self.policy_numbers = rng, numbers, policy_numbers
        self.types = TYPES
        self.kinds = list(TYPES.values())
        self.clients = {c.pk: c for c in clients}
        self.known = [c for c in clients if not c.national_number_provisional]
        self.policies = policies
        self.style = STYLES["NN"]

    # Values, written the way of the insurer of the record being written (self.style).

    def date(self, value) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y") if self.style.dmy_dates else value.isoformat()

    def amount(self, value) -> str:
        if value is None:
            return ""
        text = f"{value:.2f}"
        return text.replace(".", ",") if self.style.decimal_comma else text

    def national_number(self, formatted: str) -> str:
        return formatted.replace(".", "").replace("-", "") if self.style.nn_digits else formatted

    def holder(self, client) -> dict:
        known = not client.national_number_provisional
        return {
            "holder_national_number": self.national_number(client.national_number) if known else "",
            "holder_last_name": client.last_name,
            "holder_first_name": client.first_name,
            "holder_birth_date": self.date(client.birth_date) if known and self.rng.random() < 0.3 else "",
        }

    def stranger(self, *, national_number: bool) -> dict:
        number, born, _gender = self.numbers.new()
        return {
            "holder_national_number": self.national_number(number) if national_number else "",
            "holder_last_name": self.rng.choice(["Peeters", "Dubois", "Maes", "Lambert", "Claes"]),
            "holder_first_name": self.rng.choice(["An", "Marc", "Els", "Sophie", "Koen"]),
            "holder_birth_date": "",
        }

    def values(self, values: dict) -> dict:
        return {
            "status": values["status"],
            "start_date": self.date(values["start_date"]),
            "end_date": self.date(values["end_date"]),
            "annual_premium": self.amount(values["annual_premium"]),
            "reserves": self.amount(values["reserves"]),
            "reserves_date": self.date(values["reserves_date"]),
            "death_capital": self.amount(values["death_capital"]),
        }

    def type(self, code: str) -> str:
        return "138" if code == "plci" and self.rng.random() < 0.3 else code  # Telebib X058 for a PLCI

    @staticmethod
    def stored(policy) -> dict:
        return {name: getattr(policy, name) for name in STORED}

    # The kinds of record.

    def existing(self, policy, values: dict) -> dict:
        self.style = STYLES[policy.insurer]
        return {
            "insurer": policy.insurer,
            "policy_number": policy.written,
            "type": self.type(policy.type),
            **self.holder(self.clients[policy.client_id]),
            **self.values(values),
            "mandate": "yes" if policy.mandate else "no",
        }

    def update(self, policy) -> dict:
        values = self.stored(policy)
        values["annual_premium"] = (values["annual_premium"] * Decimal("1.02")).quantize(Decimal("0.01"))
        if values["reserves"] is not None:
            values["reserves"] = (values["reserves"] * Decimal("1.03") + values["annual_premium"]).quantize(
                Decimal("0.01")
            )
            values["reserves_date"] = datetime.date(2026, 12, 31)
        if values["status"] == "active" and self.rng.random() < 0.03:
            values["status"] = "dormant"
        return self.existing(policy, values)

    def unchanged(self, policy) -> dict:
        values = self.stored(policy)
        if self.rng.random() < 0.1:  # an empty field says nothing: still unchanged
            values["reserves"] = values["death_capital"] = None
        return self.existing(policy, values)

    def created(self) -> dict:
        kind = self.rng.choice(self.kinds)
        code = self.rng.choice(INSURERS)
        self.style = STYLES[code]
        return {
            "insurer": code,
            "policy_number": self.policy_numbers.new(code)[2],
            "type": self.type(kind.code),
            **self.holder(self.rng.choice(self.known)),
            **self.values(policy_values(kind, self.rng)),
            "mandate": self.rng.choice(["yes", "oui", "ja", "1", "Y"]),
        }

    def unmatched(self) -> dict:
        record = self.created()
        roll = self.rng.random()
        if roll < 0.5:  # no mandate: an existing client, someone else, or nobody named
            record["mandate"] = self.rng.choice(["no", "non", "nee", "0", ""])
            if roll < 0.25:
                return record
            record.update(self.stranger(national_number=roll < 0.4))
        else:  # a mandate, but no client file with that national number (or none given)
            record.update(self.stranger(national_number=roll < 0.9))
        return record

    def invalid(self, index: int) -> dict:
        from pilier.clients.identifiers import InvalidNationalNumber, parse_national_number

        record = self.created()
        client = self.rng.choice(self.known)
        which = index % 12
        if which == 0:
            record["insurer"] = "ACME"
        elif which == 1:
            record["policy_number"] = "--/--"
        elif which == 2:
            record["type"] = "car"
        elif which == 3:
            record["status"] = "lapsed"
        elif which == 4:  # a national number whose check digits are wrong
            digits = client.national_number_digits
            for check in range(97):
                candidate = f"{digits[:9]}{check:02d}"
                try:
                    parse_national_number(candidate)
                except InvalidNationalNumber:
                    record["holder_national_number"] = candidate
                    break
        elif which == 5:
            record["start_date"] = "31/02/2020"
        elif which == 6:
            record["annual_premium"] = "12a4.50"
        elif which == 7:
            record["start_date"], record["end_date"] = "2020-06-01", "2019-06-01"
        elif which == 8:
            record["mandate"] = "maybe"
        elif which == 9:
            record["holder_national_number"] = client.national_number
            record["holder_birth_date"] = (client.birth_date + datetime.timedelta(days=1)).isoformat()
        elif which == 10:  # a creation whose number cannot be NN's (rejected when the policy is made)
            record.update(insurer="NN", policy_number=f"{40_000_000 + index}", **self.holder(client))
        else:  # an Ergo number without its sub-account, likewise
            record.update(insurer="ERGO", policy_number=f"{770_000_000 + index}", **self.holder(client))
        return record

    def write(self, path: Path, counts: dict) -> None:
        """Streamed: one record made and written at a time, in a shuffled order of kinds."""
        from pilier.couplings.portfolio.records import FIELDS

        matched = self.rng.sample(self.policies, counts["updated"] + counts["unchanged"])
        to_update = iter(matched[: counts["updated"]])
        to_keep = iter(matched[counts["updated"] :])
        invalid = itertools.count()
        make = {
            "updated": lambda: self.update(next(to_update)),
            "unchanged": lambda: self.unchanged(next(to_keep)),
            "created": self.created,
            "unmatched": self.unmatched,
            "rejected": lambda: self.invalid(next(invalid)),
        }
        order = [kind for kind in COUNTS for _ in range(counts[kind])]
        self.rng.shuffle(order)
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream, delimiter=";")
            writer.writerow(FIELDS)
            for kind in order:
                record = make[kind]()
                writer.writerow([record[name] for name in FIELDS])


# The floor ----------------------------------------------------------------------------------------------------


def floor(path: Path, database: Path) -> tuple[int, float]:
    """The same file read with the csv module, its rows inserted with executemany into a bare table of
    15 text columns, in one transaction, with the app's SQLite settings (WAL, synchronous=NORMAL)."""
    from pilier.couplings.portfolio.records import FIELDS

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"CREATE TABLE record ({', '.join(f'{name} TEXT' for name in FIELDS)})")
        insert = f"INSERT INTO record VALUES ({', '.join('?' * len(FIELDS))})"
        started = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream, delimiter=";")
            next(reader)
            with connection:  # one transaction, committed at the end
                connection.executemany(insert, reader)
        seconds = time.perf_counter() - started
        rows = connection.execute("SELECT count(*) FROM record").fetchone()[0]
    finally:
        connection.close()
    return rows, seconds


# The import, in a fresh process -------------------------------------------------------------------------------


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy (WAL included) with SQLite's backup API; no other connection is open."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def run_child(mode: str, path: Path, var_dir: Path) -> dict:
    result = var_dir / f"result-{mode}.json"
    command = [sys.executable, __file__, "--child", mode, "--file", str(path), "--result", str(result)]
    subprocess.run(command, check=True, cwd=_common.ROOT)
    return json.loads(result.read_text())


def child(args) -> None:
    """One import of the file, as `manage.py import_portfolio` runs it; the figures go to --result."""
    _common.setup_django()
    from django.core.files import File

    from pilier.accounts.access import staff_membership
    from pilier.accounts.models import User
    from pilier.couplings.jobs import run_import
    from pilier.couplings.models import ImportKind, ImportRun, ImportSource

    user = User.objects.get(email=ADMIN_EMAIL)
    office = staff_membership(user).office
    path = Path(args.file)

    def new_job():
        job = ImportRun(
            office=office, created_by=user, file_name=path.name, source=ImportSource.COMMAND, kind=ImportKind.PORTFOLIO
        )
        with path.open("rb") as stream:
            job.file.save(f"{job.pk}.dat", File(stream), save=False)
        job.save()
        return job

    def outcome(job, seconds):
        if job.status != "done":
            raise SystemExit(f"The import failed: {job.failure}")
        return {"seconds": seconds, "records": job.records, **{k: getattr(job, k) for k in COUNTS}}

    job = new_job()
    if args.child == "saves":
        Path(args.result).write_text(json.dumps(saves_during(job, run_import)))
        return
    gc.collect()
    before = rss_bytes()
    reset = reset_peak_rss()
    result = {"rss_before": before, "peak_reset": reset}
    if args.child == "traced":
        import tracemalloc

        tracemalloc.start()
    profiler = None
    if args.child == "profile":
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    job = run_import(run=job)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
    result["peak_rss"] = peak_rss_bytes()
    if args.child == "traced":
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    result["first"] = outcome(job, seconds)
    if profiler is not None:
        print_profile(profiler)
    if args.child == "timed":  # the same file again: nothing to do
        job = new_job()
        started = time.perf_counter()
        job = run_import(run=job)
        result["second"] = outcome(job, time.perf_counter() - started)
    Path(args.result).write_text(json.dumps(result))


def saves_during(job, run_import) -> dict:
    """The import in a thread; meanwhile a client of the office saved every 100 ms (an UPDATE and its history
    row, as a broker's save), each timed. A save that fails is counted, never retried."""
    import threading

    from django.db import DatabaseError, connection

    from pilier.clients.models import Client

    done = threading.Event()
    ended = {}

    def importing():
        try:
            started = time.perf_counter()
            ended["run"] = run_import(run=job)
            ended["seconds"] = time.perf_counter() - started
        finally:
            connection.close()
            done.set()

    client = Client.objects.filter(office_id=job.office_id).first()
    thread = threading.Thread(target=importing)
    thread.start()
    latencies, failures = [], 0
    while not done.is_set():
        client.phone = f"0470 {len(latencies) % 100:02d} 00 00"
        started = time.perf_counter()
        try:
            client.save()
        except DatabaseError:
            failures += 1
        latencies.append(time.perf_counter() - started)
        time.sleep(0.1)
    thread.join()
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else 0.0
    return {
        "import_seconds": ended.get("seconds"),
        "status": ended["run"].status if "run" in ended else None,
        "saves": len(latencies),
        "failures": failures,
        "median": statistics.median(latencies) if latencies else 0.0,
        "p95": p95,
        "max": latencies[-1] if latencies else 0.0,
    }


def print_profile(profiler) -> None:
    text = _common.profile_text(profiler, ("cumulative", 25), ("tottime", 25), ("cumulative", r"pilier/", 25))
    print(
        "\n== cProfile of run_import: top 25 by cumulative time, by own time, then pilier's functions "
        "by cumulative time (cProfile about doubles the time)"
    )
    print(text)
    _common.dump_profile(profiler, "import.prof")


# The report ---------------------------------------------------------------------------------------------------


def report(args, expected, runs, traced, floor_rows, floors) -> bool:
    """Prints the table; False when a count is not the one generated (targets missed only say OVER).

    Times are medians: of the timed imports (`runs`, each the first import of the file on a fresh copy
    of the office) and of the floor measurements (`floors`); the ratio is the ratio of the medians.
    Memory is the largest growth of the runs."""
    seconds = statistics.median(run["first"]["seconds"] for run in runs)
    first = {**runs[0]["first"], "seconds": seconds}
    for run in runs[1:]:  # every run must have found the same counts
        if any(run["first"][k] != runs[0]["first"][k] for k in (*COUNTS, "records")):
            first["records"] = -1
    second = {**runs[0]["second"], "seconds": statistics.median(run["second"]["seconds"] for run in runs)}
    floor_seconds = statistics.median(floors)
    rate = first["records"] / first["seconds"]
    floor_rate = floor_rows / floor_seconds
    ratio = first["seconds"] / floor_seconds
    growth = max(run["peak_rss"] - run["rss_before"] for run in runs) / MB
    timed = runs[0]
    again = dict.fromkeys(COUNTS, 0)
    again.update(unchanged=args.records - args.invalid, rejected=args.invalid)
    second_ok = all(second[k] == again[k] for k in COUNTS)
    each_import = ", ".join(f"{run['first']['seconds']:.2f}" for run in runs)
    each_floor = ", ".join(f"{value:.2f}" for value in floors)
    print(
        f"Timed imports ({len(runs)}): {each_import} s; floor ({len(floors)}): {each_floor} s. "
        "The table gives their medians.\n"
    )
    # (figure, value, target or expected value, target met / value as expected, or None: for information)
    targets = [
        ("import (wall clock, median)", f"{first['seconds']:.2f} s", "", None),
        ("import records/s", f"{rate:,.0f}/s", f">= {TARGET_RATE:,}/s", rate >= TARGET_RATE),
        ("floor: csv + executemany", f"{floor_seconds:.2f} s", "(median)", None),
        ("floor records/s", f"{floor_rate:,.0f}/s", "", None),
        ("ratio import/floor time", f"{ratio:.1f}x", f"<= {TARGET_RATIO:.0f}x", ratio <= TARGET_RATIO),
        ("peak memory: RSS growth", f"{growth:.0f} MB", f"< {TARGET_MB:.0f} MB (largest)", growth < TARGET_MB),
    ]
    if traced:
        targets.append(("peak memory: tracemalloc", f"{traced['traced_peak'] / MB:.0f} MB", "(Python objects)", None))
    checks = [
        ("records read", f"{first['records']:,}", f"{args.records:,} in the file", first["records"] == args.records),
        ("floor rows inserted", f"{floor_rows:,}", f"{args.records:,}", floor_rows == args.records),
        *[
            (name, f"{first[name]:,}", f"{expected[name]:,} generated", first[name] == expected[name])
            for name in COUNTS
        ],
        (
            "same file again",
            f"{second['seconds']:.2f} s",
            f"{again['unchanged']:,} unchanged, {again['rejected']:,} rejected",
            second_ok,
        ),
    ]
    _common.print_table(
        f"{'figure':28} {'value':>12}   {'target / expected':34} verdict",
        [
            *(
                f"{label:28} {value:>12}   {target:34} {'' if ok is None else ('OK' if ok else 'OVER')}".rstrip()
                for label, value, target, ok in targets
            ),
            *(
                f"{label:28} {value:>12}   {target:34} {'OK' if ok else 'MISMATCH'}"
                for label, value, target, ok in checks
            ),
        ],
        f"RSS growth: peak RSS of the import's process (VmHWM{'' if timed['peak_reset'] else ', not reset'}) minus "
        f"its RSS just before the import ({timed['rss_before'] / MB:.0f} MB once Django is loaded): the 300 MB "
        "target is checked against it.\ntracemalloc: peak of the Python allocations, in another run of the same "
        "import on a copy of the database (without the allocator's overhead, SQLite's cache, C libraries).",
    )
    if not second_ok:
        print(f"Same file again: expected {again}, got { {k: second[k] for k in COUNTS} }")
    return all(ok for *_rest, ok in checks)


def main():
    args = parse_args()
    if args.child:
        child(args)
        return
    with _common.bench_environment("pilier-import-bench-", keep=args.keep, fresh_sqlite="import benchmark") as (
        var_dir,
        _own_database,
    ):
        from django.conf import settings
        from django.db import connection

        migrate_seconds = _common.migrate()
        rng = random.Random(args.seed)
        started = time.perf_counter()
        office, admin, clients, policies, numbers, policy_numbers = set_up(args, rng)
        setup_seconds = time.perf_counter() - started

        expected = plan(args)
        path = var_dir / "portfolio-2026-01.csv"
        started = time.perf_counter()
        FileWriter(rng, clients, policies, numbers, policy_numbers).write(path, expected)
        file_seconds = time.perf_counter() - started
        office_clients, office_policies = office.clients.count(), office.policies.count()
        del clients, policies
        print(
            f"Database: SQLite {settings.DATABASES['default']['NAME']}\n"
            f"Set-up: migrate {migrate_seconds:.1f} s; office with {office_clients:,} clients and "
            f"{office_policies:,} policies: {setup_seconds:.1f} s; file of {args.records:,} records "
            f"({path.stat().st_size / MB:.1f} MB) written in {file_seconds:.1f} s.\n"
            f"Generated: {', '.join(f'{expected[k]:,} {k}' for k in COUNTS)}. "
            f"{_common.load_average()}\n"
        )

        floors = []
        for _ in range(max(1, args.floor_runs)):
            floor_rows, seconds = floor(path, var_dir / "floor.sqlite3")
            floors.append(seconds)
        database = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        before = var_dir / "before-import.sqlite3"
        copy_database(database, before)

        runs = []
        for index in range(max(1, args.runs)):
            if index:
                copy_database(before, database)
            runs.append(run_child("timed", path, var_dir))
        traced = None
        if not args.no_tracemalloc:
            copy_database(before, database)
            traced = run_child("traced", path, var_dir)
        ok = report(args, expected, runs, traced, floor_rows, floors)
        if args.saves:
            copy_database(before, database)
            saves = run_child("saves", path, var_dir)
            print(
                f"\nA broker's save during the import (a client saved every 100 ms, {saves['saves']} saves, import "
                f"{saves['import_seconds']:.2f} s, {saves['status']}): {saves['failures']} failed; latency median "
                f"{saves['median'] * 1000:.0f} ms, p95 {saves['p95'] * 1000:.0f} ms, max {saves['max'] * 1000:.0f} ms "
                f"(target: p95 < 1 s, 0 failed)."
            )
        if args.profile:
            copy_database(before, database)
            run_child("profile", path, var_dir)
        if not ok:
            raise SystemExit("FAILED: the import's counts are not the ones generated (see above).")


if __name__ == "__main__":
    main()
