"""The import contract (`.importlinter`) holds, and it can fail: a lower layer that imports a
higher one breaks it.

`make lint` runs `lint-imports` on the project itself; these tests run it on a copy of the
project's packages, once as they are and once with one forbidden import added.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config["importlinter"]["root_packages"].split()


def _copy(into: Path) -> None:
    for package in _packages():
        shutil.copytree(
            ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy(ROOT / ".importlinter", into / ".importlinter")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", ".importlinter"],
        cwd=where,
        env={**os.environ, "PYTHONPATH": str(where)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_every_layer_of_the_contract_is_a_package_of_the_project():
    packages = _packages()
    assert "core" in packages
    for package in packages:
        assert (ROOT / package / "__init__.py").exists(), package


def test_the_project_keeps_the_contract(tmp_path):
    _copy(tmp_path)

    result = _lint(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("territory/models.py", "network.models"),  # the foundation reaching up a layer
        ("network/finder.py", "appointments.selectors"),  # what the "today" page once did
        ("privacy/retention.py", "referrals.models"),  # what the registry replaced
        ("core/dates.py", "workspace.views"),  # the bottom reaching the top
    ],
)
def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path, lower, higher):
    _copy(tmp_path)
    with (tmp_path / lower).open("a") as module:
        module.write(f"\nimport {higher}  # noqa: E402, F401\n")

    result = _lint(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    importer = lower.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {higher}" in result.stdout


def test_siblings_of_one_layer_may_not_import_each_other(tmp_path):
    _copy(tmp_path)
    with (tmp_path / "referrals/services.py").open("a") as module:
        module.write("\nimport appointments.models  # noqa: E402, F401\n")

    result = _lint(tmp_path)

    assert result.returncode != 0
    assert "referrals.services -> appointments.models" in result.stdout
