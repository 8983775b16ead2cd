"""The holdings catalogue: each agency's own copy of citizen data that sharing may make redundant.

Declared beside the contracts (``contracts/holdings/catalogue.yaml``). A holding names its agency
database through an environment variable, so the URL and its password never sit in the file;
when the variable is unset the holding lives in the govbus store's own database.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govbus.errors import ConfigurationError
from govbus.project import Project, duration_ms
from govbus.registry.survivorship import DOMAINS
from govbus.store.engine import Store
from govbus.store.settings import masked

CATALOGUE_FILE = Path("holdings") / "catalogue.yaml"


class Policy(BaseModel):
    """When a holding is redundant enough to retire, and where archives go."""

    model_config = ConfigDict(extra="forbid")

    min_coverage: float = Field(default=0.95, ge=0, le=1)
    min_agreement: float = Field(default=0.90, ge=0, le=1)
    samples: int = Field(default=5, ge=0, le=100)
    archive_dir: str = ".govbus/archive"
    rows_per_file: int = Field(default=250_000, ge=1)


class Holding(BaseModel):
    """One agency table, and which golden attribute each of its columns duplicates."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    agency: str
    url_env: str
    table: str
    source: str = ""  # the registry's name for this agency's records (person_xref.source)
    key_columns: list[str] = Field(min_length=1)
    columns: dict[str, str]  # column -> golden attribute
    owner: str
    legal_basis: str
    legal_hold: bool = False
    retention: str

    @field_validator("retention")
    @classmethod
    def _retention_parses(cls, value: str) -> str:
        duration_ms(value)
        return value

    @field_validator("columns")
    @classmethod
    def _golden_attributes(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(a for a in value.values() if a not in DOMAINS)
        if unknown:
            raise ValueError(f"{', '.join(unknown)} are not golden attributes (they are: {', '.join(DOMAINS)})")
        return value

    def url(self, store: Store) -> str:
        """The agency database's URL, from ``url_env``; the store's own database when unset."""
        return os.environ.get(self.url_env) or store.url

    def shown_url(self, store: Store) -> str:
        return masked(self.url(store))

    def database(self, store: Store) -> Store:
        """The agency database, reached through the same cached-engine layer as the store."""
        return Store(self.url(store))


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: Policy = Field(default_factory=Policy)
    holdings: dict[str, Holding] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> "Catalogue":
        for name, holding in self.holdings.items():
            holding.name = name
            holding.source = holding.source or holding.agency
        return self

    def holding(self, name: str) -> Holding:
        try:
            return self.holdings[name]
        except KeyError:
            raise ConfigurationError(f"no holding {name!r} in the catalogue (known: {', '.join(sorted(self.holdings))})") from None


def load_catalogue(project: Project) -> Catalogue:
    """The project's catalogue; an empty one when the project declares no holdings."""
    path = project.contracts_dir / CATALOGUE_FILE
    if not path.exists():
        return Catalogue()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        catalogue = Catalogue.model_validate(document)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigurationError(f"{path}: {where}: {first['msg']}") from exc
    unknown = sorted(h.agency for h in catalogue.holdings.values() if h.agency not in project.agencies)
    if unknown:
        raise ConfigurationError(f"{path}: unknown agency {', '.join(unknown)} (known: {', '.join(sorted(project.agencies))})")
    return catalogue


def archive_root(project: Project, catalogue: Catalogue) -> Path:
    folder = Path(catalogue.policy.archive_dir)
    return folder if folder.is_absolute() else project.root / folder
