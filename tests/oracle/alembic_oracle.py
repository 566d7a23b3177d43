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

Optional fields: "log" (default true; false leaves out oracle_log, for schema comparisons),
"project_dir" (write the Alembic project there and keep it, so that `python3 -m alembic -c
<project_dir>/alembic.ini ...` works on it too), "version_table_pk" (default true), and per
revision "sql": {"up": [...], "down": [...], "up@postgresql": [...], ...}: raw statements each
revision runs with op.execute (generic ones first, then the dialect's).

Ops may also be "show_current" / "show_heads" (the entry's "stdout" holds what `alembic
current` / `alembic heads` print), and an op may be {"op": [...], "url": "..."} to run against
another database than the spec's.

With the argument --session the oracle stays up: the first stdin line is the spec (its "ops"
are ignored), every further line is {"ops": [...]}, answered with one line of results each.

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
import io
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
from alembic.script.base import Script
from sqlalchemy import create_engine, pool

# Read revision files in sorted name order, as bellows does (see pin_load_order in
# alembic_oracle.py); the oracle process has done this already.
if not getattr(Script, "_oracle_sorted", False):
    _list_py_dir = Script._list_py_dir.__func__
    Script._list_py_dir = classmethod(lambda cls, sd, path: sorted(_list_py_dir(cls, sd, path)))
    Script._oracle_sorted = True

# The oracle hands its settings over in-process; the alembic CLI reads them from the ini.
config = context.config
settings = config.attributes.get("oracle") or {
    "url": config.get_main_option("sqlalchemy.url"),
    "version_table": config.get_main_option("version_table") or "alembic_version",
    "version_table_schema": config.get_main_option("version_table_schema") or None,
    "version_table_pk": (config.get_main_option("version_table_pk") or "true") == "true",
}
options = dict(
    version_table=settings["version_table"],
    version_table_schema=settings["version_table_schema"],
    version_table_pk=settings.get("version_table_pk", True),
)
if context.is_offline_mode():
    context.configure(url=settings["url"], literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(settings["url"], poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **options)
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

LOG = {log!r}
SQL = {sql!r}


def _run(direction):
    dialect = op.get_context().dialect.name
    for statement in SQL.get(direction, []) + SQL.get(direction + "@" + dialect, []):
        op.execute(statement)
    if LOG:
        op.execute(
            sa.text("INSERT INTO {log_table} (rev, direction) VALUES (:rev, :direction)")
            .bindparams(rev=revision, direction=direction)
        )


def upgrade():
    _run("up")


def downgrade():
    _run("down")
'''


def pin_load_order():
    if getattr(Script, "_oracle_sorted", False):
        return
    Script._oracle_sorted = True
    # ORACLE_LISTDIR_ORDER=1 leaves Alembic's own (directory) order, as its command line has.
    if not os.environ.get("ORACLE_LISTDIR_ORDER"):
        _pin_load_order()


def _pin_load_order():
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


def ini_value(value):
    # '%' is interpolation syntax in ini files.
    return str(value).replace("%", "%%")


def write_project(root, spec, settings):
    versions = os.path.join(root, "versions")
    os.makedirs(versions, exist_ok=True)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(root, "script.py.mako"), "w") as f:
        f.write("# unused: the oracle writes its revision files itself\n")
    ini = os.path.join(root, "alembic.ini")
    with open(ini, "w") as f:
        f.write("[alembic]\nscript_location = %(here)s\n")
        f.write("sqlalchemy.url = %s\n" % ini_value(settings["url"]))
        f.write("version_table = %s\n" % ini_value(settings["version_table"]))
        if settings["version_table_schema"]:
            f.write("version_table_schema = %s\n" % ini_value(settings["version_table_schema"]))
        f.write("version_table_pk = %s\n" % ("true" if settings["version_table_pk"] else "false"))
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
            log=bool(spec.get("log", True)),
            sql=rev.get("sql") or {},
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


def prepare_database(engine, settings, reset, log):
    with engine.begin() as conn:
        schema = settings["version_table_schema"]
        if schema and conn.dialect.name == "postgresql":
            conn.execute(sa.text('CREATE SCHEMA IF NOT EXISTS "%s"' % schema.replace('"', '""')))
        if reset:
            version_table(settings).drop(conn, checkfirst=True)
            log_table().drop(conn, checkfirst=True)
        if log:
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


def read_log(engine, after, log):
    if not log:
        return []
    table = log_table()
    with engine.connect() as conn:
        result = conn.execute(
            sa.select(table.c.seq, table.c.rev, table.c.direction)
            .where(table.c.seq > after)
            .order_by(table.c.seq)
        )
        return [(seq, rev, direction) for seq, rev, direction in result]


def last_seq(engine, log):
    if not log:
        return 0
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
    elif name == "show_current":
        command.current(cfg)
    elif name == "show_heads":
        command.heads(cfg)
    else:
        raise ValueError("unknown op %r" % (name,))


class Oracle:
    """An Alembic project on disk and the databases it has prepared."""

    def __init__(self, spec, workdir):
        self.spec = spec
        self.log = bool(spec.get("log", True))
        self.settings = {
            "url": spec.get("url") or "sqlite:///" + os.path.join(workdir, "oracle.db"),
            "version_table": spec.get("version_table") or "alembic_version",
            "version_table_schema": spec.get("version_table_schema"),
            "version_table_pk": spec.get("version_table_pk", True),
        }
        root = spec.get("project_dir") or os.path.join(workdir, "project")
        self.ini = write_project(root, spec, self.settings)
        self.engines = {}

    def engine(self, url):
        if url not in self.engines:
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            settings = dict(self.settings, url=url)
            prepare_database(engine, settings, self.spec.get("reset", True), self.log)
            self.engines[url] = engine
        return self.engines[url]

    def run(self, ops):
        results = []
        for op in ops:
            url = self.settings["url"]
            if isinstance(op, dict):
                url = op.get("url") or url
                op = op["op"]
            engine = self.engine(url)
            settings = dict(self.settings, url=url)
            out = io.StringIO()
            cfg = Config(self.ini, stdout=out)
            cfg.attributes["oracle"] = settings
            before = last_seq(engine, self.log)
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
            entry["ran"] = [
                [rev, direction] for _, rev, direction in read_log(engine, before, self.log)
            ]
            if op[0] in ("show_current", "show_heads"):
                entry["stdout"] = out.getvalue()
            results.append(entry)
        return results

    def close(self):
        for engine in self.engines.values():
            engine.dispose()


def main():
    pin_load_order()
    session = "--session" in sys.argv[1:]
    workdir = tempfile.mkdtemp(prefix="alembic-oracle-")
    try:
        if session:
            oracle = Oracle(json.loads(sys.stdin.readline()), workdir)
            for line in sys.stdin:
                if line.strip():
                    json.dump(oracle.run(json.loads(line)["ops"]), sys.stdout)
                    sys.stdout.write("\n")
                    sys.stdout.flush()
        else:
            spec = json.load(sys.stdin)
            oracle = Oracle(spec, workdir)
            results = oracle.run(spec["ops"])
            json.dump(results, sys.stdout)
            sys.stdout.write("\n")
        oracle.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
