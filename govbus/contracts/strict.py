"""The base of every contract model: unknown keys are errors, so a typo never passes silently."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
