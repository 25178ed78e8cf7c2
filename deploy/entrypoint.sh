#!/bin/sh
# The container's entrypoint (Dockerfile): `web` (the default) or `worker`, or any command.
#   web     the migrations (and a database cache's table), then gunicorn with pilier/gunicorn_conf.py
#   worker  waits until the migrations are applied (the app runs them), then one background worker
set -eu
cd /opt/pilier
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    case "${CACHE_URL:-}" in dbcache*) python manage.py createcachetable ;; esac
    exec gunicorn -c pilier/gunicorn_conf.py
    ;;
  worker)
    until python manage.py migrate --check >/dev/null 2>&1; do
      echo "worker: waiting for the migrations to be applied…" >&2
      sleep 3
    done
    exec python manage.py db_worker --no-reload
    ;;
  *)
    exec "$@"
    ;;
esac
