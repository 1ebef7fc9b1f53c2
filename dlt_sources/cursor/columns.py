"""How a raw table is declared (:mod:`.schema` declares them all): its columns, each with its type, the documented API
field it comes from and that field's JSON kind (checked for drift), its keys and write disposition; and what derives
from a declaration: the dlt column hints and ``@dlt.resource`` arguments, the drift checks' field map, the Arrow
schema.

Field kinds: s = string, i = integer, n = number (money), b = boolean, d = digits string (epoch ms).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

MONEY = ("decimal", 38, 9)  # cents as the API prints them, exact


@dataclass(frozen=True)
class Column:
    name: str
    type: str | tuple  # a dlt data type, or ("decimal", precision, scale)
    field: str | None = None  # the documented API field ("tokenUsage.inputTokens" inside an object)
    kind: str | None = None  # the field's JSON kind, checked on every record
    required: bool = False  # never null (the keys)

    def hint(self) -> dict:
        if isinstance(self.type, tuple):
            kind, precision, scale = self.type
            hint = {"data_type": kind, "precision": precision, "scale": scale}
        else:
            hint = {"data_type": self.type}
        return hint | ({"nullable": False} if self.required else {})


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()  # default: the required columns
    write_disposition: str | dict = "merge"
    merge_key: str | None = None
    checked: tuple[tuple[str, str], ...] = ()  # documented fields checked for drift but not stored as such

    def __post_init__(self) -> None:
        if not self.primary_key:
            object.__setattr__(self, "primary_key", tuple(c.name for c in self.columns if c.required))

    def hints(self) -> dict[str, dict]:
        """dlt column hints."""
        return {c.name: c.hint() for c in self.columns}

    def fields(self, prefix: str = "") -> dict[str, str]:
        """Documented API field -> kind, for the drift checks (``prefix`` selects a nested object's fields)."""
        found = {c.field: c.kind for c in self.columns if c.field and c.kind} | dict(self.checked)
        if prefix:
            return {name[len(prefix) + 1 :]: kind for name, kind in found.items() if name.startswith(prefix + ".")}
        return {name: kind for name, kind in found.items() if "." not in name}

    def resource(self) -> dict:
        """The arguments of ``@dlt.resource`` for this table: every resource is read beside the others
        (``parallelized``, see :mod:`.reading`)."""
        args = {"name": self.name, "write_disposition": self.write_disposition, "columns": self.hints()}
        args["parallelized"] = True
        if self.merge_key:
            return args | {"merge_key": self.merge_key}
        return args | {"primary_key": self.primary_key}


_ARROW_TYPES = {
    "text": pa.string(), "bigint": pa.int64(), "bool": pa.bool_(), "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(), "json": pa.string(),
}  # fmt: skip


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a table (the types its columns declare)."""
    fields = []
    for column in table.columns:
        kind = pa.decimal128(*column.type[1:]) if isinstance(column.type, tuple) else _ARROW_TYPES[column.type]
        fields.append(pa.field(column.name, kind, not column.required))
    return pa.schema(fields)
