"""The work behind the DAGs in ``dags/``: each DAG task is one call into this package.

DAG files stay thin and import this package only inside their tasks. Functions here take the
project, store and broker from the environment the local stack gives Airflow (``GOVBUS_PROJECT``,
``GOVBUS_STORE_URL``, ``GOVBUS_KAFKA_*``) and return JSON-able summaries for XCom. Only
``failures`` touches Airflow, and only when a task fails.
"""
