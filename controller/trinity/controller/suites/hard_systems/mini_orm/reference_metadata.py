"""Reference: each model class gets its SQL prepared once (__init_subclass__); rows are
read as dicts through cursor.description; `IS` compares, so None needs no special case."""

import sqlite3
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class TableSQL:
    create: str
    insert: str
    update: str
    select: str
    delete: str
    columns: tuple


def _prepare(cls):
    cols = tuple(cls.fields)
    decl = {str: "TEXT", int: "INTEGER", float: "REAL"}
    t = cls.table
    defs = "".join(f", {c} {decl[cls.fields[c]]}" for c in cols)
    return TableSQL(
        create=f"CREATE TABLE IF NOT EXISTS {t} (id INTEGER PRIMARY KEY{defs})",
        insert=f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        update=f"UPDATE {t} SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
        select=f"SELECT * FROM {t}",
        delete=f"DELETE FROM {t} WHERE id = ?",
        columns=cols,
    )


class Model:
    table: ClassVar[str] = ""
    fields: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._sql = None  # built when first used: the class body is complete by then

    @classmethod
    def sql(cls):
        if cls.__dict__.get("_sql") is None:
            cls._sql = _prepare(cls)
        return cls._sql

    def __init__(self, id=None, **values):
        for key in values:
            if key not in self.fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected field {key!r}")
        self.id = id
        for key in self.fields:
            setattr(self, key, values.get(key))

    def _values(self):
        out = []
        for key, kind in self.fields.items():
            value = getattr(self, key)
            ok = value is None or type(value) in ((int, float) if kind is float else (kind,))
            if not ok and not isinstance(value, kind):
                raise TypeError(f"field {key!r} expects {kind.__name__}: {value!r}")
            out.append(value)
        return out


class Database:
    def __init__(self):
        self.conn = sqlite3.connect(":memory:", isolation_level=None)  # autocommit

    def create_table(self, model):
        self.conn.execute(model.sql().create)

    def save(self, obj):
        sql, values = obj.sql(), obj._values()
        if obj.id is None:
            obj.id = self.conn.execute(sql.insert, values).lastrowid
        else:
            self.conn.execute(sql.update, [*values, obj.id])
        return obj.id

    def _rows(self, model, where="", params=()):
        cursor = self.conn.execute(model.sql().select + where + " ORDER BY id", params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def get(self, model, id):
        for row in self._rows(model, " WHERE id = ?", (id,)):
            return model(**row)
        return None

    def filter(self, model, **conditions):
        allowed = {"id", *model.fields}
        bad = [key for key in conditions if key not in allowed]
        if bad:
            raise ValueError(f"no such field(s): {bad}")
        where = " AND ".join(f"{key} IS ?" for key in conditions)
        rows = self._rows(model, f" WHERE {where}" if where else "", list(conditions.values()))
        return [model(**row) for row in rows]

    def delete(self, obj):
        if obj.id is None:
            return False
        gone = self.conn.execute(obj.sql().delete, (obj.id,)).rowcount
        obj.id = None
        return gone == 1
