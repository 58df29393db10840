"""The API key as dlt injects it: ``[sources.calven.credentials]`` or env variables."""

from __future__ import annotations

from dlt.common.configuration.specs import CredentialsConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from sources.calven.errors import ConfigError


@configspec
class CalvenCredentials(CredentialsConfiguration):
    """An API key: its id is not secret, its secret is."""

    api_key_id: str = None  # type: ignore[assignment]
    api_secret: TSecretStrValue = None  # type: ignore[assignment]

    def pair(self) -> tuple[str, str]:
        """(key id, secret); ConfigError naming the missing setting."""
        for name in ("api_key_id", "api_secret"):
            if not getattr(self, name):
                raise ConfigError(
                    f"credentials missing: set sources.calven.credentials.{name} in "
                    f".dlt/secrets.toml or SOURCES__CALVEN__CREDENTIALS__{name.upper()}"
                )
        return self.api_key_id, self.api_secret
