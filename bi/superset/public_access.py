"""Let Superset's Public role (anonymous visitors, CURSOR_SPEND_PUBLIC_DASHBOARDS=true) read the datasets of
cursor-spend's warehouse connection: Gamma, which Public copies, has no data access of its own. Run by bootstrap.sh
after the import, with Superset's Python."""

from pathlib import Path

import yaml
from superset.app import create_app

DATABASES = Path(__file__).resolve().parent / "dashboards" / "databases"

app = create_app()
with app.app_context():
    from superset import db, security_manager
    from superset.models.core import Database

    public = security_manager.find_role("Public")
    for path in sorted(DATABASES.glob("*.yaml")):
        uuid = yaml.safe_load(path.read_text())["uuid"]
        database = db.session.query(Database).filter_by(uuid=uuid).one()
        permission = security_manager.add_permission_view_menu("database_access", database.perm)
        security_manager.add_permission_role(public, permission)
    db.session.commit()
