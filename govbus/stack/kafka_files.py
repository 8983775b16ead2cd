"""What the local broker needs on disk before it starts: Java, its jars, its config, its storage."""

from __future__ import annotations

import base64
import secrets
import shutil
import string
import subprocess
from pathlib import Path

from govbus.errors import ConfigurationError, FatalError, RetriableError


def new_cluster_id() -> str:
    """16 random bytes, URL-safe base64 without padding: Kafka's ``Uuid`` text form."""
    while True:
        cluster_id = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
        # A leading dash would be read as an option by the storage tool's argument parser.
        if not cluster_id.startswith("-"):
            return cluster_id


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ConfigurationError(
            "java not found: the local broker needs Java 17 or newer "
            "(apt-get install openjdk-17-jre-headless)"
        )
    return java


def ensure_jars(pom: Path, libs_dir: Path) -> None:
    """Fetch the broker's jars with Maven into ``libs_dir`` (where ``pom`` puts them) if empty."""
    if any(libs_dir.glob("*.jar")):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConfigurationError(
            f"the broker's jars are not in {libs_dir} and Maven, which fetches them, "
            "is missing: apt-get install maven"
        )
    fetch = subprocess.run(
        [mvn, "-q", "-B", "-f", str(pom), "package"],
        check=False,
        capture_output=True,
        text=True,
    )
    if fetch.returncode != 0:
        output = "\n".join((fetch.stdout + fetch.stderr).strip().splitlines()[-15:])
        raise RetriableError(f"fetching the broker's jars with {pom} failed:\n{output}")
    if not any(libs_dir.glob("*.jar")):
        raise ConfigurationError(f"{pom} ran but put no jars in {libs_dir}")


def render_config(template_file: Path, config_file: Path, **values: object) -> None:
    """Fill the ``${name}`` placeholders of ``template_file`` and write ``config_file``."""
    try:
        rendered = string.Template(template_file.read_text()).substitute(values)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigurationError(f"{template_file}: cannot render the config: {exc}") from exc
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(rendered)


def format_storage(java: str, libs_dir: Path, config_file: Path, cluster_id: str) -> None:
    """Format the node's log dirs as a standalone KRaft quorum of one."""
    storage_tool = [java, "-cp", f"{libs_dir}/*", "kafka.tools.StorageTool", "format"]
    storage_tool += ["--standalone", "-t", cluster_id, "-c", str(config_file)]
    formatted = subprocess.run(storage_tool, check=False, capture_output=True, text=True)
    if formatted.returncode != 0:
        output = formatted.stdout + formatted.stderr
        raise FatalError(f"formatting the storage of {config_file} failed:\n{output}")
