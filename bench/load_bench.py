"""`make bench`, load part: simulated brokers against the production server while a portfolio import runs.

For each database (SQLite, then PostgreSQL): a fresh database with an office of 20,000 clients and 40,000
policies (the import benchmark's set-up) and its 100,000-record portfolio file; Pilier served as in production
by `python -m pilier.serve` (what `make serve` runs: gunicorn with pilier/gunicorn_conf.py, DEBUG off, WhiteNoise,
a `db_worker` beside it), once on SQLite, twice on PostgreSQL (two app servers, two workers, one database). Then
50 simulated brokers for 60 s, each a thread with its own keep-alive connection, its session (pages) and its API
token (writes):

    client list 25 %, search 20 %, a client's file 30 %, create a client 15 % (POST /api/v1/clients),
    add a policy 10 % (POST /api/v1/clients/<id>/policies), a pause of 0–2 × --think s between two requests.

A few seconds in, the import is queued as the import page queues it (the worker runs it). Afterwards every
write acknowledged (201) is looked up in the database: "saved" counts those found. Figures: requests and
their rate, errors (any status other than the expected one, or no answer), page p50 / p95 over the whole
run and during the import, a broker's save p50 / p95 during the import, the import's own time, the machine's
cores. Targets (issue 12, on a 2-core machine): 0 errors, every write saved, page p95 < 1 s on SQLite and
< 500 ms on PostgreSQL, a save during the import < 1 s p95.

Options: --databases sqlite,postgresql, --brokers 50, --seconds 60, --think 1.0, --records 100000,
--clients 20000, --policies 40000, --web-workers N (per app server; default: 2 × cores + 1 split over the
app servers), --threads 2, --import-after 5, --import-wait 600 (most seconds to wait for the import after the
load), --keep. PostgreSQL: PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) to create and drop a
scratch database; skipped with a note when it cannot be reached.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import _common  # bench/_common.py: bench/ is first on sys.path when this script runs

ROOT = _common.ROOT
PAGE_TARGET = {"sqlite": 1.0, "postgresql": 0.5}  # seconds, p95 of the pages
SAVE_TARGET = 1.0  # seconds, p95 of a broker's save during the import
MIX = [("list", 25), ("search", 20), ("file", 30), ("create_client", 15), ("add_policy", 10)]
WRITES = {"create_client", "add_policy"}
SEARCHES = ["jan", "peet", "dub", "lamb", "mar", "wil", "clae", "dup", "ver", "lef"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--brokers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between two requests of a broker (s)")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--policies", type=int, default=40_000)
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn workers per app server")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--import-after", type=float, default=5.0)
    parser.add_argument("--import-wait", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true")
    # Internal: the steps that run in a Django process of their own.
    parser.add_argument("--child", choices=("setup", "start-import", "count"), help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    return parser.parse_args()


# The Django side (child processes) ---------------------------------------------------------------------------------


def child_setup(args) -> None:
    """Migrate, the office and its file, the brokers (sessions and tokens), the numbers the writes will use."""
    _common.setup_django()
    import import_bench
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from pilier.accounts.models import ApiToken, Membership, Role, User

    state = Path(args.state)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    setup_args = SimpleNamespace(clients=args.clients, policies=args.policies, records=args.records, invalid=300)
    office, admin, clients, policies, numbers, policy_numbers = import_bench.set_up(setup_args, rng)
    path = state.parent / "portfolio.csv"
    import_bench.FileWriter(rng, clients, policies, numbers, policy_numbers).write(path, import_bench.plan(setup_args))
    brokers = []
    for index in range(args.brokers):
        user = User.objects.create_user(
            f"broker{index}@load-bench.pilier.be", first_name="Broker", last_name=str(index)
        )
        Membership.objects.create(user=user, office=office, role=Role.STAFF)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        brokers.append({"session": session.session_key, "token": ApiToken.issue(user=user)[1], "email": user.email})
    visible = [str(c.pk) for c in clients if not c.restricted_access]
    writes = args.brokers * int(args.seconds * 2 + 50)  # more than the brokers can use
    data = {
        "office": str(office.pk),
        "admin": admin.email,
        "admin_token": ApiToken.issue(user=admin)[1],
        "brokers": brokers,
        "clients": rng.sample(visible, min(2000, len(visible))),
        "national_numbers": [numbers.new()[0] for _ in range(writes)],
        "policy_numbers": [policy_numbers.new("NN")[0] for _ in range(writes)],
        "file": str(path),
        "set_up_seconds": time.perf_counter() - started,
        "office_clients": office.clients.count(),
        "office_policies": office.policies.count(),
    }
    state.write_text(json.dumps(data))


def child_start_import(args) -> None:
    """Queues the import as the import page does (the worker runs it); prints its id."""
    _common.setup_django()
    from django.db import transaction

    from pilier.accounts.models import User
    from pilier.couplings.models import ImportSource
    from pilier.couplings.services import import_run_create

    data = json.loads(Path(args.state).read_text())
    admin = User.objects.get(email=data["admin"])
    office = admin.memberships.get().office
    path = Path(data["file"])
    with path.open("rb") as stream, transaction.atomic():
        run = import_run_create(office=office, user=admin, file=stream, file_name=path.name, source=ImportSource.UPLOAD)
    print(run.pk)


def child_count(args) -> None:
    """How many of the acknowledged writes are in the database; the import's outcome."""
    _common.setup_django()
    from pilier.clients.models import Client
    from pilier.couplings.models import ImportRun
    from pilier.policies.models import Policy

    data = json.loads(Path(args.state).read_text())
    acknowledged = data["acknowledged"]
    clients = set(
        Client.objects.filter(national_number__in=acknowledged["create_client"]).values_list(
            "national_number", flat=True
        )
    )
    policies = set(Policy.objects.filter(number__in=acknowledged["add_policy"]).values_list("number", flat=True))
    run = ImportRun.objects.filter(pk=data.get("import_id")).first() if data.get("import_id") else None
    result = {
        "create_client": len(clients),
        "add_policy": len(policies),
        "import": None
        if run is None
        else {"status": run.status, "records": run.records, "failure": run.failure, "attempts": run.attempts},
    }
    print(json.dumps(result))


# The load ----------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_child(mode: str, state: Path, env: dict, args) -> str:
    sizes = ["--records", str(args.records), "--clients", str(args.clients), "--policies", str(args.policies)]
    sizes += ["--brokers", str(args.brokers), "--seconds", str(args.seconds), "--seed", str(args.seed)]
    command = [sys.executable, __file__, "--child", mode, "--state", str(state), *sizes]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"The {mode} step failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def wait_until_up(port: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"The app server on port {port} did not answer within {seconds:.0f} s.")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, float, float, int]] = []  # (action, start, seconds, status; 0: no answer)
        self.acknowledged: dict[str, list[str]] = {"create_client": [], "add_policy": []}

    def add(self, action: str, start: float, seconds: float, status: int, written: str | None = None) -> None:
        with self.lock:
            self.rows.append((action, start, seconds, status))
            if written is not None:
                self.acknowledged[action].append(written)


class Broker(threading.Thread):
    def __init__(self, index, port, data, numbers, deadline, recorder, think, rng):
        super().__init__(daemon=True)
        self.port, self.data, self.numbers, self.deadline = port, data, numbers, deadline
        self.recorder, self.think, self.rng = recorder, think, rng
        me = data["brokers"][index]
        self.cookie = f"sessionid={me['session']}"
        self.bearer = f"Bearer {me['token']}"
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):  # a keep-alive connection the server closed: once more on a new one
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return response.status
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return 0
        return 0

    def page(self, path):
        return self.request("GET", path, headers={"Cookie": self.cookie, "Host": "127.0.0.1"})

    def post(self, path, payload):
        headers = {"Authorization": self.bearer, "Content-Type": "application/json", "Host": "127.0.0.1"}
        return self.request("POST", path, body=json.dumps(payload), headers=headers)

    def run(self):
        actions, weights = zip(*MIX, strict=True)
        while time.monotonic() < self.deadline:
            action = self.rng.choices(actions, weights)[0]
            written = None
            start = time.monotonic()
            if action == "list":
                status, expected = self.page("/clients/"), 200
            elif action == "search":
                status, expected = self.page(f"/clients/?q={self.rng.choice(SEARCHES)}"), 200
            elif action == "file":
                status, expected = self.page(f"/clients/{self.rng.choice(self.data['clients'])}/"), 200
            elif action == "create_client":
                number = self.numbers["national"].pop()
                payload = {"national_number": number, "last_name": "Charge", "first_name": "Essai", "language": "fr"}
                status, expected = self.post("/api/v1/clients", payload), 201
                written = number
            else:
                number = self.numbers["policy"].pop()
                payload = {"section": "pension", "type": "pension_savings", "insurer": "NN", "number": number}
                client = self.rng.choice(self.data["clients"])
                status, expected = self.post(f"/api/v1/clients/{client}/policies", payload), 201
                written = number
            seconds = time.monotonic() - start
            ok = status == expected
            self.recorder.add(action, start, seconds, status if ok else -status, written if ok else None)
            time.sleep(self.rng.uniform(0, 2 * self.think))


class SharedNumbers:
    """The national and policy numbers the writes use, each once, across the brokers' threads."""

    def __init__(self, national, policy):
        self.lock = threading.Lock()
        self.lists = {"national": list(national), "policy": list(policy)}

    def __getitem__(self, kind):
        shared = self

        class Popper:
            def pop(self):
                with shared.lock:
                    return shared.lists[kind].pop()

        return Popper()


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def import_status(port, token, import_id):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "GET",
            f"/api/v1/portfolio-imports/{import_id}",
            headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"},
        )
        response = connection.getresponse()
        body = response.read()
        return json.loads(body).get("status") if response.status == 200 else None
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def database_env(kind: str, var_dir: Path, args) -> tuple[dict, object]:
    env = dict(os.environ)
    env.update(
        PILIER_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="pilier.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        CACHE_URL=f"filecache://{var_dir / 'cache'}",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    drop = None
    if kind == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'load.sqlite3'}"
    else:
        import psycopg

        admin_url = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        name = f"pilier_load_{os.getpid()}"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env, drop


def start_processes(kind: str, env: dict, args, var_dir: Path):
    """`make serve` as it runs (`python -m pilier.serve`: gunicorn with pilier/gunicorn_conf.py and a
    db_worker beside it), once on SQLite, twice on PostgreSQL (two app servers, two workers, one database)."""
    cores = os.cpu_count() or 1
    app_servers = 1 if kind == "sqlite" else 2
    web_workers = args.web_workers or max(1, (2 * cores + 1) // app_servers)
    ports, processes = [], []
    log = (var_dir / f"servers-{kind}.log").open("w")
    for _ in range(app_servers):  # one after the other: each runs collectstatic and migrate first
        port = free_port()
        ports.append(port)
        server_env = dict(
            env,
            WEB_BIND=f"127.0.0.1:{port}",
            WEB_WORKERS=str(web_workers),
            WEB_THREADS=str(args.threads),
            TASK_WORKERS="1",
            WEB_ACCESS_LOG="",
        )
        command = [sys.executable, "-m", "pilier.serve"]
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=log, stderr=log, start_new_session=True)
        )
        wait_until_up(port, 180)
    layout = {"app_servers": app_servers, "web_workers": web_workers, "task_workers": app_servers}
    return ports, processes, layout


def stop_processes(processes) -> None:
    """As Ctrl-C on `make serve`: each supervisor stops its gunicorn and its worker."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + 60
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def run_database(kind: str, args) -> dict | None:
    var_dir = Path(tempfile.mkdtemp(prefix=f"pilier-load-{kind}-"))
    (var_dir / "static").mkdir()
    try:
        env, drop = database_env(kind, var_dir, args)
    except Exception as error:  # PostgreSQL not reachable
        print(f"{kind}: skipped ({error})")
        shutil.rmtree(var_dir, ignore_errors=True)
        return None
    processes = []
    try:
        state = var_dir / "state.json"
        run_child("setup", state, env, args)
        data = json.loads(state.read_text())
        ports, processes, layout = start_processes(kind, env, args, var_dir)
        numbers = SharedNumbers(data["national_numbers"], data["policy_numbers"])
        recorder = Recorder()
        rng = random.Random(args.seed)
        begin = time.monotonic()
        deadline = begin + args.seconds
        brokers = [
            Broker(i, ports[i % len(ports)], data, numbers, deadline, recorder, args.think, random.Random(rng.random()))
            for i in range(args.brokers)
        ]
        for broker in brokers:
            broker.start()
        time.sleep(args.import_after)
        import_started = time.monotonic()
        import_id = run_child("start-import", state, env, args)
        import_ended = None
        while time.monotonic() < deadline + args.import_wait:
            status = import_status(ports[0], data["admin_token"], import_id)
            if status in ("done", "failed"):
                import_ended = time.monotonic()
                break
            time.sleep(1.0)
        for broker in brokers:
            broker.join()
        end = time.monotonic()
        stop_processes(processes)
        processes = []
        data["acknowledged"] = recorder.acknowledged
        data["import_id"] = import_id
        state.write_text(json.dumps(data))
        counted = json.loads(run_child("count", state, env, args))
        return summarise(kind, args, data, layout, recorder, begin, end, import_started, import_ended, counted)
    finally:
        stop_processes(processes)
        if drop is not None:
            try:
                drop()
            except Exception as error:
                print(f"Could not drop the scratch database: {error}")
        if args.keep:
            print(f"Kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def summarise(kind, args, data, layout, recorder, begin, end, import_started, import_ended, counted) -> dict:
    rows = recorder.rows
    until = import_ended or end
    during = [r for r in rows if import_started <= r[1] < until]
    pages = [r[2] for r in rows if r[0] not in WRITES and r[3] > 0]
    pages_during = [r[2] for r in during if r[0] not in WRITES and r[3] > 0]
    saves_during = [r[2] for r in during if r[0] in WRITES and r[3] > 0]
    errors: dict[str, int] = {}
    for action, _start, _seconds, status in rows:
        if status <= 0:
            key = f"{action} {-status or 'no answer'}"
            errors[key] = errors.get(key, 0) + 1
    acknowledged = {k: len(v) for k, v in recorder.acknowledged.items()}
    return {
        "kind": kind,
        "layout": layout,
        "requests": len(rows),
        "rate": len(rows) / (end - begin),
        "errors": errors,
        "acknowledged": acknowledged,
        "saved": {k: counted[k] for k in acknowledged},
        "page_p50": percentile(pages, 0.5),
        "page_p95": percentile(pages, 0.95),
        "page_p95_during": percentile(pages_during, 0.95),
        "save_p50_during": percentile(saves_during, 0.5),
        "save_p95_during": percentile(saves_during, 0.95),
        "writes_during": len(saves_during),
        "import_seconds": None if import_ended is None else import_ended - import_started,
        "import": counted["import"],
        "set_up_seconds": data["set_up_seconds"],
        "office": (data["office_clients"], data["office_policies"]),
    }


def ms(value) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def report(results, args) -> bool:
    cores = os.cpu_count()
    print(
        f"\nLoad: {args.brokers} brokers for {args.seconds:.0f} s (pause 0–{2 * args.think:.1f} s), a {args.records:,}-"
        f"record import queued after {args.import_after:.0f} s; this machine: {cores} cores.\n"
        f"Mix: {', '.join(f'{a} {w} %' for a, w in MIX)}. Pages with the broker's session, writes by the API.\n"
    )
    ok = True
    for r in results:
        layout = r["layout"]
        saved_all = all(r["saved"][k] == r["acknowledged"][k] for k in r["acknowledged"])
        errors = sum(r["errors"].values())
        page_ok = r["page_p95"] is not None and r["page_p95"] < PAGE_TARGET[r["kind"]]
        save_ok = r["save_p95_during"] is not None and r["save_p95_during"] < SAVE_TARGET
        import_ok = r["import"] is not None and r["import"]["status"] == "done"
        verdict = all([errors == 0, saved_all, page_ok, save_ok, import_ok])
        took = "not finished" if r["import_seconds"] is None else f"{r['import_seconds']:.0f} s"
        ok &= verdict
        print(
            f"{r['kind']}: {layout['app_servers']} app server(s) × {layout['web_workers']} gunicorn workers × "
            f"{args.threads} threads, {layout['task_workers']} task worker(s); office {r['office'][0]:,} clients, "
            f"{r['office'][1]:,} policies (set up in {r['set_up_seconds']:.0f} s)\n"
            f"  requests {r['requests']:,} ({r['rate']:.1f}/s); errors {errors} "
            f"{json.dumps(r['errors']) if r['errors'] else ''}  target 0: {'OK' if errors == 0 else 'FAILED'}\n"
            f"  writes acknowledged {r['acknowledged']}, found afterwards {r['saved']}: "
            f"{'all saved' if saved_all else 'SOME LOST'}\n"
            f"  pages p50 {ms(r['page_p50'])}, p95 {ms(r['page_p95'])} (during the import {ms(r['page_p95_during'])})"
            f"  target p95 < {PAGE_TARGET[r['kind']] * 1000:.0f} ms: {'OK' if page_ok else 'FAILED'}\n"
            f"  a save during the import: p50 {ms(r['save_p50_during'])}, p95 {ms(r['save_p95_during'])} "
            f"over {r['writes_during']} saves  target p95 < 1 s: {'OK' if save_ok else 'FAILED'}\n"
            f"  the import: {r['import']}, {took} {'OK' if import_ok else 'FAILED'}\n"
        )
    return ok


def main():
    args = parse_args()
    if args.child:
        {"setup": child_setup, "start-import": child_start_import, "count": child_count}[args.child](args)
        return
    results = []
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        result = run_database(kind, args)
        if result is not None:
            results.append(result)
    ok = report(results, args)
    print("Load targets: OK" if ok else "Load targets: FAILED (see above)")


if __name__ == "__main__":
    main()
