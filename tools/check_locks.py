"""Checks that the lock files keep what pyproject.toml promises (run by `make lint`).

`requirements/production.lock` must hold every direct dependency of `[project].dependencies` at
its pinned version, and nothing that production does not need; `requirements/development.lock`
must hold those plus the `dev` extra, with production's packages at production's versions. Every
package line must carry its `--hash=sha256:...` values, so that `pip install --require-hashes`
installs exactly the reviewed files.

Whether a package is needed is read from the `# via` annotations that `make lock` (uv pip
compile) writes under each package: a package is needed when it is a direct dependency or when
a needed package pulls it in. Standard library only, so it runs before anything is installed.

Usage: python tools/check_locks.py [--root DIR]   (exit status 1 and one line per problem)
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PRODUCTION_LOCK = "requirements/production.lock"
DEVELOPMENT_LOCK = "requirements/development.lock"
DEV_EXTRA = "dev"
FIX = "run `make lock`"

# `Name[extra,...]==version ; marker`, as pyproject and the lock files spell a pin.
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"==\s*(?P<version>[^\s;,]+)\s*"
    r"(?:;(?P<marker>.*))?$"
)
HASH = re.compile(r"^--hash=(?P<algorithm>[a-z0-9]+):(?P<digest>[0-9a-f]+)$")


def normalize(name: str) -> str:
    """A name in canonical form (PEP 503): `Typing_Extensions` -> `typing-extensions`."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    name: str
    version: str
    line: int
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


@dataclass
class Lock:
    path: str
    pins: dict[str, Pin] = field(default_factory=dict)


@dataclass(frozen=True)
class Direct:
    """A direct dependency of pyproject.toml."""

    name: str
    spelled: str
    version: str


class Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, message: str) -> None:
        self.lines.append(message)


def logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """Joins lines continued with a backslash; yields (first line number, joined line)."""
    start = 0
    parts: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not parts:
            start = number
        if line.endswith("\\"):
            parts.append(line[:-1].strip())
            continue
        parts.append(line)
        yield start, " ".join(part for part in parts if part)
        parts = []
    if parts:
        yield start, " ".join(part for part in parts if part)


def via_name(annotation: str) -> str | None:
    """`digipunt (pyproject.toml)` -> `digipunt`, `-c requirements/production.lock` -> None."""
    annotation = annotation.strip()
    if not annotation or annotation.startswith("-"):
        return None
    return normalize(annotation.split(" (", 1)[0].strip())


def parse_lock(root: Path, relative: str, problems: Problems) -> Lock:
    lock = Lock(relative)
    path = root / relative
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(f"{relative}: missing; {FIX}")
        return lock
    current: Pin | None = None
    in_via = False
    for number, line in logical_lines(text):
        if not line:
            continue
        if line.startswith("#"):
            comment = line[1:].strip()
            if current is None:
                continue
            if comment == "via":
                in_via = True
            elif comment.startswith("via "):
                in_via = False
                name = via_name(comment[4:])
                if name:
                    current.via.append(name)
            elif in_via and comment:
                name = via_name(comment)
                if name:
                    current.via.append(name)
            else:
                in_via = False
            continue
        in_via = False
        current = None
        if line.startswith("-"):
            problems.add(
                f"{relative}:{number}: option line {line.split()[0]!r}: the lock files must list "
                f"every package themselves, each with its hashes; {FIX}"
            )
            continue
        spec, _, options = line.partition(" --")
        options = f"--{options}" if options else ""
        match = PIN.match(spec.strip())
        if match is None:
            problems.add(f"{relative}:{number}: {spec.strip()!r} is not pinned with ==; {FIX}")
            continue
        pin = Pin(normalize(match["name"]), match["version"], number)
        for token in options.split():
            hash_match = HASH.match(token)
            if hash_match is None:
                problems.add(f"{relative}:{number}: {pin.name}: unexpected option {token!r}")
            elif hash_match["algorithm"] != "sha256" or len(hash_match["digest"]) != 64:
                problems.add(f"{relative}:{number}: {pin.name}: {token!r} is not a sha256 hash")
            else:
                pin.hashes.append(hash_match["digest"])
        if not pin.hashes:
            problems.add(
                f"{relative}:{number}: {pin.name}=={pin.version} has no --hash "
                f"(pip install --require-hashes refuses the whole file); {FIX}"
            )
        if pin.name in lock.pins:
            problems.add(f"{relative}:{number}: {pin.name} is listed twice; {FIX}")
        lock.pins[pin.name] = pin
        current = pin
    return lock


def parse_direct(specs: object, where: str, problems: Problems) -> list[Direct]:
    if not isinstance(specs, list):
        problems.add(f"pyproject.toml: {where} is not a list")
        return []
    direct: list[Direct] = []
    for spec in specs:
        match = PIN.match(str(spec).strip())
        if match is None:
            problems.add(
                f"pyproject.toml: {where}: {spec!r} is not pinned with == (every direct "
                "dependency is pinned exactly, with a one-line reason)"
            )
            continue
        direct.append(Direct(normalize(match["name"]), match["name"], match["version"]))
    return direct


def check_direct(direct: Sequence[Direct], lock: Lock, kind: str, problems: Problems) -> None:
    """Each direct dependency is in the lock file at the version pyproject pins."""
    for dependency in direct:
        pin = lock.pins.get(dependency.name)
        if pin is None:
            problems.add(
                f"{lock.path}: {kind} dependency {dependency.spelled}=={dependency.version} "
                f"of pyproject.toml is missing; {FIX}"
            )
        elif pin.version != dependency.version:
            problems.add(
                f"{lock.path}:{pin.line}: {pin.name} is locked at {pin.version} but pyproject.toml "
                f"pins {dependency.spelled}=={dependency.version}; {FIX}"
            )


def needed(lock: Lock, project: str, roots: set[str]) -> set[str]:
    """The packages of `lock` that the direct dependencies `roots` pull in, by the annotations.

    A package counts as pulled in by the project itself only when it is one of `roots`: a package
    annotated `via <project>` that is not a direct dependency of this kind does not belong here.
    """
    found = {name for name in roots if name in lock.pins}
    changed = True
    while changed:
        changed = False
        for name, pin in lock.pins.items():
            if name in found:
                continue
            if any(parent in found and parent != project for parent in pin.via):
                found.add(name)
                changed = True
    return found


def check_needed(
    lock: Lock, project: str, roots: set[str], others: set[str], problems: Problems
) -> None:
    keep = needed(lock, project, roots)
    for name, pin in lock.pins.items():
        if name in keep:
            continue
        if name in others:
            why = "a dev dependency of pyproject.toml that production does not need"
        elif not pin.via:
            why = "not required by any package in the file (no `# via` annotation)"
        else:
            why = f"not required by the dependencies this file is for (via {', '.join(pin.via)})"
        problems.add(f"{lock.path}:{pin.line}: {name}=={pin.version} is {why}; {FIX}")


def check_same(production: Lock, development: Lock, problems: Problems) -> None:
    """Development runs exactly what production runs, plus the dev tools."""
    for name, pin in production.pins.items():
        other = development.pins.get(name)
        if other is None:
            problems.add(
                f"{development.path}: {name}=={pin.version} of {production.path} is missing; {FIX}"
            )
        elif other.version != pin.version:
            problems.add(
                f"{development.path}:{other.line}: {name} is {other.version} but "
                f"{production.path} has {pin.version}; {FIX}"
            )
        elif sorted(other.hashes) != sorted(pin.hashes):
            problems.add(
                f"{development.path}:{other.line}: {name}=={pin.version} has other hashes than "
                f"in {production.path}; {FIX}"
            )


def check(root: Path) -> tuple[list[str], dict[str, int]]:
    """All problems found under `root`, and the number of packages in each lock file."""
    problems = Problems()
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        return [f"pyproject.toml: cannot read it: {error}"], {}
    project_table = pyproject.get("project", {})
    project = normalize(str(project_table.get("name", "")))
    production_direct = parse_direct(
        project_table.get("dependencies", []), "[project].dependencies", problems
    )
    extras = project_table.get("optional-dependencies", {})
    dev_direct = parse_direct(
        extras.get(DEV_EXTRA, []), f"[project.optional-dependencies].{DEV_EXTRA}", problems
    )

    production = parse_lock(root, PRODUCTION_LOCK, problems)
    development = parse_lock(root, DEVELOPMENT_LOCK, problems)

    production_names = {dependency.name for dependency in production_direct}
    dev_names = {dependency.name for dependency in dev_direct}
    check_direct(production_direct, production, "production", problems)
    check_direct(production_direct, development, "production", problems)
    check_direct(dev_direct, development, "dev", problems)
    check_needed(production, project, production_names, dev_names - production_names, problems)
    check_needed(development, project, production_names | dev_names, set(), problems)
    check_same(production, development, problems)
    counts = {lock.path: len(lock.pins) for lock in (production, development)}
    return problems.lines, counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the project folder holding pyproject.toml and requirements/ (default: this repo)",
    )
    arguments = parser.parse_args(argv)
    problems, counts = check(arguments.root)
    if problems:
        for problem in problems:
            print(f"check_locks: {problem}", file=sys.stderr)
        print(f"check_locks: {len(problems)} problem(s) in the lock files", file=sys.stderr)
        return 1
    summary = ", ".join(f"{path} ({count} packages)" for path, count in counts.items())
    print(f"check_locks: {summary} agree with pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
