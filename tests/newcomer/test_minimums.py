"""pyproject.toml's floors and .ci/minimums.txt (what scripts/check-minimums installs and tests)
say the same: a floor raised or a dependency added on one side only fails here, in a second."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _script():
    loader = importlib.machinery.SourceFileLoader("check_minimums", str(ROOT / "scripts" / "check-minimums"))
    spec = importlib.util.spec_from_loader("check_minimums", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    return {canonicalize_name(r.name): r for r in reqs}


def _pinned() -> dict[str, Requirement]:
    lines = (ROOT / ".ci" / "minimums.txt").read_text(encoding="utf-8").splitlines()
    reqs = [Requirement(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0].strip()]
    return {canonicalize_name(r.name): r for r in reqs}


def test_every_requirement_is_pinned_at_its_declared_floor():
    declared, pinned = _declared(), _pinned()
    assert sorted(pinned) == sorted(declared)
    for name, req in declared.items():
        floors = [s.version for s in req.specifier if s.operator == ">="]
        (pin,) = pinned[name].specifier
        assert len(floors) == 1, f"{name}: no single '>=' floor in pyproject.toml"
        assert (pin.operator, pin.version) == ("==", floors[0]), f"{name}: pyproject >={floors[0]}, pinned {pin}"
        assert req.specifier.contains(pin.version), f"{name}: the floor {pin.version} is outside {req.specifier}"
        assert pinned[name].marker == req.marker, f"{name}: environment markers differ"


def test_the_script_reads_the_same_pins_and_runs_tests_that_exist():
    script = _script()
    applying = {n for n, r in _declared().items() if r.marker is None or r.marker.evaluate()}
    assert set(script.pins()) == applying
    for test in script.SUBSET:
        path, _, name = test.partition("::")
        assert (ROOT / path).is_file(), test
        assert not name or f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), test
