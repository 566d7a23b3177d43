#!/usr/bin/python3
"""Run a scripted sequence of Alembic commands and report the version rows after each.

Reads a JSON spec on stdin:

    {"revisions": [{"id": "a1", "down": [], "labels": [], "depends_on": [], "message": "",
                    "file": "r0000.py"}],           # file: optional; default r<index>.py
     "ops": [["upgrade", "heads"], ["downgrade", "-1"], ["stamp", ["x", "y"], {"purge": true}]],
     "url": "sqlite:////tmp/x.db",          # optional; default: a fresh temp SQLite file
     "version_table": "alembic_version",    # optional
     "version_table_schema": null,          # optional
     "reset": true}                         # optional; drop leftover tables first

and prints a JSON list with one entry per op:

    {"heads": [...], "rows": [...sorted version_num rows...], "ran": [["rev", "up"], ...]}
    {"error": "<exception class>: <message>", "where": "file:line in fn", "heads": [...],
     "rows": [...rows after the failure...], "ran": [...migrations whose log rows survived...]}

"heads" holds the same rows in the order the database returns them without ORDER BY, which
is the order Alembic works with (`downgrade -1` with several rows starts from the first).

Revision files are read in sorted file-name order (see pin_load_order), which by default is
the order of "revisions". Each revision's upgrade()/downgrade() appends a row to `oracle_log(seq, rev, direction)` in
the same transaction as Alembic's own version-table writes, so `ran` shows what really ran
and stayed committed. Needs only the standard library, alembic and sqlalchemy (plus a DB
driver such as psycopg2 for PostgreSQL URLs). Run it with /usr/bin/python3 (Debian's
python3-alembic).
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import traceback

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script.base import Script

LOG_TABLE = "oracle_log"

ENV_PY = '''\
from alembic import context
from sqlalchemy import create_engine, pool

# The oracle hands its settings over in-process; see alembic_oracle.py.
settings = context.config.attributes["oracle"]
engine = create_engine(settings["url"], poolclass=pool.NullPool)
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            version_table=settings["version_table"],
            version_table_schema=settings["version_table_schema"],
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
'''

REVISION_PY = '''\
"""{message}

Revision ID: {rev_id}
"""
import sqlalchemy as sa
from alembic import op

revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = {branch_labels!r}
depends_on = {depends_on!r}


def _log(direction):
    op.execute(
        sa.text("INSERT INTO {log_table} (rev, direction) VALUES (:rev, :direction)")
        .bindparams(rev=revision, direction=direction)
    )


def upgrade():
    _log("up")


def downgrade():
    _log("down")
'''


def pin_load_order():
    """Make Alembic read revision files in sorted name order.

    Alembic takes os.listdir() order (filesystem-dependent: hash order on ext4), and that
    order decides how it interleaves independent branches when it runs them. bellows loads
    files sorted by path, so the oracle pins Alembic to the same, file names following the
    spec's revision order.
    """
    list_py_dir = Script._list_py_dir.__func__

    def sorted_list_py_dir(cls, scriptdir, path):
        return sorted(list_py_dir(cls, scriptdir, path))

    Script._list_py_dir = classmethod(sorted_list_py_dir)


def tuple_or_none(values, scalar_if_single):
    """Alembic accepts None, a string or a tuple; write what a hand-written script would."""
    values = list(values or [])
    if not values:
        return None
    if len(values) == 1 and scalar_if_single:
        return values[0]
    return tuple(values)


def write_project(root, spec, settings):
    versions = os.path.join(root, "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(root, "script.py.mako"), "w") as f:
        f.write("# unused: the oracle writes its revision files itself\n")
    ini = os.path.join(root, "alembic.ini")
    with open(ini, "w") as f:
        # '%' is interpolation syntax in ini files.
        f.write("[alembic]\nscript_location = %s\nsqlalchemy.url = %s\n" % (
            root.replace("%", "%%"), settings["url"].replace("%", "%%")))
    for index, rev in enumerate(spec["revisions"]):
        message = (rev.get("message") or rev["id"]).replace("\\", "/").replace('"""', "'''")
        source = REVISION_PY.format(
            message=message,
            rev_id=rev["id"],
            revision=rev["id"],
            down_revision=tuple_or_none(rev.get("down"), True),
            branch_labels=tuple_or_none(rev.get("labels"), False),
            depends_on=tuple_or_none(rev.get("depends_on"), True),
            log_table=LOG_TABLE,
        )
        # The name fixes the load order (see pin_load_order); keep it import-safe.
        name = rev.get("file") or "r%04d.py" % index
        with open(os.path.join(versions, name), "w") as f:
            f.write(source)
    return ini


def version_table(settings):
    return sa.Table(
        settings["version_table"],
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), nullable=False),
        schema=settings["version_table_schema"],
    )


def log_table():
    return sa.Table(
        LOG_TABLE,
        sa.MetaData(),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rev", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
    )


def prepare_database(engine, settings, reset):
    with engine.begin() as conn:
        schema = settings["version_table_schema"]
        if schema and conn.dialect.name == "postgresql":
            conn.execute(sa.text('CREATE SCHEMA IF NOT EXISTS "%s"' % schema.replace('"', '""')))
        if reset:
            version_table(settings).drop(conn, checkfirst=True)
            log_table().drop(conn, checkfirst=True)
        log_table().create(conn, checkfirst=True)


def read_heads(engine, settings):
    """The rows in the order Alembic's get_current_heads() sees them (no ORDER BY).

    That order matters: `downgrade -1` with several rows walks down from the first.
    """
    table = version_table(settings)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(table.name, schema=table.schema):
            return []
        return [r[0] for r in conn.execute(sa.select(table.c.version_num))]


def read_log(engine, after):
    table = log_table()
    with engine.connect() as conn:
        result = conn.execute(
            sa.select(table.c.seq, table.c.rev, table.c.direction)
            .where(table.c.seq > after)
            .order_by(table.c.seq)
        )
        return [(seq, rev, direction) for seq, rev, direction in result]


def last_seq(engine):
    table = log_table()
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.seq), 0))).scalar()


def where_of(exc):
    """The innermost frame inside alembic, to tell a deliberate error from a crash."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "alembic" in f.filename] or frames
    if not inside:
        return None
    f = inside[-1]
    return "%s:%d in %s" % (f.filename.split("alembic/")[-1], f.lineno, f.name)


def run_op(cfg, op):
    name = op[0]
    if name == "upgrade":
        command.upgrade(cfg, op[1])
    elif name == "downgrade":
        command.downgrade(cfg, op[1])
    elif name == "stamp":
        opts = op[2] if len(op) > 2 else {}
        command.stamp(cfg, op[1], purge=bool(opts.get("purge", False)))
    elif name == "current":
        pass
    else:
        raise ValueError("unknown op %r" % (name,))


def main():
    spec = json.load(sys.stdin)
    pin_load_order()
    workdir = tempfile.mkdtemp(prefix="alembic-oracle-")
    try:
        settings = {
            "url": spec.get("url") or "sqlite:///" + os.path.join(workdir, "oracle.db"),
            "version_table": spec.get("version_table") or "alembic_version",
            "version_table_schema": spec.get("version_table_schema"),
        }
        ini = write_project(os.path.join(workdir, "project"), spec, settings)
        engine = sa.create_engine(settings["url"], poolclass=sa.pool.NullPool)
        prepare_database(engine, settings, spec.get("reset", True))

        results = []
        for op in spec["ops"]:
            cfg = Config(ini)
            cfg.attributes["oracle"] = settings
            before = last_seq(engine)
            entry = {}
            # Alembic may print; stdout carries only our JSON.
            with contextlib.redirect_stdout(sys.stderr):
                try:
                    run_op(cfg, op)
                except Exception as exc:  # noqa: BLE001 - every failure is a result here
                    message = str(exc) if not isinstance(exc, KeyError) else repr(exc.args[0])
                    entry["error"] = "%s: %s" % (type(exc).__name__, message)
                    entry["where"] = where_of(exc)
            entry["heads"] = read_heads(engine, settings)
            entry["rows"] = sorted(entry["heads"])
            entry["ran"] = [[rev, direction] for _, rev, direction in read_log(engine, before)]
            results.append(entry)
        engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
