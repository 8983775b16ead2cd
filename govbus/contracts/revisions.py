"""Contracts as they were at a git revision, so CI can diff a change against what is in force.

``git:REV`` names the same file (or folder) as the new side, as it was at ``REV``;
``git:REV:PATH`` names another path, relative to the repository's top. A folder is read as a
folder of contracts whichever form names it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from govbus.contracts.loader import ContractFile, load_contract_text
from govbus.errors import ConfigurationError

PREFIX = "git:"
CONTRACT_SUFFIXES = (".yaml", ".yml")


def is_revision(spec: str) -> bool:
    return spec.startswith(PREFIX)


def contract_files_at(spec: str, current: Path) -> list[ContractFile]:
    """The contract files ``spec`` names; a file missing at the revision gives none (the contract is new)."""
    top = Path(_git(current.resolve().parent if current.is_file() else current.resolve(), "rev-parse", "--show-toplevel"))
    revision, _, path = spec.removeprefix(PREFIX).partition(":")
    if not revision:
        raise ConfigurationError(f"{spec!r}: give a revision, as in git:HEAD~1 or git:main:contracts/x.yaml")
    _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", failure=f"{revision!r} is not a commit in {top}")
    relative = PurePosixPath(path) if path else PurePosixPath(current.resolve().relative_to(top).as_posix())
    if current.is_dir():
        listed = _git(top, "ls-tree", "--name-only", revision, "--", f"{relative}/").splitlines()
        names = [PurePosixPath(name) for name in listed if name.endswith(CONTRACT_SUFFIXES)]
    else:
        names = [relative] if _git(top, "ls-tree", "--name-only", revision, "--", str(relative)) else []
    return [load_contract_text(_git(top, "show", f"{revision}:{name}"), Path(f"{revision}:{name}")) for name in sorted(names)]


def _git(where: Path, *args: str, failure: str | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ConfigurationError("reading contracts from git needs the git command on PATH") from exc
    if done.returncode != 0:
        raise ConfigurationError(failure or f"git {' '.join(args)} in {where}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip("\n")
