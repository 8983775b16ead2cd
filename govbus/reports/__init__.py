"""Steward reports: the agreement report beside the GX Data Docs, rendered from typed results."""
