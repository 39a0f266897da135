#!/bin/sh
# Runs the given command (gunicorn by default, or celery). With RUN_MIGRATIONS=1 (set on
# the web service only) the database is migrated first, so a fresh `docker compose up`
# works without a separate step and worker/beat, which wait for web, see the tables.
set -eu

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    python manage.py migrate --noinput
fi

exec "$@"
