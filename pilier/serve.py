"""`make serve`: Pilier as in production, on one machine — `python -m pilier.serve`.

1. `manage.py collectstatic --noinput` (the files WhiteNoise serves) and `manage.py migrate --noinput` (and
   `createcachetable` when CACHE_URL is a database cache, dbcache://);
2. gunicorn with pilier/gunicorn_conf.py (workers and threads from the cores, timeouts, access log on
   stdout) and TASK_WORKERS `manage.py db_worker` processes (default 1) side by side, DEBUG off;
3. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops them all: gunicorn is sent SIGTERM and finishes the requests
   under way within its graceful timeout; each worker finishes the task it runs (or stops at once if it
   runs none) within TASK_GRACEFUL_TIMEOUT (default 30 s), then is stopped; a second Ctrl-C stops
   everything at once. Whatever is still alive after that is killed, so that nothing is left behind.
   If one of them ends by itself, the others are stopped and `make serve` fails with its exit status.

Each child runs in its own process group, so that a Ctrl-C in the terminal reaches only this supervisor
(gunicorn would take a SIGINT as "stop now" and drop the requests under way), and is sent SIGTERM by the
kernel if this supervisor dies without stopping it (Linux).

On loopback (WEB_BIND 127.0.0.1, localhost or [::1], the default) and not behind a proxy (BEHIND_PROXY
unset), there is no TLS to redirect to: SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE
default to false, so that http://127.0.0.1:8000 answers for a trial; this is said on start, and each can
still be set. Anywhere else the strict settings apply (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONF = BASE_DIR / "pilier" / "gunicorn_conf.py"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
RELAXED_ON_LOOPBACK = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
READY_WITHIN = 120.0  # seconds for gunicorn to listen before make serve gives up
STOP_MARGIN = 5.0  # seconds past a graceful timeout before what is left is killed


def say(message: str) -> None:
    print(f"serve: {message}", file=sys.stderr, flush=True)


def _int_env(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"serve: {name} must be a whole number, not {value!r}") from None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def binds(env: dict[str, str]) -> list[str]:
    return [b.strip() for b in env.get("WEB_BIND", "127.0.0.1:8000").split(",") if b.strip()]


def host_port(bind: str) -> tuple[str, int] | None:
    """(host, port) of a TCP bind such as 127.0.0.1:8000 or [::1]:8000; None for a unix socket."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, _, port = bind.rpartition(":")
    if not port.isdigit():
        return None
    return host or "0.0.0.0", int(port)  # noqa: S104 (gunicorn's reading of ":8000")


def on_loopback(env: dict[str, str]) -> bool:
    addresses = [host_port(b) for b in binds(env)]
    return bool(addresses) and all(a is not None and a[0] in LOOPBACK_HOSTS for a in addresses)


def production_env(base: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The children's environment, and the settings relaxed for a trial on loopback (said on start)."""
    env = dict(base)
    env["DEBUG"] = "false"
    env.setdefault("DJANGO_SETTINGS_MODULE", "pilier.settings")
    env["PYTHONUNBUFFERED"] = "1"  # log lines as they come, not when a buffer fills
    relaxed = []
    if on_loopback(env) and not _truthy(env.get("BEHIND_PROXY")):
        for name in RELAXED_ON_LOOPBACK:
            if name not in env:
                env[name] = "false"
                relaxed.append(name)
    return env, relaxed


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the supervisor dies (prctl PR_SET_PDEATHSIG, Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_step(command: Sequence[str], env: dict[str, str]) -> None:
    """A set-up step in the foreground (collectstatic, migrate); a Ctrl-C stops it and make serve."""
    result = subprocess.run(command, cwd=BASE_DIR, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"serve: {' '.join(command[1:])} failed (exit status {result.returncode})")


class Supervisor:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_requested = 0  # how many stop signals have come
        self.web_grace = _int_env(env, "WEB_GRACEFUL_TIMEOUT", 30)
        self.task_grace = _int_env(env, "TASK_GRACEFUL_TIMEOUT", 30)
        self.stop_margin = STOP_MARGIN

    # -- starting --------------------------------------------------------------------------------------
    def spawn(self, name: str, command: Sequence[str]) -> None:
        self.children[name] = subprocess.Popen(  # noqa: S603
            command,
            cwd=BASE_DIR,
            env=self.env,
            start_new_session=True,  # its own process group: a Ctrl-C in the terminal is not sent to it
            preexec_fn=_die_with_parent,  # before exec; this process runs no thread
        )

    def start(self, task_workers: int) -> None:
        self.spawn("web", [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)])
        for i in range(1, task_workers + 1):
            self.spawn(f"worker {i}", [sys.executable, "manage.py", "db_worker", "--no-reload"])

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested += 1
        if self.stop_requested > 1:
            self._force()

    def install_signals(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    # -- running ---------------------------------------------------------------------------------------
    def first_exited(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def wait_ready(self, started: float) -> bool:
        """Until gunicorn accepts connections on its first TCP address (or a child ends, or a stop comes)."""
        address = next((a for a in (host_port(b) for b in binds(self.env)) if a is not None), None)
        while not self.stop_requested and self.first_exited() is None:
            if address is None:
                return True  # a unix socket: gunicorn says itself when it listens
            host = address[0].strip("[]")
            host = "127.0.0.1" if host in {"0.0.0.0", ""} else "::1" if host == "::" else host  # noqa: S104
            try:
                with socket.create_connection((host, address[1]), timeout=0.5):
                    return True
            except OSError:
                if time.monotonic() - started > READY_WITHIN:
                    say(f"gunicorn did not listen within {READY_WITHIN:.0f} s")
                    return False
                time.sleep(0.1)
        return False

    def wait(self) -> tuple[str, int] | None:
        """Until a stop signal comes (None) or a child ends by itself (its name and exit status)."""
        while not self.stop_requested:
            ended = self.first_exited()
            if ended is not None:
                return ended
            time.sleep(0.2)
        return None

    # -- stopping --------------------------------------------------------------------------------------
    def _signal(self, name: str, signum: int) -> None:
        child = self.children[name]
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signum)

    def _force(self) -> None:
        """A second Ctrl-C: gunicorn's quick stop (SIGQUIT), the workers' own 'stop the task now' (SIGINT)."""
        for name in self.children:
            self._signal(name, signal.SIGQUIT if name == "web" else signal.SIGINT)

    def _kill_groups(self) -> None:
        """Whatever is left of each child's process group (a gunicorn process whose master died)."""
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)

    def stop(self) -> float:
        """SIGTERM to each, then wait for them within their graceful timeouts; returns the seconds it took."""
        began = time.monotonic()
        for name in self.children:
            self._signal(name, signal.SIGTERM)
        busy = [name for name in self.children if name != "web" and self.children[name].poll() is None]
        if busy:
            say(
                f"stopping; a worker finishes the task it runs within {self.task_grace} s "
                "(Ctrl-C again to stop at once)"
            )
        grace = {name: self.web_grace if name == "web" else self.task_grace for name in self.children}
        deadlines = {name: began + grace[name] + self.stop_margin for name in self.children}
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.0, deadlines[name] - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within its graceful timeout: killed")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self._kill_groups()
        return time.monotonic() - began


def main(argv: Sequence[str] | None = None) -> int:
    base = dict(os.environ)
    env, relaxed = production_env(base)
    task_workers = _int_env(env, "TASK_WORKERS", 1)
    manage = [sys.executable, "manage.py"]
    started = time.monotonic()

    try:
        run_step([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env)
        run_step([*manage, "migrate", "--noinput"], env)
        if env.get("CACHE_URL", "").startswith("dbcache"):  # a cache in the database: its table, once
            run_step([*manage, "createcachetable"], env)
    except KeyboardInterrupt:
        say("stopped before it started")
        return 130

    supervisor = Supervisor(env)
    supervisor.install_signals()
    supervisor.start(task_workers)
    where = ", ".join(f"http://{b}/" if host_port(b) else b for b in binds(env))
    if supervisor.wait_ready(started):
        say(
            f"Pilier answers on {where} (DEBUG off, {task_workers} background worker(s)), "
            f"ready in {time.monotonic() - started:.1f} s; Ctrl-C stops it"
        )
        if relaxed:
            say(
                f"on loopback without TLS: {', '.join(relaxed)} set to false for this trial "
                "(behind an HTTPS proxy set BEHIND_PROXY=true; docs/deploy.md)"
            )
        ended = supervisor.wait()
    else:
        ended = supervisor.first_exited()
    if ended is not None:
        say(f"{ended[0]} ended by itself (exit status {ended[1]}): stopping the rest")
    took = supervisor.stop()
    say(f"stopped in {took:.1f} s")
    return 0 if ended is None else (ended[1] or 1)


if __name__ == "__main__":
    sys.exit(main())
