"""Reading contract YAML while remembering where each value was written.

Stewards fix contracts by file and line, so every message about a contract points at the line of
the value it is about. The loader composes the YAML node tree (which keeps marks), builds plain
Python data from it and records the line of every path on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from govbus.contracts.model import Contract
from govbus.errors import ConfigurationError

Path_ = tuple[str | int, ...]
# libyaml's parser where PyYAML was built with it: the same nodes and line marks, several times faster.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """A finding about a contract file, pointing at the line it is about."""

    path: Path
    line: int
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


@dataclass
class ContractFile:
    """One contract file: its parsed contract (``None`` if it did not parse) and its line map."""

    path: Path
    contract: Contract | None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, *where: str | int) -> int:
        """The line of ``where``, or of its nearest written parent."""
        for end in range(len(where), -1, -1):
            if where[:end] in self.lines:
                return self.lines[where[:end]]
        return 1

    def problem(self, message: str, *where: str | int, level: str = "error") -> Problem:
        return Problem(self.path, self.line(*where), message, level)


def compose(text: str, path: Path) -> tuple[Any, dict[Path_, int], list[Problem]]:
    """Plain data, the 1-based line of each path, and any duplicate keys (which YAML would hide)."""
    try:
        root = yaml.compose(text, Loader=_PARSER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, {}, [Problem(path, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")

    def build(node: yaml.Node, where: Path_) -> Any:
        lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = constructor.construct_object(key_node)
                if key in mapping:
                    problems.append(Problem(path, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
                mapping[key] = build(value_node, (*where, key))
                lines[(*where, key)] = key_node.start_mark.line + 1
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*where, index)) for index, item in enumerate(node.value)]
        return constructor.construct_object(node, deep=True)

    return (build(root, ()) if root is not None else None), lines, problems


def load_contract_file(path: Path) -> ContractFile:
    """Parse one contract; problems are collected, not raised, so lint can report them all."""
    return load_contract_text(path.read_text(encoding="utf-8"), path)


def load_contract_text(text: str, path: Path) -> ContractFile:
    """Parse a contract's text; ``path`` names it in problems (a file, or a file at a git revision)."""
    data, lines, problems = compose(text, path)
    contract_file = ContractFile(path, None, lines, problems)
    if data is None:
        if not problems:
            problems.append(Problem(path, 1, "empty contract file"))
        return contract_file
    try:
        contract_file.contract = Contract.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = tuple(error["loc"])
            shown = ".".join(str(part) for part in where) or "(top)"
            problems.append(contract_file.problem(f"{shown}: {error['msg']}", *where))
    return contract_file


def load_contract_files(folder: Path) -> list[ContractFile]:
    """Every ``*.yaml`` contract in ``folder``, sorted by name."""
    if not folder.is_dir():
        return []
    return [load_contract_file(path) for path in sorted(folder.glob("*.y*ml"))]


def load_contracts(folder: Path) -> list[Contract]:
    """The contracts in ``folder``; raises ``ConfigurationError`` naming the first broken file."""
    contracts = []
    for contract_file in load_contract_files(folder):
        if contract_file.problems and contract_file.contract is None:
            raise ConfigurationError(f"{contract_file.problems[0]} (run `govbus contracts lint`)")
        contracts.append(contract_file.contract)
    return contracts


def contracts_in(folder: Path) -> tuple[Contract, ...]:
    """The contracts in ``folder``, parsed once for as long as its files stay as they are.

    Raises as ``load_contracts`` does; a folder that failed is parsed again on the next call, so a
    fixed contract is seen at once.
    """
    return _parsed(folder, _as_they_are(folder))


def _as_they_are(folder: Path) -> tuple:
    """What the cache is keyed on besides the folder: each contract file's name, inode, modification time and size."""
    stats = [(path.name, path.stat()) for path in sorted(folder.glob("*.y*ml"))]
    return tuple((name, stat.st_ino, stat.st_mtime_ns, stat.st_size) for name, stat in stats)


@lru_cache(maxsize=8)
def _parsed(folder: Path, files: tuple) -> tuple[Contract, ...]:
    # A tuple, as every caller shares it.
    return tuple(load_contracts(folder))
