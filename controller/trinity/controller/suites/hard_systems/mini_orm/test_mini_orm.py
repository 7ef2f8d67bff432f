"""Hidden checks for hard_systems/mini_orm: every check builds its own Database.

Checks read the SQLite connection directly (db.conn) to see what was really stored:
tables, declared column types, rows. Raw rows are turned into lists, so a solution may
set a row_factory.
"""

from solution import Database, Model


class User(Model):
    table = "users"
    fields = {"name": str, "age": int, "score": float}  # noqa: RUF012 (as in the prompt)


class Note(Model):
    table = "notes"
    fields = {"title": str, "stars": int}  # noqa: RUF012


def _db(*models):
    db = Database()
    for model in models:
        db.create_table(model)
    return db


def _raw(db, sql, params=()):
    return [list(row) for row in db.conn.execute(sql, params).fetchall()]


def _user(obj):
    assert isinstance(obj, User), f"expected a User, got {type(obj).__name__}"
    return [obj.id, obj.name, obj.age, obj.score]


def _users(objs):
    assert isinstance(objs, list), f"filter must return a list, got {type(objs).__name__}"
    return [_user(obj) for obj in objs]


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return True
    return False


def _seed(db):
    people = [
        User(name="ann", age=31, score=4.5),
        User(name="bob", age=25, score=3.0),
        User(name="cid", age=31),
        User(name="dee", age=25, score=4.5),
        User(name="eve", score=1.25),
    ]
    for person in people:
        db.save(person)
    return people


def check_schema():
    db = _db(User, Note)
    db.create_table(User)  # again: nothing happens
    out = []
    for table in ("users", "notes"):
        rows = _raw(db, f"PRAGMA table_info({table})")
        out.append([[row[1], str(row[2]).upper(), row[5]] for row in rows])
    return out


def check_insert_and_get():
    db = _db(User)
    ann = User(name="ann", age=31, score=4.5)
    assert ann.id is None, "a new instance has id None"
    ids = [db.save(ann), db.save(User(name="bob", age=25, score=3)), db.save(User())]
    assert ann.id == 1, f"save must set obj.id, got {ann.id!r}"
    return [ids, [_user(db.get(User, i)) for i in ids]]


def check_rows_in_sqlite():
    db = _db(User, Note)
    _seed(db)
    db.save(Note(title="hello", stars=5))
    return [
        _raw(db, "SELECT id, name, age, score FROM users ORDER BY id"),
        _raw(db, "SELECT id, title, stars FROM notes"),
        _raw(db, "SELECT typeof(age), typeof(score) FROM users WHERE name = 'bob'"),
    ]


def check_get_missing():
    db = _db(User)
    assert db.get(User, 1) is None, "get on an empty table must return None"
    _seed(db)
    assert db.get(User, 999) is None, "get of a missing id must return None"
    assert db.get(User, 0) is None, "get of a missing id must return None"
    assert _user(db.get(User, 5)) == [5, "eve", None, 1.25]


def check_update():
    db = _db(User)
    people = _seed(db)
    bob = people[1]
    bob.age = 26
    bob.score = None
    assert db.save(bob) == 2, "save of a saved object returns its id"
    fetched = db.get(User, 3)
    fetched.name = "not saved"
    fetched2 = db.get(User, 3)
    assert fetched2.name == "cid", "get must build a new object from the stored row"
    fetched2.name = "cyd"
    db.save(fetched2)
    return _raw(db, "SELECT id, name, age, score FROM users ORDER BY id")


def check_delete():
    db = _db(User)
    people = _seed(db)
    cid = people[2]
    assert db.delete(cid) is True, "delete of a stored object returns True"
    assert cid.id is None, "after delete, obj.id is None"
    assert db.delete(cid) is False, "delete of an object with id None returns False"
    assert db.delete(User(name="never saved")) is False
    ghost = User(id=3, name="cid")
    assert db.delete(ghost) is False, "delete of an id with no row returns False"
    assert db.get(User, 3) is None
    ids = [row[0] for row in _raw(db, "SELECT id FROM users ORDER BY id")]
    assert ids == [1, 2, 4, 5], f"rows left: {ids!r}"
    again = User(name="new")
    assert db.save(again) == 6, "a new row after a delete gets a new id"


def check_filter():
    db = _db(User)
    _seed(db)
    return [
        _users(db.filter(User, age=31)),
        _users(db.filter(User, age=25, score=4.5)),
        _users(db.filter(User, score=4.5, name="ann")),
        _users(db.filter(User, name="nobody")),
        [row[1] for row in _users(db.filter(User))],
        _users(db.filter(User, id=4)),
        _users(db.filter(User, score=3)),
    ]


def check_filter_none():
    db = _db(User)
    _seed(db)
    return [
        [row[1] for row in _users(db.filter(User, score=None))],
        [row[1] for row in _users(db.filter(User, age=None))],
        [row[1] for row in _users(db.filter(User, age=None, score=1.25))],
        [row[1] for row in _users(db.filter(User, name=None))],
    ]


def check_filter_unknown_field():
    db = _db(User)
    _seed(db)
    for bad in ({"nickname": "x"}, {"title": "x"}, {"name": "ann", "AGE": 31}):
        assert _raises(ValueError, db.filter, User, **bad), f"filter(User, **{bad}): ValueError"


TRICKY = [
    "Robert'); DROP TABLE users;--",
    "O'Brien",
    "' OR '1'='1",
    '"double" quotes',
    "semi;colon -- comment /* c */",
    "back\\slash and %_ wildcards",
    "?",
    ":name",
    "tab\tnew\nline",
    "naïve ✓ 日本",
    "",
]


def check_sql_injection():
    db = _db(User)
    for text in TRICKY:
        db.save(User(name=text, age=len(text)))
    stored = [row[0] for row in _raw(db, "SELECT name FROM users ORDER BY id")]
    assert stored == TRICKY, f"names not stored verbatim: {stored!r}"
    found = [[row[0] for row in _users(db.filter(User, name=text))] for text in TRICKY]
    probe = _users(db.filter(User, name="x' OR 1=1 --"))
    assert probe == [], "a filter value must be compared, never run as SQL"
    renamed = db.get(User, 2)
    renamed.name = "x', age = 0 WHERE 1=1; --"
    db.save(renamed)
    ages = [row[0] for row in _raw(db, "SELECT age FROM users ORDER BY id")]
    return [found, [_user(obj)[1] for obj in db.filter(User, age=len("O'Brien"))], ages]


def check_type_errors():
    db = _db(User)
    _seed(db)
    failures = []
    for bad in ({"name": 3}, {"age": "31"}, {"age": 2.5}, {"score": "4.5"}, {"name": b"x"}):
        if not _raises(TypeError, db.save, User(**bad)):
            failures.append(f"save(User(**{bad!r}))")
    ann = db.get(User, 1)
    ann.age = "old"
    if not _raises(TypeError, db.save, ann):
        failures.append("save of an update with age='old'")
    if not _raises(TypeError, User, nickname="x"):
        failures.append("User(nickname='x')")
    assert not failures, f"no TypeError from {failures}"
    rows = _raw(db, "SELECT id, name, age FROM users ORDER BY id")
    assert len(rows) == 5 and rows[0] == [1, "ann", 31], f"a rejected save wrote: {rows!r}"
    ok = User(name="int score", score=7)  # an int is fine for a float field
    db.save(ok)
    got = db.get(User, ok.id).score
    assert isinstance(got, float) and got == 7.0, f"an int saved in a float field reads {got!r}"


def check_independent_databases():
    first, second = _db(User, Note), _db(User)
    first.save(User(name="in first"))
    first.save(Note(title="a note"))
    second.save(User(name="in second"))
    second.save(User(name="in second too"))
    first.save(Note(title="another"))
    return [
        [row[1] for row in _users(first.filter(User))],
        [row[1] for row in _users(second.filter(User))],
        [[note.id, note.title, note.stars] for note in first.filter(Note)],
        _raw(
            second,
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite%' ORDER BY name",
        ),
    ]
