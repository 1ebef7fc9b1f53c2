"""cursor-spend as a package: what the wheel holds, what a plain install pulls, and a demo run from a built wheel.

The slow tests build the wheel from the working tree (and an editable install of it, as `make` does: neither prints
a build warning), install it into a fresh virtual environment (versions from requirements.lock, downloads from the
pip cache) and run ``cursor-spend demo`` from an empty folder: no repository, no editable install, no CURSOR_*
settings; once more in a venv of the newest Python that requires-python allows (one install, one demo).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import metadata
from pathlib import Path

import duckdb
import pytest

from cursor_simulator.team import TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.config import DBT_PROJECT_DIR
from tests.truth import expected_seat_costs, expected_usage_costs

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SOURCE_PACKAGES = ("cursor_spend", "cursor_simulator", "dlt_sources")
PACKAGED_DBT_PROJECT = "cursor_spend/dbt_project"
DEMO = {"members": 12, "days": 10}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group(0)) for requirement in requirements}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _tracked(folder: str) -> list[str]:
    """The working tree's files under ``folder`` that git does not ignore (committed or not)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", folder],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return sorted(path for path in listed if (REPO / path).is_file())


# --- fast checks of the package definition -------------------------------------------------------------------


def test_the_wheel_takes_the_source_packages_and_maps_the_dbt_project_into_cursor_spend() -> None:
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert set(wheel["only-include"]) == {*SOURCE_PACKAGES, "dbt_project"}
    assert wheel["sources"] == {"dbt_project": PACKAGED_DBT_PROJECT}


def test_a_checkout_resolves_the_repository_dbt_project() -> None:
    assert DBT_PROJECT_DIR == REPO / "dbt_project"
    assert (DBT_PROJECT_DIR / "dbt_project.yml").is_file()


def _module_level_imports(path: Path) -> set[str]:
    """Top-level names of the third-party modules a module imports when it is imported (not inside functions)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(SOURCE_PACKAGES) - {"__future__"}


@pytest.mark.parametrize(
    ("modules", "extras"),
    [
        ("cursor_spend/**/*.py", ()),
        ("dlt_sources/**/*.py", ()),
        ("cursor_simulator/*.py", ("simulator",)),
    ],
    ids=["cli-and-pipeline", "dlt-source", "simulator"],
)
def test_what_modules_import_at_import_time_is_a_declared_dependency(modules: str, extras: tuple[str, ...]) -> None:
    """The plain install must run the CLI: every third-party module imported at module level is a base dependency
    (the simulator's may come from its extra). cursor_spend.airflow imports Airflow only inside functions."""
    project = PYPROJECT["project"]
    declared = _requirement_names(project["dependencies"])
    for extra in extras:
        declared |= _requirement_names(project["optional-dependencies"][extra])
    distributions = metadata.packages_distributions()
    undeclared = {}
    for path in REPO.glob(modules):
        for name in _module_level_imports(path):
            providers = {_canonical(dist) for dist in distributions.get(name, [name])}
            if not providers & declared:
                undeclared[f"{path.relative_to(REPO)}: {name}"] = sorted(providers)
    assert undeclared == {}, "imported at module level but not a declared dependency"


def test_the_plain_install_pulls_no_airflow_and_no_web_server() -> None:
    base = _requirement_names(PYPROJECT["project"]["dependencies"])
    assert not {name for name in base if name.startswith("apache-airflow")}
    assert not base & {"starlette", "uvicorn", "fastapi"}


APART = "snowflake"  # the extra whose tested set is requirements-snowflake.lock (dbt-snowflake pins certifi apart)


def _locked(name: str) -> set[str]:
    return _requirement_names(line for line in (REPO / name).read_text().splitlines() if not line.startswith("#"))


def test_every_requirement_is_pinned_by_the_lock() -> None:
    """requirements.lock is the resolved set of everything but the Snowflake extra: each requirement of every other
    extra is in it; requirements-snowflake.lock holds the base and the Snowflake extra's."""
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    every = [*project["dependencies"], *(r for extra, reqs in extras.items() if extra != APART for r in reqs)]
    assert _requirement_names(every) - {"cursor-spend"} <= _locked("requirements.lock")
    assert _requirement_names([*project["dependencies"], *extras[APART]]) <= _locked("requirements-snowflake.lock")


# --- the built wheel --------------------------------------------------------------------------------------------


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree (git's files, not the ignored ones) in which a dbt run has left target/ and
    logs/, so that the wheel must leave them out."""
    source = tmp_path_factory.mktemp("source")
    for path in _tracked("."):
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, source / path)
    for leftover in ("target/manifest.json", "logs/dbt.log", ".user.yml"):
        (source / "dbt_project" / leftover).parent.mkdir(parents=True, exist_ok=True)
        (source / "dbt_project" / leftover).write_text("{}")
    return source


@dataclass
class Built:
    wheel: Path
    output: str  # what `pip wheel --quiet` printed, as `make` would show it


@pytest.fixture(scope="module")
def built(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    dist = tmp_path_factory.mktemp("dist")
    result = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(source)])
    (wheel,) = dist.glob("cursor_spend-*.whl")
    return Built(wheel, result.stdout + result.stderr)


@pytest.fixture(scope="module")
def wheel(built: Built) -> Path:
    return built.wheel


def _backend_warnings(output: str) -> list[str]:
    """The build backend's warnings as pip prints them (a BuildBackendWarning per warning; setuptools' "Package
    would be ignored" for each data folder Python could import)."""
    return [line for line in output.splitlines() if "BuildBackendWarning" in line or "would be ignored" in line]


@pytest.mark.slow
def test_building_the_wheel_and_the_editable_install_print_no_build_warning(
    built: Built, source: Path, tmp_path: Path
) -> None:
    """`make` installs the checkout in editable mode with --quiet, which still shows the backend's warnings."""
    assert _backend_warnings(built.output) == []
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    editable = _run(_pip(venv, "install", "--quiet", "--no-deps", "-e", str(source)))
    assert _backend_warnings(editable.stdout + editable.stderr) == []
    where = [str(venv / "bin" / "python"), "-c", "import cursor_spend; print(cursor_spend.__file__)"]
    assert _run(where, cwd=tmp_path).stdout.strip() == str(source / "cursor_spend" / "__init__.py")


@pytest.mark.slow
def test_the_wheel_holds_the_whole_dbt_project_and_nothing_dbt_writes(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packaged = sorted(name for name in names if name.startswith(PACKAGED_DBT_PROJECT + "/"))
    assert packaged == [PACKAGED_DBT_PROJECT + path.removeprefix("dbt_project") for path in _tracked("dbt_project")]
    sources = {path for top in SOURCE_PACKAGES for path in _tracked(top)}  # modules and package data (templates)
    assert sources <= set(names)


def _pip(venv: Path, *args: str) -> list[str]:
    """This interpreter's pip acting on ``venv`` (``pip --python``): the venv needs no pip of its own."""
    return [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), *args]


def _install(venv: Path, requirement: str) -> None:
    """Install with the lock's versions; no .pyc compilation (Python compiles what it imports, when it does)."""
    _run(_pip(venv, "install", "--quiet", "--no-compile", "-c", str(REPO / "requirements.lock"), requirement))


def _installed(venv: Path, distribution: str) -> bool:
    return subprocess.run(_pip(venv, "show", "--quiet", distribution), capture_output=True).returncode == 0


def _user_env(venv: Path) -> dict[str, str]:
    """A user's shell with the venv activated: no CURSOR_* settings, nothing of this repository on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "PYTHON", "VIRTUAL_ENV", "AIRFLOW"))}
    return env | {"PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv)}


def _cursor_spend(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [str(venv / "bin" / "cursor-spend"), *args]
    return subprocess.run(command, cwd=cwd, env=_user_env(venv), capture_output=True, text=True, timeout=900)


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if "__pycache__" not in path.parts)


@dataclass
class Demo:
    """``cursor-spend demo`` run from an installed wheel."""

    demo_dir: Path
    demo: subprocess.CompletedProcess


@dataclass
class Install(Demo):
    """One fresh venv: what the plain install gave, then the demo run after adding the extras."""

    venv: Path
    package: Path  # <venv>/lib/python3.x/site-packages/cursor_spend
    plain_absent: dict[str, bool]  # distribution -> not installed by the plain install
    plain_commands: dict[str, subprocess.CompletedProcess]  # demo, simulate without the simulator extra
    package_files: tuple[list[str], list[str]]  # the installed package's files before and after the demo


@pytest.fixture(scope="module")
def install(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Install:
    """A fresh venv with the plain wheel (versions from the lock), then ``[simulator,postgres]`` and the demo, run
    from an empty folder."""
    venv = tmp_path_factory.mktemp("venv")
    cwd = tmp_path_factory.mktemp("empty")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    _install(venv, str(wheel))
    absent = ("apache-airflow", "apache-airflow-core", "starlette", "uvicorn", "psycopg2-binary")
    plain_absent = {name: not _installed(venv, name) for name in absent}
    plain_commands = {command: _cursor_spend(venv, cwd, command) for command in ("demo", "simulate")}

    _install(venv, f"{wheel}[simulator,postgres]")
    where = [str(venv / "bin" / "python"), "-c", "import cursor_spend; print(cursor_spend.__file__)"]
    site = _run(where, cwd=cwd, env=_user_env(venv))  # not from the repository: the installed package
    package = Path(site.stdout.strip()).parent
    before = _files(package)
    demo = _demo(venv, cwd)
    return Install(cwd / "out", demo, venv, package, plain_absent, plain_commands, (before, _files(package)))


def _demo(venv: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``cursor-spend demo`` from ``cwd`` into ``cwd/out``."""
    args = ["--members", str(DEMO["members"]), "--days", str(DEMO["days"]), "--dir", str(cwd / "out")]
    demo = _cursor_spend(venv, cwd, "demo", *args)
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-4000:]
    return demo


def _newest_python() -> tuple[str, Path | None]:
    """The newest Python minor that requires-python allows (``<3.N``: 3.N-1), and an interpreter of it: pyenv's
    (these machines have 3.13.0 there; its shims on the PATH work only when pyenv selects that version), else one on
    the PATH."""
    minor = int(re.search(r"<\s*3\.(\d+)", PYPROJECT["project"]["requires-python"]).group(1)) - 1
    version = f"3.{minor}"
    pyenv = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    found = pyenv[-1] if pyenv else shutil.which(f"python{version}")
    return version, Path(found) if found else None


@pytest.fixture(scope="module")
def newest_python_demo(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The wheel with ``[simulator,postgres]`` (the lock's versions) in a fresh venv of the newest Python that
    requires-python allows, and the demo from an empty folder: one install, one demo."""
    version, python = _newest_python()
    if python is None:
        pytest.skip(f"no Python {version} interpreter on this machine (PATH or ~/.pyenv/versions)")
    venv = tmp_path_factory.mktemp(f"venv{version}")
    cwd = tmp_path_factory.mktemp("empty")
    _run([str(python), "-m", "venv", "--without-pip", str(venv)])
    _install(venv, f"{wheel}[simulator,postgres]")
    return Demo(cwd / "out", _demo(venv, cwd))


@pytest.mark.slow
def test_plain_install_has_no_airflow_and_simulator_commands_ask_for_their_extra(install: Install) -> None:
    assert all(install.plain_absent.values()), f"the plain install pulled {install.plain_absent}"
    for result in install.plain_commands.values():
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().count("\n") == 0, result.stderr  # one line, no traceback
        assert "pip install 'cursor-spend[simulator]'" in result.stderr


@pytest.mark.slow
def test_extras_add_the_simulator_and_postgresql_but_still_no_airflow(install: Install) -> None:
    assert not _installed(install.venv, "apache-airflow") and not _installed(install.venv, "apache-airflow-core")
    python = str(install.venv / "bin" / "python")
    imports = "import psycopg2, dbt.adapters.postgres, dlt.destinations.impl.postgres.factory"
    _run([python, "-c", imports], cwd=install.demo_dir, env=_user_env(install.venv))
    assert install.package.is_relative_to(install.venv)
    assert (install.package / "dbt_project" / "dbt_project.yml").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("python", ["oldest", "newest"])
def test_demo_from_the_wheel_builds_every_day_of_the_marts_as_the_simulator_says(python: str, request) -> None:
    """On the oldest Python requires-python allows (this venv's, 3.11) and on the newest (3.13)."""
    install: Demo = request.getfixturevalue("install" if python == "oldest" else "newest_python_demo")
    first, last = (date.fromisoformat(day) for day in re.search(r"\((\S+) to (\S+)\)", install.demo.stdout).groups())
    usage = TeamUsage(TeamSpec(api_key="any", members=DEMO["members"], days=DEMO["days"], end_date=last))
    assert usage.spec.start_date == first
    expected: dict[date, Decimal] = defaultdict(Decimal)
    for (_, _, _, day), (_, _, listed) in expected_usage_costs(usage, first, last).items():
        expected[day] += listed
    for (_, day), cost in expected_seat_costs(usage, first, last, Decimal(40)).items():
        expected[day] += cost

    with duckdb.connect(str(install.demo_dir / "warehouse" / "cursor_spend.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select usage_date, sum(list_cost_usd) from marts.fct_cursor_costs_daily group by 1 order by 1"
        ).fetchall()
    assert [day for day, _ in rows] == sorted(expected)  # every day of the simulated team, no other
    assert dict(rows) == dict(expected)
    assert (install.demo_dir / "cursor-spend-report.html").is_file()


@pytest.mark.slow
def test_the_demo_writes_nothing_into_the_installed_package(install: Install) -> None:
    """dbt's target/, logs/ and .user.yml belong beside the warehouse, not in site-packages."""
    before, after = install.package_files
    assert sorted(set(after) - set(before)) == []
