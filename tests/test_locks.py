"""tools/check_locks.py: lock files keep pyproject.toml's pins, with hashes, prod apart from dev."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_locks.py"
PRODUCTION = "requirements/production.lock"
DEVELOPMENT = "requirements/development.lock"


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def block(text: str, name: str) -> str:
    """A package's entry in a lock file: its pin line, its hashes and its `# via` lines."""
    match = re.search(rf"^{re.escape(name)}==.*?(?=^\S|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert match is not None, f"{name} is not in the lock file"
    return match.group(0)


def edit(root: Path, relative: str, change: Callable[[str], str]) -> None:
    path = root / relative
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, f"the edit changed nothing in {relative}"
    path.write_text(after, encoding="utf-8")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The project's pyproject.toml and lock files, in a folder of their own to break."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def test_the_real_lock_files_agree_with_pyproject():
    result = run_check(ROOT)
    assert result.returncode == 0, result.stderr
    assert "agree with pyproject.toml" in result.stdout


def test_an_untouched_copy_passes(copy):
    result = run_check(copy)
    assert result.returncode == 0, result.stderr


def test_every_package_line_of_both_lock_files_has_a_hash():
    for relative in (PRODUCTION, DEVELOPMENT):
        text = (ROOT / relative).read_text(encoding="utf-8")
        packages = re.findall(r"^[A-Za-z0-9].*==.*$", text, flags=re.MULTILINE)
        assert packages, relative
        for package in packages:
            assert "--hash=sha256:" in block(text, package.split("==")[0]), package


def test_production_lock_holds_no_dev_tool():
    text = (ROOT / PRODUCTION).read_text(encoding="utf-8")
    for tool in ("pytest", "ruff", "mypy", "django-stubs", "playwright", "import-linter"):
        assert not re.search(rf"^{re.escape(tool)}==", text, flags=re.MULTILINE), tool


def drop_hashes(text: str) -> str:
    entry = block(text, "six")
    return text.replace(entry, "six==1.17.0\n    # via python-dateutil\n")


def leak_pytest(copy: Path) -> Callable[[str], str]:
    pytest_entry = block((copy / DEVELOPMENT).read_text(encoding="utf-8"), "pytest")
    return lambda text: text + pytest_entry


@pytest.mark.parametrize(
    ("relative", "breaking", "expected"),
    [
        (
            PRODUCTION,
            drop_hashes,
            r"production\.lock:\d+: six==1\.17\.0 has no --hash",
        ),
        (
            PRODUCTION,
            lambda text: text.replace("whitenoise==6.12.0", "whitenoise==6.11.0"),
            r"production\.lock:\d+: whitenoise is locked at 6\.11\.0 but pyproject\.toml pins "
            r"whitenoise==6\.12\.0",
        ),
        (
            PRODUCTION,
            lambda text: text.replace(block(text, "segno"), ""),
            r"production\.lock: production dependency segno==1\.6\.6 of pyproject\.toml is missing",
        ),
        (
            DEVELOPMENT,
            lambda text: text.replace(block(text, "mypy"), ""),
            r"development\.lock: dev dependency mypy==1\.19\.1 of pyproject\.toml is missing",
        ),
        (
            "pyproject.toml",
            lambda text: text.replace('"ruff==0.17.5"', '"ruff==0.17.6"'),
            r"development\.lock:\d+: ruff is locked at 0\.17\.5 but pyproject\.toml pins "
            r"ruff==0\.17\.6",
        ),
        (
            "pyproject.toml",
            lambda text: text.replace('"whitenoise==6.12.0"', '"whitenoise>=6.12"'),
            r"'whitenoise>=6\.12' is not pinned with ==",
        ),
        (
            "pyproject.toml",
            lambda text: text.replace('"segno==1.6.6",', ""),
            r"production\.lock:\d+: segno==1\.6\.6 is not required by the dependencies",
        ),
    ],
    ids=[
        "line-without-hash",
        "direct-dep-at-another-version",
        "direct-dep-missing",
        "dev-dep-missing",
        "pyproject-bumped-without-relock",
        "direct-dep-not-pinned",
        "stale-pin-after-removal",
    ],
)
def test_a_broken_copy_fails_with_a_clear_message(copy, relative, breaking, expected):
    edit(copy, relative, breaking)
    result = run_check(copy)
    assert result.returncode == 1
    assert re.search(expected, result.stderr), result.stderr


def test_a_dev_dependency_leaked_into_production_fails(copy):
    edit(copy, PRODUCTION, leak_pytest(copy))
    result = run_check(copy)
    assert result.returncode == 1
    assert re.search(
        r"production\.lock:\d+: pytest==9\.2\.0 is a dev dependency of pyproject\.toml that "
        r"production does not need",
        result.stderr,
    ), result.stderr


def test_production_and_development_must_agree(copy):
    edit(copy, DEVELOPMENT, lambda text: text.replace("sqlparse==0.6.1", "sqlparse==0.6.0"))
    result = run_check(copy)
    assert result.returncode == 1
    assert re.search(
        r"development\.lock:\d+: sqlparse is 0\.6\.0 but requirements/production\.lock has 0\.6\.1",
        result.stderr,
    ), result.stderr


def test_a_missing_lock_file_fails(copy):
    (copy / PRODUCTION).unlink()
    result = run_check(copy)
    assert result.returncode == 1
    assert "requirements/production.lock: missing" in result.stderr
