"""Apache Superset's configuration for cursor-spend's dashboards (SUPERSET_CONFIG_PATH points here): docker-compose's
`superset` service and the BI tests use it. What differs per deployment comes from the environment:

- SUPERSET_SECRET_KEY (required: Superset refuses to start with its default key);
- SUPERSET_METADATA_DB_URI: Superset's own metadata database (default: SQLite in SUPERSET_HOME);
- CURSOR_SPEND_PUBLIC_DASHBOARDS=true: anyone may view the dashboards without logging in (role Public, like Gamma;
  bootstrap.sh then lets Public read the dashboards' datasets). Off by default.
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ.get(
    "SUPERSET_METADATA_DB_URI",
    "sqlite:///" + os.path.join(os.environ.get("SUPERSET_HOME", os.path.expanduser("~/.superset")), "superset.db"),
)

if os.environ.get("CURSOR_SPEND_PUBLIC_DASHBOARDS", "").lower() == "true":
    AUTH_ROLE_PUBLIC = "Public"
    PUBLIC_ROLE_LIKE = "Gamma"
