"""All portal simulations, by spider name.

A simulation module ``tests/simulations/<name>.py`` exposes ``make_simulation()``
returning a :class:`~tests.simulations.base.PortalSimulation`. Modules not written yet
are skipped, so the server can start with whatever exists.
"""

from __future__ import annotations

import importlib
import warnings
from functools import cache

from .base import PortalSimulation

#: the five seed portals, each with its own spider of the same name
NAMES = ("panzhihua", "xinye", "yanshan", "zbjkq", "luoning")
#: one believable county portal per CMS family (tests/simulations/family.py), crawled from
#: a start URL by the generic spider and the family bases
FAMILIES = ("trs", "hanweb", "vsb", "gkmlpt", "yeartree", "powereasy", "epoint")
ALL = NAMES + FAMILIES


@cache
def simulation(name: str) -> PortalSimulation | None:
    """The (cached, deterministic) simulation of one portal, or None if it does not exist."""
    try:
        module = importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.{name}":
            return None
        raise
    try:
        return module.make_simulation()
    except Exception as exc:  # one broken simulation must not take the others down
        warnings.warn(f"simulation {name!r} failed to build: {exc!r}", stacklevel=2)
        return None


def all_simulations(names: tuple[str, ...] | list[str] = NAMES) -> list[PortalSimulation]:
    return [sim for name in names if (sim := simulation(name)) is not None]
