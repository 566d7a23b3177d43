#!/usr/bin/python3
"""Alembic's RevisionMap._topological_sort on given graphs, for comparison with bellows'.

Reads JSON on stdin: a list of cases {"revisions": [{"id", "down", "labels", "depends_on"}],
"questions": [[[revision ids], [head ids]], ...]}, revisions in load order. Prints a JSON
list (per case) of lists (per question): the ids in Alembic's order, or "error: <class>"
where Alembic raises or asserts. Builds the map in memory: no project, no database.

Alembic keeps a revision's normalized dependencies in a Python set's order (it varies with
the hash seed); bellows keeps the declared order. They are put in declared order here, so
that a revision with several dependencies compares.
"""

import json
import sys

from alembic.script.revision import Revision, RevisionMap


def answer(case):
    revs = [
        Revision(
            r["id"],
            tuple(r["down"]) or None,
            dependencies=tuple(r["depends_on"]) or None,
            branch_labels=tuple(r["labels"]) or None,
        )
        for r in case["revisions"]
    ]
    rmap = RevisionMap(lambda: revs)
    rmap._revision_map  # build it
    for rev in revs:
        kept = set(rev._normalized_resolved_dependencies)
        rev._normalized_resolved_dependencies = tuple(
            d for d in dict.fromkeys(rev._resolved_dependencies) if d in kept
        )
    out = []
    for ids, heads in case["questions"]:
        try:
            out.append(
                rmap._topological_sort(
                    [rmap.get_revision(i) for i in ids], [rmap.get_revision(i) for i in heads]
                )
            )
        except Exception as err:  # AssertionError where a revision is out of reach
            out.append("error: " + type(err).__name__)
    return out


json.dump([answer(case) for case in json.load(sys.stdin)], sys.stdout)
