#!/usr/bin/env bash
# Superset's setup for cursor-spend, run before the server (docker-compose's superset service; tests/bi the same):
# migrate the metadata database, create the admin, sync the roles, then import the dashboards as code
# (bi/superset/dashboards) with Superset's own CLI, connected to the warehouse as the read-only reader
# (CURSOR_SPEND_BI_DATABASE_URI). Idempotent: every start imports the dashboards again (they are overwritten; charts,
# datasets and the connection are kept once they exist).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
admin="${SUPERSET_ADMIN_USER:-admin}"

superset db upgrade
superset fab create-admin --username "$admin" --firstname Superset --lastname Admin --email "$admin@localhost" \
    --password "${SUPERSET_ADMIN_PASSWORD:?set SUPERSET_ADMIN_PASSWORD}"
superset init
bundle="$(mktemp -d)/cursor-spend-dashboards.zip"
python "$here/bundle.py" "$bundle"
superset import-dashboards --path "$bundle" --username "$admin"
rm -r "$(dirname "$bundle")"
if [ "${CURSOR_SPEND_PUBLIC_DASHBOARDS:-}" = true ]; then
    python "$here/public_access.py"
fi
