"""The multi-agency scenario: a synthetic country's agencies share data through the running stack.

- ``plan``: the country, each agency's deliveries and the truth to check against (``faults``);
- ``legacy_databases``: the agencies' old databases, read by connectors and retired as holdings;
- ``deliver``: each agency sends under its own identity; ``waiting``: the DAGs do their part,
  followed through ``airflow_api``; ``holdings_step``: plans approved, holdings retired;
- ``summary`` and ``run``: the whole run and what it shows; ``case_file``: one migration case.
"""
