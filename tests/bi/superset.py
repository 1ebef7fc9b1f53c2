"""Apache Superset for the BI tests, set up the way docker-compose's `superset` service sets it up (bi/superset).

Superset is a server of its own, not a dependency of cursor-spend: it gets a virtual environment of its own with
Python 3.11, installed by uv (the dev extra's) from the pinned bi/superset/requirements.lock and cached outside the
repository in ``~/.cache/cursor-spend/superset-<version>-<lock hash>`` (``$XDG_CACHE_HOME`` when set), built once
under a lock (pytest processes may race). Each test server has its own SQLite metadata database, secret key and
admin password in a temporary folder, listens on a free loopback port and is stopped with its whole process group.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from cursor_simulator import free_port

REPO = Path(__file__).resolve().parents[2]
BI = REPO / "bi"
LOCK = BI / "superset" / "requirements.lock"
READER = "cursor_spend_reader"
VERSION = "6.1.0"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cursor-spend"


def install() -> tuple[Path, float | None]:
    """Superset's virtual environment, built on first use; returns it and the seconds this call spent building it
    (None when it was already there)."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    venv = cache_dir() / f"superset-{VERSION}-{digest}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".superset-{VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / ".complete").exists():
            return venv, None
        started = time.monotonic()
        shutil.rmtree(venv, ignore_errors=True)  # an install that was interrupted
        uv = [str(Path(sys.executable).with_name("uv"))]
        env = os.environ | {"UV_PYTHON_DOWNLOADS": "never"}
        run = {"env": env, "capture_output": True, "text": True, "timeout": 1200}
        for command in (
            [*uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-r", str(LOCK)],
        ):
            result = subprocess.run(command, **run)
            if result.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
        seconds = time.monotonic() - started
        (venv / ".complete").write_text(f"{LOCK.name} {digest}, installed in {seconds:.1f} s\n")
        return venv, seconds


def create_reader(owner_url: str) -> str:
    """Run bi/postgres/reader_role.sql (the role, its password) as the warehouse's owner; returns the reader's
    SQLAlchemy URL (with a new password) to the same database."""
    password = secrets.token_urlsafe(16)
    psql = [
        "psql", owner_url, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-v", f"reader={READER}",
        "-v", f"reader_password={password}", "-f", str(BI / "postgres" / "reader_role.sql"),
    ]  # fmt: skip
    result = subprocess.run(psql, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    url = urlsplit(owner_url)
    return f"postgresql+psycopg2://{READER}:{quote(password, safe='')}@{url.hostname}:{url.port}{url.path}"


class Superset:
    """A Superset server over ``database_uri`` (the warehouse's read-only connection), set up by bootstrap.sh."""

    def __init__(self, venv: Path, home: Path, database_uri: str) -> None:
        self.venv, self.home = venv, home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_password = secrets.token_urlsafe(12)
        self.env = os.environ | {
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "SUPERSET_CONFIG_PATH": str(BI / "superset" / "superset_config.py"),
            "SUPERSET_HOME": str(home),
            "SUPERSET_SECRET_KEY": secrets.token_urlsafe(32),
            "SUPERSET_ADMIN_PASSWORD": self.admin_password,
            "CURSOR_SPEND_BI_DATABASE_URI": database_uri,
            "CURSOR_SPEND_PUBLIC_DASHBOARDS": "true",  # the headless browser looks without logging in
            "SCARF_ANALYTICS": "false",  # no telemetry pixel
        }
        self._process: subprocess.Popen | None = None
        self._token: str | None = None

    def bootstrap(self) -> str:
        """bi/superset/bootstrap.sh: migrate, admin, roles, `superset import-dashboards`; returns its output."""
        result = subprocess.run(
            ["bash", str(BI / "superset" / "bootstrap.sh")], env=self.env, cwd=self.home, capture_output=True,
            text=True, timeout=900,
        )  # fmt: skip
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-5000:]
        return output

    def start(self) -> Superset:
        """gunicorn with Superset's app, as the image's run-server.sh starts it; waits for /health."""
        log = open(self.home / "server.log", "w")  # the server writes it; this process closes its copy below
        gunicorn = [
            str(self.venv / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
            "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "superset.app:create_app()",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            gunicorn, env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self._process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"Superset did not answer /health in 180 s:\n{self.log()}")

    def stop(self) -> None:
        """Stop gunicorn and its workers (the whole process group)."""
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(30)

    def log(self) -> str:
        return (self.home / "server.log").read_text()[-5000:]

    def get(self, path: str) -> dict:
        """GET an API path as the admin (a JWT from /api/v1/security/login)."""
        if self._token is None:
            login = {"username": "admin", "password": self.admin_password, "provider": "db", "refresh": False}
            response = httpx.post(f"{self.url}/api/v1/security/login", json=login, timeout=60)
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        response = httpx.get(f"{self.url}{path}", headers={"Authorization": f"Bearer {self._token}"}, timeout=120)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:2000]}"
        return response.json()
