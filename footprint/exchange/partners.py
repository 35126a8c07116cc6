"""Another company's PACT host, as this one talks to it: where, and with which credentials."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class PactHost:
    """Another company's PACT host: its base URL, token endpoint and our credentials there."""

    base_url: str
    token_url: str
    client_id: str
    secret: str  # "" when ``secret_env`` names the environment variable holding it
    ca_file: str | None = None
    secret_env: str | None = None

    def resolved_secret(self) -> str:
        """The secret, read from ``secret_env`` at the time of use when one is named.

        Raises:
            KeyError: the environment variable is not set.
        """
        if self.secret_env:
            return os.environ[self.secret_env]
        return self.secret
