"""The ``Simulator``: one tenant, its keys and tokens, faults, latency and request log.

Tests drive it from Python (``running.sim``) or over HTTP under ``/_sim``; both reach the same
object, and every control is safe to call from a test thread while the server runs in its own.
Changing the tenant (``advance``, ``add_location``, ``move_user``) while a request is being
answered is not supported: call them between requests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sources.calven_sim.auth import DEFAULT_TOKEN_TTL_SECONDS, ApiKey, Authenticator, default_keys
from sources.calven_sim.faults import FaultConfig, FaultInjector, Latency
from sources.calven_sim.requestlog import RequestLog, RequestLogEntry
from sources.calven_sim.tenant import Tenant, TenantConfig, Truth

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything a simulator starts from.

    Attributes:
        tenant: Size, seed and clock of the generated tenant.
        keys: API keys; None gives ``default_keys(tenant.seed)``.
        token_ttl_seconds: Lifetime of tokens from both token flows.
        latency: Latency added to each ``/v1/`` request.
        faults: Faults injected into ``/v1/`` requests (none by default).
    """

    tenant: TenantConfig = field(default_factory=TenantConfig)
    keys: tuple[ApiKey, ...] | None = None
    token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS
    latency: Latency = field(default_factory=Latency)
    faults: FaultConfig = field(default_factory=FaultConfig)


def pick_key(keys: list[ApiKey], role: str = "warehouse", basic: bool = False) -> ApiKey:
    """The first key with this role and Basic setting.

    Raises:
        LookupError: When no configured key has that role and Basic setting.
    """
    for key in keys:
        if key.role == role and key.basic_enabled == basic:
            return key
    raise LookupError(f"no API key with role={role!r} basic={basic!r} is configured")


class Simulator:
    """A simulated Calven tenant behind the HTTP layer, with its test controls."""

    def __init__(self, config: SimulatorConfig | None = None, tenant: Tenant | None = None):
        self.config = config or SimulatorConfig()
        self.tenant = tenant if tenant is not None else Tenant(self.config.tenant)
        keys = self.config.keys
        self.auth = Authenticator(
            keys if keys is not None else default_keys(self.config.tenant.seed),
            token_ttl_seconds=self.config.token_ttl_seconds,
        )
        self.faults = FaultInjector(
            self.config.tenant.seed, self.config.faults, self.config.latency
        )
        self.request_log = RequestLog()

    @property
    def keys(self) -> list[ApiKey]:
        """The configured API keys."""
        return self.auth.keys

    def key(self, role: str = "warehouse", basic: bool = False) -> ApiKey:
        """The first configured key with this role and Basic setting."""
        return pick_key(self.keys, role, basic)

    @property
    def token_ttl_seconds(self) -> float:
        """Lifetime of tokens issued from now on."""
        return self.auth.token_ttl_seconds

    @token_ttl_seconds.setter
    def token_ttl_seconds(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError(f"token_ttl_seconds must be > 0, got {seconds}")
        self.auth.token_ttl_seconds = seconds

    def expire_tokens(self) -> None:
        """Invalidates every issued token (clients must re-authenticate after a 401)."""
        self.auth.expire_tokens()

    def set_faults(self, faults: FaultConfig | None = None) -> None:
        """Replaces the fault configuration; None turns faults off."""
        self.faults.configure(faults or FaultConfig())
        logger.info(
            "simulator faults set: rate=%s rules=%d",
            self.faults.config.rate,
            len(self.faults.config.rules),
        )

    def set_latency(self, latency: Latency | None = None) -> None:
        """Replaces the added latency; None removes it."""
        self.faults.latency = latency or Latency()

    def requests(self, path_prefix: str | None = None) -> list[RequestLogEntry]:
        """The request log, optionally only paths under a prefix."""
        return self.request_log.entries(path_prefix)

    def clear_requests(self) -> None:
        """Empties the request log."""
        self.request_log.clear()

    def advance(self, days: int = 1) -> date:
        """Moves the tenant's clock (a nightly refresh per day); returns the new today."""
        self.tenant.advance(days)
        return self.tenant.today

    def add_field(self, dataset: str, name: str, value: object) -> None:
        """Every row of ``dataset`` (an API path such as ``presence``) gains a field."""
        self.tenant.add_field(dataset, name, value)

    def add_location(self, users: int) -> str:
        """Opens a new office with this many users; returns its location id."""
        return self.tenant.add_location(users)

    def move_user(self, user_id: str, location_id: str, *, straddle: bool = True) -> None:
        """Changes a user's primary location; see ``sources.calven_sim.moves``.

        With ``straddle`` both locations list the user's bookings rows (each with its own
        ``primaryLocationId``) until the user is moved again without it, as a sync that reads the
        old location before the move and the new one after it sees them. ``truth`` counts the
        user once, under the new location.

        Raises:
            ValueError: When the user or the location is unknown.
        """
        self.tenant.move_user(user_id, location_id, straddle=straddle)

    def truth(
        self,
        dataset: str,
        start: date | None = None,
        end: date | None = None,
        location_id: str | None = None,
    ) -> Truth:
        """What a complete load of a dataset (and range, and location) must contain."""
        location_ids = [location_id] if location_id is not None else None
        return self.tenant.truth(dataset, start, end, location_ids)
