"""docker-compose.yml is valid, and every service, command, path and name it refers to exists in the repo."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from cursor_spend.airflow.dag_settings import POOL, warehouse_pool
from cursor_spend.cli import build_parser
from tests.airflow import REPO

COMPOSE = REPO / "docker-compose.yml"
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}


def _defaults(value):
    """Resolve ``${NAME:-default}`` / ``${NAME}`` the way compose does with none of the variables set."""
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value).replace("$$", "$")
    if isinstance(value, list):
        return [_defaults(item) for item in value]
    if isinstance(value, dict):
        return {key: _defaults(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def compose() -> dict:
    return _defaults(yaml.safe_load(COMPOSE.read_text()))


def test_compose_file_is_valid_for_docker_compose() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        reason = "docker-compose is not installed (apt-get install -y docker-compose); compose file not validated"
        print(reason)
        pytest.skip(reason)
    result = subprocess.run([binary, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr


def test_services_run_airflow_3_with_local_executor(compose: dict) -> None:
    services = compose["services"]
    assert set(services) >= {"postgres", "airflow-init", "cursor-api-simulator", *AIRFLOW_COMMANDS}
    for name, command in AIRFLOW_COMMANDS.items():
        assert services[name]["command"] == command
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_image_is_built_from_the_repository_dockerfile(compose: dict) -> None:
    service = compose["services"]["airflow-scheduler"]
    assert service["build"] == "."
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2-python3.11" in dockerfile
    for line in dockerfile.splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            for source in line.split()[1:-1]:
                if not source.startswith("--"):
                    assert (REPO / source).exists(), source
    assert "requirements.lock" in dockerfile
    assert "pip wheel" in dockerfile and "-e ." not in dockerfile  # installed as a package, not the repository


def test_mounted_paths_and_folders_exist(compose: dict) -> None:
    service = compose["services"]["airflow-scheduler"]
    env = service["environment"]
    mounts = dict(volume.split(":")[:2] for volume in service["volumes"])
    for source in mounts:
        assert source in compose["volumes"], source
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"COPY --chown=airflow:0 dags/ {env['AIRFLOW__CORE__DAGS_FOLDER']}/" in dockerfile  # DAGs in the image
    assert list((REPO / "dags").glob("cursor_spend_*.py"))
    warehouse_mount = next(target for source, target in mounts.items() if source == "cursor-warehouse")
    assert Path(env["CURSOR_SPEND_DUCKDB"]).parent == Path(warehouse_mount)


def test_init_creates_the_single_slot_duckdb_pool(compose: dict) -> None:
    init = compose["services"]["airflow-init"]
    script = " ".join(init["command"])
    assert f"airflow pools set {POOL} 1" in script
    assert init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"


def test_simulator_serves_the_key_and_url_airflow_uses_by_default(compose: dict) -> None:
    simulator = compose["services"]["cursor-api-simulator"]
    assert simulator["entrypoint"] == ["cursor-spend"]
    args = build_parser().parse_args(simulator["command"])  # the CLI accepts the command as written
    assert args.command == "simulate" and args.host == "0.0.0.0"
    env = compose["services"]["airflow-scheduler"]["environment"]
    assert env["CURSOR_API_BASE_URL"] == f"http://cursor-api-simulator:{args.port}"
    assert env["CURSOR_API_KEY"] == args.api_key
    assert "${CURSOR_API_BASE_URL:-" in COMPOSE.read_text()  # one variable switches to the real API


def test_the_pipeline_uses_the_postgresql_warehouse_service_without_a_password_in_any_url(compose: dict) -> None:
    warehouse = compose["services"]["warehouse-postgres"]
    assert warehouse["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    env = compose["services"]["airflow-scheduler"]["environment"]
    url = env["CURSOR_SPEND_WAREHOUSE"]
    assert url == (
        f"postgresql://{warehouse['environment']['POSTGRES_USER']}@warehouse-postgres:5432/"
        f"{warehouse['environment']['POSTGRES_DB']}"
    )
    assert env["PGPASSWORD"] == warehouse["environment"]["POSTGRES_PASSWORD"]
    assert (
        compose["services"]["airflow-scheduler"]["depends_on"]["warehouse-postgres"]["condition"] == "service_healthy"
    )
    assert warehouse_pool(env) == "default_pool"


def _mounts(service: dict) -> dict[str, str]:
    return dict(volume.split(":")[:2] for volume in service["volumes"])


def test_superset_imports_the_dashboards_as_code_and_reads_the_warehouse_as_the_reader(compose: dict) -> None:
    services = compose["services"]
    superset, reader, warehouse = services["superset"], services["warehouse-reader"], services["warehouse-postgres"]
    assert superset["image"].startswith("apache/superset:6.1.0")
    bi = _mounts(superset)["./bi/superset"]  # the repository's config, bootstrap and dashboards
    assert Path(superset["environment"]["SUPERSET_CONFIG_PATH"]) == Path(bi) / "superset_config.py"
    command = " ".join(superset["command"])
    assert f"{bi}/bootstrap.sh && exec /usr/bin/run-server.sh" in command
    assert "superset import-dashboards" in (REPO / "bi" / "superset" / "bootstrap.sh").read_text()

    # warehouse-reader runs the repository's reader_role.sql as the warehouse's owner, before Superset starts
    args = reader["command"]
    script = Path(args[args.index("-f") + 1])
    assert (REPO / "bi" / "postgres" / script.name).is_file()
    assert _mounts(reader)["./bi/postgres"] == str(script.parent)
    owner = urlsplit(args[1])
    assert (owner.username, owner.hostname) == (warehouse["environment"]["POSTGRES_USER"], "warehouse-postgres")
    assert reader["environment"]["PGPASSWORD"] == warehouse["environment"]["POSTGRES_PASSWORD"]
    assert superset["depends_on"]["warehouse-reader"]["condition"] == "service_completed_successfully"

    # Superset connects as that reader, with its password, to the warehouse's database
    variables = dict(args[n + 1].split("=", 1) for n, arg in enumerate(args) if arg == "-v")
    uri = urlsplit(superset["environment"]["CURSOR_SPEND_BI_DATABASE_URI"])
    assert (uri.username, uri.password) == (variables["reader"], variables["reader_password"])
    assert (uri.hostname, uri.path) == ("warehouse-postgres", "/" + warehouse["environment"]["POSTGRES_DB"])
    assert "superset-home" in compose["volumes"]

    # every build grants that reader the marts: the Airflow tasks name it, and start once it exists
    for name in ("airflow-init", "airflow-scheduler", "airflow-dag-processor"):
        assert services[name]["environment"]["CURSOR_SPEND_READER_ROLES"] == variables["reader"], name
        assert services[name]["depends_on"]["warehouse-reader"]["condition"] == "service_completed_successfully"
