"""Reference: a Database class building each statement by hand, values always bound."""

import sqlite3
from typing import ClassVar

SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL"}


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class WrongType(TypeError):
    pass


class Model:
    table: ClassVar[str] = ""
    fields: ClassVar[dict] = {}

    def __init__(self, **values):
        unknown = set(values) - set(self.fields) - {"id"}
        if unknown:
            raise WrongType(f"unknown field(s): {sorted(unknown)}")
        self.id = values.get("id")
        for name in self.fields:
            setattr(self, name, values.get(name))


def _check_types(obj):
    for name, kind in type(obj).fields.items():
        value = getattr(obj, name)
        if value is None:
            continue
        allowed = (int, float) if kind is float else (kind,)
        if not isinstance(value, allowed):
            raise WrongType(f"{name} must be {kind.__name__}, got {type(value).__name__}")


class Database:
    def __init__(self):
        self.conn = sqlite3.connect(":memory:")

    def create_table(self, model):
        columns = ", ".join(f"{name} {SQL_TYPES[kind]}" for name, kind in model.fields.items())
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {model.table} (id INTEGER PRIMARY KEY, {columns})"
        )

    def save(self, obj):
        _check_types(obj)
        model = type(obj)
        names = list(model.fields)
        values = [getattr(obj, name) for name in names]
        if obj.id is None:
            marks = ", ".join("?" for _ in names)
            cursor = self.conn.execute(
                f"INSERT INTO {model.table} ({', '.join(names)}) VALUES ({marks})", values
            )
            obj.id = cursor.lastrowid
        else:
            sets = ", ".join(f"{name} = ?" for name in names)
            self.conn.execute(f"UPDATE {model.table} SET {sets} WHERE id = ?", [*values, obj.id])
        self.conn.commit()
        return obj.id

    def _build(self, model, row):
        obj = model()
        obj.id = row[0]
        for name, value in zip(model.fields, row[1:], strict=True):
            setattr(obj, name, value)
        return obj

    def get(self, model, id):
        found = self.filter(model, id=id)
        return found[0] if found else None

    def filter(self, model, **conditions):
        clauses, params = [], []
        for name, value in conditions.items():
            if name != "id" and name not in model.fields:
                raise InvalidInput(f"{model.__name__} has no field {name!r}")
            if value is None:
                clauses.append(f"{name} IS NULL")
            else:
                clauses.append(f"{name} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        columns = ", ".join(["id", *model.fields])
        rows = self.conn.execute(
            f"SELECT {columns} FROM {model.table}{where} ORDER BY id", params
        ).fetchall()
        return [self._build(model, row) for row in rows]

    def delete(self, obj):
        if obj.id is None:
            return False
        cursor = self.conn.execute(f"DELETE FROM {type(obj).table} WHERE id = ?", (obj.id,))
        self.conn.commit()
        obj.id = None
        return cursor.rowcount > 0
