"""A landing zone in an Azure Blob Storage container, the production counterpart of the folder.

Blobs are named `<prefix>/<source>/<YYYY-MM-DD>/<file>`. Only the Blob API is used, so the
same code reads a plain storage account, an ADLS Gen2 account (hierarchical namespace) and
the Azurite emulator.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

import dagster as dg
from azure.core.credentials import AzureSasCredential
from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.identity import DefaultAzureCredential
from azure.storage.blob import BlobProperties, BlobServiceClient, ContainerClient
from pydantic import Field, PrivateAttr

from cdp_assets.landing import LandingFile, LandingZone

# The variable names the Azure CLI and SDK samples use, so an environment set up for
# `az storage` works unchanged.
CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"
ACCOUNT_URL_VARIABLE = "AZURE_STORAGE_ACCOUNT_URL"
ACCOUNT_NAME_VARIABLE = "AZURE_STORAGE_ACCOUNT"
ACCOUNT_KEY_VARIABLE = "AZURE_STORAGE_KEY"
SAS_TOKEN_VARIABLE = "AZURE_STORAGE_SAS_TOKEN"

# ADLS Gen2 accounts list each directory as an empty blob carrying this metadata flag.
_FOLDER_MARKER = "hdi_isfolder"


class AzureBlobLandingZone(LandingZone):
    """Landing files in a Blob Storage container, versioned by each blob's etag.

    Credentials, in order of precedence: a connection string; an account URL with a shared
    key or a SAS token; an account URL alone, which authenticates with
    `DefaultAzureCredential` (managed identity, workload identity, Azure CLI login).
    """

    container: str = Field(description="Container holding the landing zone.")
    prefix: str = Field(default="", description="Folder inside the container, if any.")
    account_url: str | None = Field(
        default=None, description="Blob endpoint, e.g. https://<account>.blob.core.windows.net"
    )
    connection_string: str | None = Field(
        default=None, description="Storage connection string; replaces the other credentials."
    )
    account_key: str | None = Field(default=None, description="Shared key of the account.")
    sas_token: str | None = Field(default=None, description="SAS token granting read and list.")

    _client: ContainerClient | None = PrivateAttr(default=None)

    @classmethod
    def from_environment(cls, container: str, prefix: str = "") -> AzureBlobLandingZone:
        """A landing zone whose credentials come from the `AZURE_STORAGE_*` variables.

        Secrets are passed as `dg.EnvVar`, so the Dagster UI shows the variable's name and
        never its value.
        """
        secrets = {
            "connection_string": CONNECTION_STRING_VARIABLE,
            "account_key": ACCOUNT_KEY_VARIABLE,
            "sas_token": SAS_TOKEN_VARIABLE,
        }
        credentials = {
            field: dg.EnvVar(variable)
            for field, variable in secrets.items()
            if os.environ.get(variable)
        }
        return cls(
            container=container,
            prefix=prefix,
            account_url=_account_url_from_environment(),
            **credentials,
        )

    def list_files(self, source: str, day: str | None = None) -> list[LandingFile]:
        folder = self._blob_name(source, day) if day else self._blob_name(source)
        try:
            blobs = list(
                self._container_client().list_blobs(
                    name_starts_with=f"{folder}/", include=["metadata"]
                )
            )
        except ResourceNotFoundError as error:
            raise LookupError(
                f"landing container {self.container!r} does not exist at {self._container_url()}"
            ) from error

        files = [file for blob in blobs if (file := self._landing_file(source, blob)) is not None]
        return sorted(files, key=lambda file: file.key)

    def read_bytes(self, file: LandingFile) -> bytes:
        try:
            return self._container_client().download_blob(self._blob_name(file.key)).readall()
        except AzureError as error:
            raise OSError(f"cannot read landing file {file.location}: {error}") from error

    def _blob_name(self, *parts: str) -> str:
        return "/".join(part.strip("/") for part in (self.prefix, *parts) if part.strip("/"))

    def _landing_file(self, source: str, blob: BlobProperties) -> LandingFile | None:
        """The landing file a blob is, or None for folder markers and anything not a file."""
        relative = blob.name.removeprefix(self._blob_name(source)).lstrip("/")
        parts = relative.split("/")
        if len(parts) != 2:
            return None
        day, name = parts
        if not name or name.startswith("."):
            return None
        if (blob.metadata or {}).get(_FOLDER_MARKER, "").lower() == "true":
            return None
        return LandingFile(
            source=source,
            day=day,
            name=name,
            location=f"{self._container_url()}/{quote(blob.name)}",
            version=blob.etag.strip('"'),
        )

    def _container_client(self) -> ContainerClient:
        if self._client is None:
            self._client = self._service_client().get_container_client(self.container)
        return self._client

    def _service_client(self) -> BlobServiceClient:
        if self.connection_string:
            return BlobServiceClient.from_connection_string(self.connection_string)
        if not self.account_url:
            raise ValueError(
                f"The Azure landing zone needs {CONNECTION_STRING_VARIABLE}, "
                f"{ACCOUNT_URL_VARIABLE} or {ACCOUNT_NAME_VARIABLE}"
            )
        return BlobServiceClient(self.account_url, credential=self._credential())

    def _credential(self):
        if self.account_key:
            return self.account_key
        if self.sas_token:
            return AzureSasCredential(self.sas_token.lstrip("?"))
        return DefaultAzureCredential()

    def _container_url(self) -> str:
        """The container's URL without any SAS query, fit for logs and error messages."""
        url = urlsplit(self._container_client().url)
        return urlunsplit((url.scheme, url.netloc, url.path, "", ""))


def _account_url_from_environment() -> str | None:
    if os.environ.get(ACCOUNT_URL_VARIABLE):
        return os.environ[ACCOUNT_URL_VARIABLE]
    if os.environ.get(ACCOUNT_NAME_VARIABLE):
        return f"https://{os.environ[ACCOUNT_NAME_VARIABLE]}.blob.core.windows.net"
    return None
