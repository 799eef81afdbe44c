"""The Azure landing zone against Azurite, and the environment that chooses it.

Azurite (the Blob Storage emulator, an npm package) is installed into `.azurite/` on first
use and started once for this module on a free local port.
"""

import json
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
from azure.storage.blob import BlobServiceClient, ContainerClient
from dagster_pyspark import PySparkResource

from cdp_assets import lake
from cdp_assets.landing import LocalLandingZone
from cdp_assets.landing_azure import CONNECTION_STRING_VARIABLE, AzureBlobLandingZone
from cdp_assets.raw.assets import raw_assets
from cdp_assets.raw.ingest import raw_table_path
from cdp_assets.raw.sensors import build_landing_sensor
from cdp_assets.resources import build_landing_zone
from cdp_assets.settings import PROJECT_ROOT
from cdp_assets.sources import SOURCES_BY_NAME
from cdp_assets.spark import spark_config

AZURITE_VERSION = "3.37.0"
AZURITE_DIR = PROJECT_ROOT / ".azurite"
AZURITE_BLOB = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"

# Azurite's single built-in account; the key is public and documented by Microsoft.
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

DAY = "2024-03-05"
PREFIX = "incoming"


def _installed_azurite_version() -> str | None:
    package = AZURITE_DIR / "node_modules" / "azurite" / "package.json"
    if not AZURITE_BLOB.exists() or not package.exists():
        return None
    return json.loads(package.read_text())["version"]


def _install_azurite() -> Path:
    """Installs the pinned Azurite into `.azurite/` unless it is already there."""
    if _installed_azurite_version() == AZURITE_VERSION:
        return AZURITE_BLOB
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Azurite needs Node.js and npm on PATH; neither is installed here")
    subprocess.run(
        [npm, "install", "--prefix", str(AZURITE_DIR), "--no-audit", "--no-fund", "--silent"]
        + [f"azurite@{AZURITE_VERSION}"],
        check=True,
        timeout=600,
    )
    return AZURITE_BLOB


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(process: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"Azurite exited with {process.returncode}: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"Azurite did not listen on port {port} within {timeout} seconds")


@pytest.fixture(scope="module")
def azurite(tmp_path_factory):
    """A running Azurite Blob service; yields its connection string."""
    if shutil.which("node") is None:
        pytest.skip("Azurite needs Node.js, which is not installed here")
    executable = _install_azurite()
    port = _free_port()
    process = subprocess.Popen(
        [str(executable), "--blobHost", "127.0.0.1", "--blobPort", str(port)]
        + ["--location", str(tmp_path_factory.mktemp("azurite"))]
        + ["--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_listening(process, port)
        yield (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def container(azurite) -> ContainerClient:
    """An empty container of its own for each test."""
    service = BlobServiceClient.from_connection_string(azurite)
    client = service.create_container(f"landing-{uuid.uuid4().hex[:12]}")
    yield client
    client.delete_container()
    service.close()


def _zone(azurite: str, container: ContainerClient) -> AzureBlobLandingZone:
    return AzureBlobLandingZone(
        container=container.container_name, prefix=PREFIX, connection_string=azurite
    )


def _upload(container: ContainerClient, key: str, text: str = "{}\n", **kwargs) -> None:
    container.upload_blob(f"{PREFIX}/{key}", text.encode(), overwrite=True, **kwargs)


def _lead(lead_id: str, name: str, mobile: str) -> str:
    return json.dumps(
        {
            "lead_id": lead_id,
            "created_at": f"{DAY}T10:22:31+05:30",
            "contact": {"name": name, "mobile": mobile, "email": f"{lead_id.lower()}@gmail.com"},
            "property": {"project": "Skyline Towers", "locality": "Baner", "city": "Pune"},
            "query_type": "enquiry",
            "dnd": False,
        }
    )


@pytest.mark.azurite
def test_uploaded_blobs_are_listed_with_their_source_and_day(azurite, container):
    _upload(container, "99acres/2024-03-05/leads_2024-03-05.jsonl")
    _upload(container, "99acres/2024-03-06/leads_2024-03-06.jsonl")
    _upload(container, "website/2024-03-05/forms_2024-03-05.jsonl")
    zone = _zone(azurite, container)

    files = zone.list_files("99acres")

    assert [(file.source, file.day, file.name) for file in files] == [
        ("99acres", "2024-03-05", "leads_2024-03-05.jsonl"),
        ("99acres", "2024-03-06", "leads_2024-03-06.jsonl"),
    ]
    assert files[0].key == "99acres/2024-03-05/leads_2024-03-05.jsonl"
    assert files[0].location.endswith(
        f"/{container.container_name}/{PREFIX}/99acres/2024-03-05/leads_2024-03-05.jsonl"
    )


@pytest.mark.azurite
def test_listing_one_day_returns_only_that_days_blobs(azurite, container):
    _upload(container, "99acres/2024-03-05/leads_2024-03-05.jsonl")
    _upload(container, "99acres/2024-03-06/leads_2024-03-06.jsonl")

    files = _zone(azurite, container).list_files("99acres", "2024-03-06")

    assert [file.key for file in files] == ["99acres/2024-03-06/leads_2024-03-06.jsonl"]


@pytest.mark.azurite
def test_folder_markers_hidden_and_nested_blobs_are_not_landing_files(azurite, container):
    _upload(container, "mailchimp/2024-03-05/members.json", "[]")
    _upload(container, "mailchimp/2024-03-05/.members.json.tmp", "[")
    _upload(container, "mailchimp/2024-03-05/archive/members.json", "[]")
    _upload(container, "mailchimp/2024-03-06", "", metadata={"hdi_isfolder": "true"})
    _upload(container, "mailchimp/2024-03-06/empty", "", metadata={"hdi_isfolder": "true"})
    container.upload_blob("mailchimp/2024-03-05/outside_the_prefix.json", b"[]")

    files = _zone(azurite, container).list_files("mailchimp")

    assert [file.key for file in files] == ["mailchimp/2024-03-05/members.json"]


@pytest.mark.azurite
def test_a_changed_blob_gets_a_new_version_and_its_new_content(azurite, container):
    key = "website/2024-03-05/forms_2024-03-05.jsonl"
    _upload(container, key, '{"submission_id": "a"}\n')
    zone = _zone(azurite, container)
    [before] = zone.list_files("website")

    _upload(container, key, '{"submission_id": "a"}\n{"submission_id": "b"}\n')
    [after] = zone.list_files("website")

    assert after.version != before.version
    assert zone.read_bytes(after) == b'{"submission_id": "a"}\n{"submission_id": "b"}\n'


@pytest.mark.azurite
def test_an_unchanged_blob_keeps_its_version(azurite, container):
    _upload(container, "website/2024-03-05/forms_2024-03-05.jsonl")
    zone = _zone(azurite, container)

    assert zone.list_files("website") == zone.list_files("website")


@pytest.mark.azurite
def test_a_missing_container_is_reported_by_name(azurite):
    zone = AzureBlobLandingZone(container="no-such-landing", connection_string=azurite)

    with pytest.raises(LookupError, match="no-such-landing"):
        zone.list_files("99acres")


@pytest.mark.azurite
def test_a_deleted_blob_fails_the_read_naming_the_blob(azurite, container):
    _upload(container, "freshdesk/2024-03-05/tickets.json", "[]")
    zone = _zone(azurite, container)
    [file] = zone.list_files("freshdesk")
    container.delete_blob(f"{PREFIX}/freshdesk/2024-03-05/tickets.json")

    with pytest.raises(OSError, match="tickets.json"):
        zone.read_bytes(file)


def _tick(zone: AzureBlobLandingZone, source_name: str, cursor: str | None = None):
    sensor = build_landing_sensor(SOURCES_BY_NAME[source_name])
    context = dg.build_sensor_context(cursor=cursor, resources={"landing_zone": zone})
    result = sensor(context)
    return result.run_requests, result.cursor


@pytest.mark.azurite
def test_a_sensor_tick_requests_the_partitions_of_new_blobs(azurite, container):
    _upload(container, "99acres/2024-03-05/leads_2024-03-05.jsonl")
    _upload(container, "99acres/2024-03-08/leads_2024-03-08.jsonl")
    _upload(container, "website/2024-03-06/forms_2024-03-06.jsonl")

    requests, _ = _tick(_zone(azurite, container), "99acres")

    assert [request.partition_key for request in requests] == ["2024-03-05", "2024-03-08"]
    assert requests[0].asset_selection == [
        dg.AssetKey("raw_99acres"),
        dg.AssetKey("standardized_99acres"),
    ]


@pytest.mark.azurite
def test_a_second_sensor_tick_requests_nothing(azurite, container):
    _upload(container, "99acres/2024-03-05/leads_2024-03-05.jsonl")
    zone = _zone(azurite, container)
    _, cursor = _tick(zone, "99acres")

    requests, _ = _tick(zone, "99acres", cursor)

    assert requests == []


@pytest.mark.azurite
def test_a_sensor_tick_after_a_blob_changes_requests_its_day_again(azurite, container):
    _upload(container, "99acres/2024-03-05/leads_2024-03-05.jsonl")
    zone = _zone(azurite, container)
    _, cursor = _tick(zone, "99acres")
    _upload(container, "99acres/2024-03-05/leads_2024-03-05.jsonl", "{}\n{}\n")

    requests, _ = _tick(zone, "99acres", cursor)

    assert [request.partition_key for request in requests] == ["2024-03-05"]


@pytest.mark.azurite
def test_materializing_a_day_lands_its_blobs_in_delta(
    spark, lake_root, azurite, container, monkeypatch
):
    lines = [
        _lead("99A-1", "Rahul Sharma", "9876543210"),
        _lead("99A-2", "Anita Rao", "9812345678"),
    ]
    _upload(container, f"99acres/{DAY}/leads_{DAY}.jsonl", "\n".join(lines) + "\n")
    monkeypatch.setenv(CONNECTION_STRING_VARIABLE, azurite)
    zone = AzureBlobLandingZone.from_environment(container.container_name, prefix=PREFIX)

    result = dg.materialize(
        raw_assets,
        selection=["raw_99acres"],
        partition_key=DAY,
        resources={
            "pyspark": PySparkResource(spark_config=spark_config("local[2]")),
            "landing_zone": zone,
        },
    )

    assert result.success
    rows = lake.read_table(spark, raw_table_path("99acres")).orderBy("record_id").collect()
    assert [(row.record_id, row.phone, str(row.day)) for row in rows] == [
        ("99A-1", "9876543210", DAY),
        ("99A-2", "9812345678", DAY),
    ]
    assert {row.file for row in rows} == {f"99acres/{DAY}/leads_{DAY}.jsonl"}


def test_the_local_landing_folder_stays_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("CDP_LANDING_KIND", raising=False)
    monkeypatch.setenv("CDP_LANDING_ROOT", str(tmp_path))

    zone = build_landing_zone()

    assert isinstance(zone, LocalLandingZone)
    assert zone.root == str(tmp_path)


def test_landing_kind_azure_builds_a_blob_landing_zone_from_the_environment(monkeypatch):
    monkeypatch.setenv("CDP_LANDING_KIND", "azure")
    monkeypatch.setenv("CDP_LANDING_CONTAINER", "leads")
    monkeypatch.setenv("CDP_LANDING_PREFIX", "landing/v1")
    monkeypatch.delenv(CONNECTION_STRING_VARIABLE, raising=False)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT", "cdpprod")
    monkeypatch.setenv("AZURE_STORAGE_KEY", "c2VjcmV0")

    zone = build_landing_zone()

    assert isinstance(zone, AzureBlobLandingZone)
    assert (zone.container, zone.prefix) == ("leads", "landing/v1")
    assert zone.account_url == "https://cdpprod.blob.core.windows.net"
    assert zone.account_key == dg.EnvVar("AZURE_STORAGE_KEY")


def test_an_unknown_landing_kind_is_refused(monkeypatch):
    monkeypatch.setenv("CDP_LANDING_KIND", "s3")

    with pytest.raises(ValueError, match="CDP_LANDING_KIND"):
        build_landing_zone()


def test_a_spark_connect_url_replaces_the_master(monkeypatch):
    monkeypatch.setenv("CDP_SPARK_REMOTE", "sc://spark.example.internal:15002")

    config = spark_config()

    assert config["spark.remote"] == "sc://spark.example.internal:15002"
    assert "spark.master" not in config


def test_extra_spark_settings_are_added_from_the_environment(monkeypatch):
    monkeypatch.delenv("CDP_SPARK_REMOTE", raising=False)
    monkeypatch.setenv("CDP_SPARK_MASTER", "spark://spark-master:7077")
    monkeypatch.setenv(
        "CDP_SPARK_CONF",
        json.dumps({"spark.jars.packages": "org.apache.hadoop:hadoop-azure:3.4.2"}),
    )

    config = spark_config()

    assert config["spark.master"] == "spark://spark-master:7077"
    assert config["spark.jars.packages"] == "org.apache.hadoop:hadoop-azure:3.4.2"
    assert config["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
