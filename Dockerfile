# Pilier's image: gunicorn by default (`web`), a background worker with `worker` (deploy/entrypoint.sh).
# docs/deploy.md, "Containers"; compose.yaml runs both beside PostgreSQL.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false \
    PILIER_VAR_DIR=/var/lib/pilier \
    STATIC_ROOT=/opt/pilier-static \
    WEB_BIND=0.0.0.0:8000

# WeasyPrint (the PDF export) draws text with pango (as `make pango` installs it); fonts for the PDFs;
# pg_dump / pg_restore for `manage.py backup` and `restore` (Debian bookworm: 15, as compose.yaml's database).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/pilier --create-home \
      --shell /usr/sbin/nologin pilier

WORKDIR /opt/pilier
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# The static files in the image (STATIC_ROOT, outside the var/ volume, so that a new image brings its own);
# settings.py sets umask 077, hence the chmod for the user that serves them.
RUN SECRET_KEY=collectstatic-only PILIER_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput -v0 \
 && rm -rf /tmp/build-var \
 && chmod -R a+rX /opt/pilier-static

USER pilier
VOLUME ["/var/lib/pilier"]
EXPOSE 8000
ENTRYPOINT ["/opt/pilier/deploy/entrypoint.sh"]
CMD ["web"]
