#!/usr/bin/python3
"""Run the alembic command line on a real project's versions/ folder without its packages.

Usage: alembic_stubbed.py ROOT ALEMBIC_ARGS...

Alembic imports every revision file, and real revision files import their project
(`from glance.db import migration`, `from neutron.db.migration import cli`, oslo, ...).
ROOT goes first on sys.path, so modules present under it (the fixture's constants modules)
are the real ones; any other import gets an empty stand-in module whose attributes are
inert objects. That is enough for `history`, `heads`, `branches` and `show`, which only
read the revision identifiers and docstrings. Test scaffolding only.
"""

import importlib.abc
import importlib.machinery
import sys
import types

sys.dont_write_bytecode = True


class _Inert:
    """Any attribute, call, iteration or base-class use of a stand-in name."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert()

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False

    def __mro_entries__(self, bases):
        return (object,)


class _StandIn(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert()


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on sys.meta_path: asked only for modules nothing else can find."""

    def find_spec(self, name, path, target=None):
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        module = _StandIn(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def main():
    # Alembic and SQLAlchemy first, so that their optional imports still fail as usual.
    from alembic import command  # noqa: F401
    from alembic.config import main as alembic_main
    from alembic.script import ScriptDirectory  # noqa: F401

    sys.path.insert(0, sys.argv[1])
    sys.meta_path.append(_StandInFinder())
    alembic_main(argv=sys.argv[2:], prog="alembic")


if __name__ == "__main__":
    main()
