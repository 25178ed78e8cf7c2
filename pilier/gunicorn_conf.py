"""gunicorn's settings for Pilier in production: `gunicorn -c pilier/gunicorn_conf.py pilier.wsgi`.

`make serve` (bin/serve) starts gunicorn with this file; so do the systemd unit and the container of
docs/deploy.md. Every figure can be changed by the environment:

WEB_BIND              where to listen, comma-separated (default 127.0.0.1:8000; behind a proxy on another
                      machine, e.g. 0.0.0.0:8000; a socket: unix:/run/pilier/web.sock)
WEB_WORKERS           processes (default 2 × cores + 1, gunicorn's own advice: one waits on the database
                      or the network while another computes)
WEB_THREADS           threads per process (default 2: a page that waits on the database or on a slow
                      client does not hold a whole process; 1 selects the plain sync worker)
WEB_TIMEOUT           seconds a request may take before its process is killed and replaced (default 60: a
                      PDF or a large upload read from the proxy fits well within it)
WEB_GRACEFUL_TIMEOUT  seconds given to requests under way on a stop or a restart (default 30)
WEB_KEEPALIVE         seconds a keep-alive connection stays open between two requests (default 5, above the
                      proxy's own idle time to the upstream, so that gunicorn is never the one to drop it)
WEB_ACCESS_LOG        where the access log goes (default "-", stdout; empty: no access log)
LOG_LEVEL             gunicorn's own messages (default info)
FORWARDED_ALLOW_IPS   read by gunicorn itself: the proxies trusted for X-Forwarded-Proto (default 127.0.0.1,::1)

preload_app is off: each process imports Pilier itself, so that `systemctl reload` (SIGHUP) starts
processes on the new code after an upgrade, and nothing opened at import (a database connection, the
error reporter's sending thread) is shared between processes by a fork. The cost is memory and a start
of about a second per process, which run side by side.
"""

import multiprocessing
import os

_env = os.environ


def _int(name: str, default: int) -> int:
    value = _env.get(name, "").strip()
    return int(value) if value else default


def default_workers() -> int:
    """gunicorn's advice: 2 × cores + 1."""
    return 2 * multiprocessing.cpu_count() + 1


wsgi_app = "pilier.wsgi:application"
bind = [b.strip() for b in _env.get("WEB_BIND", "127.0.0.1:8000").split(",") if b.strip()]
workers = _int("WEB_WORKERS", default_workers())
threads = _int("WEB_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("WEB_KEEPALIVE", 5)
preload_app = False

# Each process's heartbeat is a file whose mode changes every second: in memory, never blocked by a
# busy disk (gunicorn's docs, "Blocking os.fchmod").
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None  # noqa: S108

accesslog = _env.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = _env.get("LOG_LEVEL", "info").lower()
# No control socket (gunicorn ≥ 25 opens one under $HOME by default): two app servers on one machine
# would share its path; stop and reload go by signals (systemd, bin/serve).
control_socket_disable = True
proc_name = "pilier-web"
