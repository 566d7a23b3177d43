"""Ask real Alembic (1.8.x) how it treats a revision graph.

Not used at test time: run it by hand to (re)establish the values that the
Deno tests hard-code.  Usage:

    /usr/bin/python3 src/graph/testdata/alembic_probe.py < spec.json

spec.json:
    {"revisions": [{"id": "a", "down": [], "deps": [], "labels": [],
                    "message": "create"}, ...],
     "queries": [{"op": "upgrade", "heads": [], "target": "heads"},
                 {"op": "downgrade", "heads": ["b"], "target": "-1"},
                 {"op": "stamp", "heads": [], "targets": ["a"], "purge": false},
                 {"op": "history", "range": "a:", "verbose": false,
                  "indicate_current": false, "heads": []},
                 {"op": "heads", "verbose": false, "resolve": false},
                 {"op": "branches", "verbose": false},
                 {"op": "show", "rev": "a"},
                 {"op": "current", "heads": ["a"], "verbose": false},
                 {"op": "load"}]}

Each query runs the real command against a fresh SQLite database whose
alembic_version rows are `heads`; the steps ScriptDirectory planned are
recorded by wrapping _upgrade_revs/_downgrade_revs/_stamp_revs.  The revision
map sees the revisions in spec order (os.listdir order is patched).  Prints one
JSON result per query.  Run it under several PYTHONHASHSEED values to see which
outputs depend on Python's set ordering.
"""
import io
import json
import os
import sqlite3
import sys
import tempfile
import warnings

from alembic import command
from alembic.config import Config
from alembic.script import base as script_base
from alembic.script.base import Script, ScriptDirectory

ENV_PY = '''
from alembic import context
from sqlalchemy import create_engine
url = context.config.get_main_option("sqlalchemy.url")
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with create_engine(url).connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
'''


def rev_file(r):
    def tup(xs):
        if not xs:
            return "None"
        if len(xs) == 1:
            return repr(xs[0])
        return repr(tuple(xs))

    return '''"""%s"""
revision = %r
down_revision = %s
branch_labels = %s
depends_on = %s


def upgrade():
    pass


def downgrade():
    pass
''' % (r.get("message", ""), r["id"], tup(r.get("down")), tup(r.get("labels")), tup(r.get("deps")))


def main():
    spec = json.load(sys.stdin)
    root = tempfile.mkdtemp(prefix="alembic_probe_")
    os.makedirs(os.path.join(root, "versions"))
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    order = []
    for r in spec["revisions"]:
        name = r["id"] + ".py"
        order.append(name)
        with open(os.path.join(root, "versions", name), "w") as f:
            f.write(rev_file(r))

    def list_dir(cls, scriptdir, path):
        present = set(os.listdir(path))
        return [n for n in order if n in present]

    Script._list_py_dir = classmethod(list_dir)

    recorded = []
    for name in ("_upgrade_revs", "_downgrade_revs", "_stamp_revs"):
        orig = getattr(ScriptDirectory, name)

        def wrap(self, *a, _orig=orig, **kw):
            steps = _orig(self, *a, **kw)
            recorded.append(steps)
            return steps

        setattr(ScriptDirectory, name, wrap)

    results = []
    for i, q in enumerate(spec.get("queries", [{"op": "load"}])):
        db = os.path.join(root, "db%d.sqlite" % i)
        conn = sqlite3.connect(db)
        conn.execute("create table alembic_version (version_num varchar(32) not null primary key)")
        for h in q.get("heads", []):
            conn.execute("insert into alembic_version values (?)", (h,))
        conn.commit()
        conn.close()
        out = io.StringIO()
        cfg = Config(stdout=out, output_buffer=io.StringIO())
        cfg.set_main_option("script_location", root)
        cfg.set_main_option("sqlalchemy.url", "sqlite:///" + db)
        recorded.clear()
        res = {"q": q}
        op = q["op"]
        try:
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                if op == "upgrade":
                    command.upgrade(cfg, q["target"], sql=q.get("sql", False))
                elif op == "downgrade":
                    command.downgrade(cfg, q["target"], sql=q.get("sql", False))
                elif op == "stamp":
                    command.stamp(cfg, q["targets"], purge=q.get("purge", False))
                elif op == "history":
                    command.history(cfg, q.get("range"), verbose=q.get("verbose", False),
                                    indicate_current=q.get("indicate_current", False))
                elif op == "heads":
                    command.heads(cfg, verbose=q.get("verbose", False),
                                  resolve_dependencies=q.get("resolve", False))
                elif op == "branches":
                    command.branches(cfg, verbose=q.get("verbose", False))
                elif op == "show":
                    command.show(cfg, q["rev"])
                elif op == "current":
                    command.current(cfg, verbose=q.get("verbose", False))
                elif op == "load":
                    sd = ScriptDirectory.from_config(cfg)
                    m = sd.revision_map
                    res["heads"] = list(m.heads)
                    res["real_heads"] = list(m._real_heads)
                    res["bases"] = list(m.bases)
                    res["real_bases"] = list(m._real_bases)
                    res["revs"] = {
                        r.revision: {
                            "normalized": list(r._normalized_down_revisions),
                            "all": list(r._all_down_revisions),
                            "labels": sorted(r.branch_labels),
                            "next": sorted(r.nextrev),
                            "all_next": sorted(r._all_nextrev),
                            "bp": r.is_branch_point, "mp": r.is_merge_point,
                            "head": r.is_head, "base": r.is_base,
                        }
                        for r in m._revision_map.values() if r is not None
                    }
                    res["walk"] = [s.revision for s in sd.walk_revisions()]
                elif op == "revisions":
                    sd = ScriptDirectory.from_config(cfg)
                    res["revs"] = [None if r is None else (r if isinstance(r, str) else r.revision)
                                   for r in sd.get_revisions(q["target"])]
                elif op == "revision":
                    sd = ScriptDirectory.from_config(cfg)
                    r = sd.get_revision(q["target"])
                    res["rev"] = None if r is None else r.revision
                res["warnings"] = [str(w.message) for w in ws]
        except BaseException as e:  # noqa
            res["error"] = "%s: %s" % (type(e).__name__, e)
        steps = []
        for batch in recorded:
            for s in batch:
                if isinstance(s, script_base.migration.StampStep):
                    steps.append({"kind": "stamp", "up": s.is_upgrade, "from": list(s.from_),
                                  "to": list(s.to_), "branch_move": s.branch_move})
                else:
                    steps.append({"kind": "migrate", "rev": s.revision.revision, "up": s.is_upgrade,
                                  "from": list(s.from_revisions_no_deps),
                                  "to": list(s.to_revisions_no_deps)})
        if op in ("upgrade", "downgrade", "stamp"):
            res["steps"] = steps
            if not q.get("sql"):
                conn = sqlite3.connect(db)
                res["after"] = sorted(r[0] for r in conn.execute("select version_num from alembic_version"))
                conn.close()
        res["stdout"] = out.getvalue().replace(root + "/", "")
        results.append(res)
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
