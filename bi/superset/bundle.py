"""Zip cursor-spend's dashboards as code (bi/superset/dashboards, Superset's export layout) for
`superset import-dashboards`, with the warehouse connection's URI from CURSOR_SPEND_BI_DATABASE_URI (the read-only
reader of bi/postgres/reader_role.sql): the repository holds the URI with the password masked, as Superset's own
exports do.

    python bundle.py OUT.zip
"""

import os
import sys
import zipfile
from pathlib import Path

import yaml

ASSETS = Path(__file__).resolve().parent / "dashboards"
TOP = "cursor_spend_dashboards"  # the importer strips the ZIP's one top-level folder


def bundle(target: Path, database_uri: str) -> Path:
    """Write the ZIP; every database of the bundle connects with ``database_uri``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(ASSETS.rglob("*.yaml")):
            text = path.read_text()
            if path.parent.name == "databases":
                config = yaml.safe_load(text)
                config["sqlalchemy_uri"] = database_uri
                text = yaml.safe_dump(config, sort_keys=False)
            archive.writestr(f"{TOP}/{path.relative_to(ASSETS).as_posix()}", text)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.environ.get("CURSOR_SPEND_BI_DATABASE_URI"):
        sys.exit(
            "usage: CURSOR_SPEND_BI_DATABASE_URI=postgresql+psycopg2://reader:...@host/db python bundle.py OUT.zip"
        )
    print(bundle(Path(sys.argv[1]), os.environ["CURSOR_SPEND_BI_DATABASE_URI"]))
