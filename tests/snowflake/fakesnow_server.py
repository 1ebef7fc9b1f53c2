"""fakesnow's Snowflake server for the smoke test, run in the Snowflake venv (``python fakesnow_server.py``): it
prints ``port <n>`` when it listens and serves until stdin closes (the test's process ends).

What fakesnow itself lacks is made up here, in the test harness, never in the product:

- A statement fakesnow fails on internally comes back as HTTP 500, which the Snowflake connector retries without
  end: it becomes a SQL error (HTTP 200, ``success: false``), so dbt and dlt fail at once with fakesnow's message.
- ``create or replace temporary table <db>.<schema>.<name>`` fails in DuckDB (temporary tables live in its temp
  catalog only): dbt-snowflake's unit tests and incremental models create them, so they become ordinary tables.
- It casts the arguments of SUM, AVG and MEDIAN to DOUBLE (to mimic Snowflake's implicit cast of text): Snowflake
  sums NUMBER exactly, so the cast is left out (the project never sums text).
- dlt's PUT and COPY INTO spellings that Snowflake accepts and fakesnow's parser does not: a quoted stage target
  (``'@"SCHEMA"."%TABLE"/"load id"'``), file format options separated by commas, ``MATCH_BY_COLUMN_NAME`` quoted.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import sys
import threading
import time

import fakesnow.server
import fakesnow.transforms
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TEMPORARY_TABLE = re.compile(r"^(\s*create\s+or\s+replace\s+)temporary\s+(table\s)", re.IGNORECASE)
QUOTED_STAGE = re.compile(r"""'@("[^"']+"(?:\.?/?"[^"']+")*)([^']*)'""")  # '@"SCHEMA"."%TABLE"/"load id"/file'
FILE_FORMAT = re.compile(r"FILE_FORMAT = \(([^)]*)\)")  # options separated by commas
MATCH_BY_COLUMN_NAME = re.compile(r"MATCH_BY_COLUMN_NAME\s*=\s*'(\w+)'")  # the value quoted


def rewrite(sql: str) -> str:
    """The statement as fakesnow can run it."""
    sql = QUOTED_STAGE.sub(lambda match: "@" + match.group(1).replace('"', "") + match.group(2), sql)
    sql = FILE_FORMAT.sub(lambda match: f"FILE_FORMAT = ({match.group(1).replace(', ', ' ')})", sql)
    sql = MATCH_BY_COLUMN_NAME.sub(r"MATCH_BY_COLUMN_NAME = \1", sql)
    return TEMPORARY_TABLE.sub(r"\1\2", sql)


async def query_request(request: Request) -> Response:
    body = await request.body()
    gzipped = request.headers.get("Content-Encoding") == "gzip"
    payload = json.loads(gzip.decompress(body) if gzipped else body)
    payload["sqlText"] = rewrite(payload["sqlText"])
    text = json.dumps(payload).encode()
    request._body = gzip.compress(text) if gzipped else text  # fakesnow reads the (cached) body again
    response = await fakesnow.server.query_request(request)
    if response.status_code != 500:
        return response
    error = json.loads(response.body)
    data = {"errorCode": error["code"], "sqlState": "XX000"}
    return JSONResponse({"data": data, "code": error["code"], "message": error["message"], "success": False})


def app() -> Starlette:
    """fakesnow's routes, its query route wrapped."""
    routes = [
        Route(route.path, query_request, methods=["POST"]) if route.path == "/queries/v1/query-request" else route
        for route in fakesnow.server.routes
    ]
    return Starlette(routes=routes)


def main() -> None:
    fakesnow.transforms.numeric_agg_implicit_cast = lambda expression: expression
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    print(f"port {port}" if server.started else "failed to start", flush=True)
    sys.stdin.read()  # serve until the test's process closes the pipe (or ends)
    server.should_exit = True
    thread.join(timeout=10)


if __name__ == "__main__":
    main()
