"""Where the store lives. ``GOVBUS_STORE_URL=postgresql+psycopg://user:pass@host/db``."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVBUS_STORE_", extra="ignore")

    url: SecretStr | None = None

    def resolved_url(self, state_dir: Path) -> str:
        """The configured URL, else an embedded SQLite file in the project's state folder."""
        if self.url is not None:
            return self.url.get_secret_value()
        state_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{state_dir / 'govbus.db'}"


def masked(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)
