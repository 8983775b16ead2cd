"""The agencies' own legacy copies of names and addresses: the holdings that sharing makes redundant.

Each table is what the agency's old database holds today, ready to be loaded into SQLite or
PostgreSQL under the table name given here.
"""

from __future__ import annotations

import pandas as pd

_PERSON_COPY = ["national_id", "given_name", "family_name", "date_of_birth", "street", "postcode", "city"]

# table name -> (source, columns it keeps)
LEGACY_TABLES: dict[str, tuple[str, list[str]]] = {
    "tax_taxpayer_address": ("tax", ["tax_id", "street", "postcode", "city"]),
    "social_insured_person": ("social", ["insured_id", *_PERSON_COPY]),
    "municipality_resident": ("municipality", ["resident_id", *_PERSON_COPY]),
}


def legacy_tables(sources: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each legacy table by name, built from the agencies' records (see ``LEGACY_TABLES``)."""
    return {
        table: sources[source][columns].reset_index(drop=True)
        for table, (source, columns) in LEGACY_TABLES.items()
    }
