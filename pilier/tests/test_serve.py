"""`make serve` (pilier/serve.py) starts Pilier as in production, answers, and stops cleanly on Ctrl-C.

The end-to-end test runs `python -m pilier.serve` — what `make serve` runs — on a free port against a fresh
SQLite database and var/ folder of its own: collectstatic, migrate, gunicorn with two processes and two
background workers. It reads the login page (200, the strict security headers, DEBUG off), a static file
served by WhiteNoise (hashed name, compressed, cached for good), then sends a Ctrl-C as a terminal does (to
the supervisor's process group) and checks that every process it started has ended within the graceful
timeout, none left behind.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pilier import serve

BASE_DIR = Path(__file__).resolve().parents[2]
GRACEFUL = 10  # WEB_GRACEFUL_TIMEOUT and TASK_GRACEFUL_TIMEOUT given to the server under test
# Variables of the environment running the tests that would change what is served.
NOT_INHERITED = {
    "DEBUG",
    "DATABASE_URL",
    "CACHE_URL",
    "STATIC_ROOT",
    "ALLOWED_HOSTS",
    "BEHIND_PROXY",
    "SENTRY_DSN",
    "LOG_LEVEL",
    *serve.RELAXED_ON_LOOPBACK,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> dict[int, str]:
    """Every live process under pid (pid: its command line), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                try:
                    found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path):
    """`python -m pilier.serve` on a free port, its own database and var/; yields (process, port, log path)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith(("WEB_", "TASK_"))}
    env.update(
        PILIER_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        SECRET_KEY="test-serve-" + "k" * 50,
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        WEB_THREADS="2",
        TASK_WORKERS="2",
        WEB_GRACEFUL_TIMEOUT=str(GRACEFUL),
        TASK_GRACEFUL_TIMEOUT=str(GRACEFUL),
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pilier.serve"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as `make serve` in a terminal
        )
    try:
        yield process, port, log_path
    finally:
        if process.poll() is None:  # the test failed before stopping it
            for pid in _descendants(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()


def _wait_until_answers(process, port: int, log_path: Path, within: float = 90) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if process.poll() is not None:
            pytest.fail(f"serve ended with {process.returncode} before answering:\n{log_path.read_text()[-3000:]}")
        try:
            status, _, _ = _get(port, "/accounts/login/")
            if status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"serve did not answer within {within:.0f} s:\n{log_path.read_text()[-3000:]}")


def test_make_serve_answers_as_in_production_and_stops_cleanly_on_ctrl_c(served):
    process, port, log_path = served
    ready_in = _wait_until_answers(process, port, log_path)

    status, headers, body = _get(port, "/accounts/login/")
    assert status == 200
    assert headers["server"] == "gunicorn"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    # Over plain http on loopback no HSTS (browsers ignore it there), and the trial's cookies are not
    # Secure; through a proxy that says https (X-Forwarded-Proto, trusted from loopback) HSTS is sent.
    assert "strict-transport-security" not in headers
    _, via_proxy, _ = _get(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
    assert via_proxy["strict-transport-security"].startswith("max-age=31536000")

    # DEBUG is off: an unknown page is the plain 404, not Django's debug page.
    status, _, missing = _get(port, "/no-such-page/")
    assert status == 404
    assert b"URLconf" not in missing

    # The stylesheet the page links to, collected under its hashed name and served by WhiteNoise.
    match = re.search(rb'href="(/static/css/pilier\.[0-9a-f]{12}\.css)"', body)
    assert match, body[:2000]
    status, css_headers, css = _get(port, match.group(1).decode(), {"Accept-Encoding": "br, gzip"})
    assert status == 200
    assert css_headers["content-type"].startswith("text/css")
    assert css_headers["content-encoding"] == "br"
    assert "immutable" in css_headers["cache-control"]
    assert css

    started = _descendants(process.pid)
    commands = list(started.values())
    assert sum("db_worker" in c for c in commands) == 2, commands
    assert sum("gunicorn" in c for c in commands) == 3, commands  # the master and its two processes

    # Ctrl-C in a terminal: SIGINT to the foreground process group (the supervisor's own).
    stop_began = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    try:
        returncode = process.wait(timeout=GRACEFUL + 5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve did not stop within {GRACEFUL + 5} s:\n{log_path.read_text()[-3000:]}")
    stopped_in = time.monotonic() - stop_began
    log = log_path.read_text()
    assert returncode == 0, log[-3000:]
    deadline = time.monotonic() + 2
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [c for pid, c in started.items() if _alive(pid)] == []
    assert "Handling signal: term" in log  # gunicorn was told to stop gracefully, not at once
    assert "shutting down gracefully" in log  # so was each worker
    print(f"serve: answered in {ready_in:.1f} s, stopped in {stopped_in:.1f} s")


@pytest.mark.parametrize(
    ("bind", "extra", "relaxed"),
    [
        ("127.0.0.1:8000", {}, list(serve.RELAXED_ON_LOOPBACK)),
        ("localhost:8000,[::1]:8000", {}, list(serve.RELAXED_ON_LOOPBACK)),
        ("127.0.0.1:8000", {"SECURE_SSL_REDIRECT": "true"}, ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]),
        ("127.0.0.1:8000", {"BEHIND_PROXY": "true"}, []),  # TLS ends at the proxy: strict
        ("0.0.0.0:8000", {}, []),
        ("127.0.0.1:8000,0.0.0.0:8001", {}, []),
        ("unix:/run/pilier/web.sock", {}, []),
    ],
)
def test_only_a_trial_on_loopback_without_proxy_relaxes_the_https_settings(bind, extra, relaxed):
    env, said = serve.production_env({"WEB_BIND": bind, "DEBUG": "true", **extra})
    assert said == relaxed
    assert env["DEBUG"] == "false"
    for name in serve.RELAXED_ON_LOOPBACK:
        assert env.get(name) == extra.get(name, "false" if name in relaxed else None)


# The supervisor alone, with stand-ins for gunicorn and the workers -----------------------------------------

IGNORES_TERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
# A parent that stops on SIGTERM and leaves behind a child that does not (a gunicorn process whose master died).
LEAVES_A_CHILD = (
    "import signal, subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', " + repr(IGNORES_TERM) + "]); "
    "print(child.pid, flush=True); time.sleep(60)"
)


def _supervisor(**env):
    supervisor = serve.Supervisor({"WEB_GRACEFUL_TIMEOUT": "1", "TASK_GRACEFUL_TIMEOUT": "1", **env})
    supervisor.stop_margin = 0.5
    return supervisor


def test_stop_kills_what_outlives_its_graceful_timeout_and_leaves_nothing_behind():
    supervisor = _supervisor()
    supervisor.spawn("web", [sys.executable, "-c", LEAVES_A_CHILD])
    supervisor.spawn("worker 1", [sys.executable, "-c", IGNORES_TERM])
    time.sleep(1.0)  # both running, the web's child started
    started = _descendants(os.getpid())
    took = supervisor.stop()
    assert 1.5 <= took < 5
    assert all(child.poll() is not None for child in supervisor.children.values())
    time.sleep(0.2)
    assert [c for pid, c in started.items() if _alive(pid) and "time.sleep(60)" in c] == []


def test_a_child_that_ends_by_itself_is_reported_and_the_rest_stopped():
    supervisor = _supervisor()
    supervisor.spawn("web", [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"])
    supervisor.spawn("worker 1", [sys.executable, "-c", "import time; time.sleep(60)"])
    assert supervisor.wait() == ("web", 3)
    assert supervisor.stop() < 2
    assert supervisor.children["worker 1"].returncode == -signal.SIGTERM
