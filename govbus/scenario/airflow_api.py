"""The running Airflow's REST API (v2), as far as the scenario needs it: trigger and follow DAG runs.

The local stack lets everyone in as admin on 127.0.0.1, so ``GET /auth/token`` hands out a token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timezone

from govbus.errors import ConfigurationError, RetriableError

FINISHED = {"success", "failed"}


class AirflowApi:
    """A client of one Airflow API server, e.g. ``AirflowApi("http://127.0.0.1:8080")``."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._token: str | None = None

    def dag_runs(self, dag_id: str) -> list[dict]:
        """The DAG's runs, newest first."""
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=-run_after&limit=50")["dag_runs"]

    def dag_ids(self) -> set[str]:
        return {dag["dag_id"] for dag in self._call("GET", "/api/v2/dags?limit=200")["dags"]}

    def trigger(self, dag_id: str, note: str) -> dict:
        """Start a manual run now; ``note`` says in the UI why it was started."""
        body = {"logical_date": None, "run_after": datetime.now(timezone.utc).isoformat(), "note": note}
        return self._call("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)

    def run(self, dag_id: str, run_id: str) -> dict:
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")

    def returned(self, dag_id: str, run_id: str, task_id: str) -> object:
        """What a task of the run returned (its ``return_value`` XCom)."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
        return self._call("GET", path)["value"]

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if path != "/auth/token":
            headers["Authorization"] = f"Bearer {self._bearer()}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            if exc.code in (401, 403):
                raise ConfigurationError(
                    f"Airflow at {self.url} refused {method} {path} ({exc.code}); the scenario needs the local "
                    "stack's open access (AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True)"
                ) from exc
            raise RetriableError(f"Airflow at {self.url}: {method} {path} answered {exc.code}: {detail}") from exc
        except OSError as exc:
            raise RetriableError(f"Airflow at {self.url} does not answer ({exc}); is the stack up (`govbus up`)?") from exc

    def _bearer(self) -> str:
        if self._token is None:
            self._token = self._call("GET", "/auth/token")["access_token"]
        return self._token
