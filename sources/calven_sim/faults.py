"""Latency and fault injection: what goes wrong with a request, decided deterministically.

Random faults hit a request when a number derived from ``hash(seed, sequence number)`` falls under
the configured rate; the same hash picks the kind from the weighted mix. The sequence number counts
the requests that reached the fault stage since the faults were last configured, so a test that
configures faults and then sends N requests sees the same faults on every run. Targeted rules
(a path prefix and/or a location id, optionally a limited number of times) fire before the random
draw, which is how partition-failure tests make one location fail every time.

Only ``/v1/`` requests ever get latency or faults; the test controls under ``/_sim`` never do.

Random faults are all of kinds a client should retry; a rule may also refuse a request with a
``400``. With ``echo_credentials`` a status fault's message quotes the credentials the request
carried, as a careless server or proxy might: the ``Authorization`` value (a live bearer token,
or the Basic value) and the ``hash`` or ``client_secret`` of a token request. It is the one place
the simulator puts a credential into a response, so tests can prove the client's redaction.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import parse_qsl

import orjson

TransientKind = Literal["500", "502", "503", "429", "timeout", "reset", "truncate"]
FaultKind = TransientKind | Literal["400"]
FAULT_KINDS: tuple[TransientKind, ...] = get_args(TransientKind)
"""The kinds random faults are drawn from: each one a client should retry."""
RULE_KINDS: tuple[FaultKind, ...] = (*FAULT_KINDS, "400")
STATUS_FAULTS: dict[FaultKind, int] = {"500": 500, "502": 502, "503": 503, "429": 429, "400": 400}
FAULTED_PREFIX = "/v1/"
ECHOED_FIELDS = ("hash", "client_secret")
"""Credentials in a token request's body that ``echo_credentials`` quotes back."""


@dataclass(frozen=True)
class Latency:
    """Added to every ``/v1/`` request: ``fixed_ms`` plus a deterministic share of ``jitter_ms``."""

    fixed_ms: float = 0.0
    jitter_ms: float = 0.0

    def __post_init__(self) -> None:
        if self.fixed_ms < 0 or self.jitter_ms < 0:
            raise ValueError("Latency: fixed_ms and jitter_ms must be >= 0")


@dataclass(frozen=True)
class FaultRule:
    """A targeted fault: every matching request gets ``kind`` (at most ``times`` times, if set).

    ``path`` is a prefix of the request path (so ``/v1/analytics/presence`` also matches its
    ``/basic`` twin); ``location_id`` matches ``locationId`` or any entry of ``locationIds``.
    """

    kind: FaultKind
    path: str | None = None
    location_id: str | None = None
    times: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"FaultRule.kind must be one of {RULE_KINDS}, got {self.kind!r}")
        if self.times is not None and self.times < 0:
            raise ValueError("FaultRule.times must be >= 0")

    def matches(self, path: str, params: Mapping[str, str]) -> bool:
        """Whether a request path and query parameters fall under this rule."""
        if self.path is not None and not path.startswith(self.path):
            return False
        if self.location_id is not None:
            wanted = {params.get("locationId", "")}
            wanted.update(params.get("locationIds", "").split(","))
            return self.location_id in wanted
        return True


@dataclass(frozen=True)
class FaultConfig:
    """Random and targeted faults.

    Attributes:
        rate: Share of eligible requests that get a random fault, 0..1.
        mix: Relative weights of the fault kinds a random fault is drawn from.
        retry_after_seconds: ``Retry-After`` sent with a 429.
        timeout_seconds: How long a ``timeout`` fault sleeps before answering normally.
        rules: Targeted faults, tried in order before the random draw.
        paths: Path prefixes eligible for random faults (rules ignore this).
        seed: Seed of the random draw; None uses the tenant seed.
        echo_credentials: Status faults quote the request's credentials in their message.
    """

    rate: float = 0.0
    mix: Mapping[FaultKind, float] = field(default_factory=lambda: {"500": 1.0})
    retry_after_seconds: int = 1
    timeout_seconds: float = 30.0
    rules: tuple[FaultRule, ...] = ()
    paths: tuple[str, ...] = (FAULTED_PREFIX,)
    seed: int | None = None
    echo_credentials: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"FaultConfig.rate must be within 0..1, got {self.rate}")
        unknown = set(self.mix) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"FaultConfig.mix has unknown kinds {sorted(unknown)}")
        if any(w < 0 for w in self.mix.values()) or (self.rate > 0 and sum(self.mix.values()) <= 0):
            raise ValueError("FaultConfig.mix weights must be >= 0 with a positive sum")
        if self.retry_after_seconds < 0 or self.timeout_seconds < 0:
            raise ValueError("FaultConfig: retry_after_seconds and timeout_seconds must be >= 0")


@dataclass(frozen=True)
class Fault:
    """The fault chosen for one request."""

    kind: FaultKind
    retry_after_seconds: int
    timeout_seconds: float
    cut_fraction: float
    """Where a ``reset`` or ``truncate`` cuts the body, as a share of its length (0.2..0.8)."""
    echo_credentials: bool = False
    """A status fault's message quotes the request's credentials (``echoed_credentials``)."""

    @property
    def status(self) -> int | None:
        """The HTTP status a status fault answers with, None for the others."""
        return STATUS_FAULTS.get(self.kind)


def unit_fraction(seed: int, seq: int, salt: str) -> float:
    """A deterministic number in [0, 1) for one (seed, sequence number, purpose)."""
    digest = hashlib.blake2b(f"{seed}:{seq}:{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class FaultInjector:
    """Holds the latency and fault configuration and decides per request. Thread-safe."""

    def __init__(
        self, seed: int, faults: FaultConfig | None = None, latency: Latency | None = None
    ):
        self._default_seed = seed
        self._lock = threading.Lock()
        self.latency = latency or Latency()
        self._latency_seq = 0
        self.configure(faults or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The fault configuration in force."""
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replaces the fault configuration and restarts its sequence and rule counters."""
        with self._lock:
            self._config = config
            self._seq = 0
            self._fired = [0] * len(config.rules)

    def delay_seconds(self) -> float:
        """The latency to add to the next request."""
        with self._lock:
            latency, seq = self.latency, self._latency_seq
            self._latency_seq += 1
        if latency.jitter_ms == 0:
            return latency.fixed_ms / 1000
        jitter = latency.jitter_ms * unit_fraction(self._default_seed, seq, "latency")
        return (latency.fixed_ms + jitter) / 1000

    def decide(self, path: str, params: Mapping[str, str]) -> Fault | None:
        """The fault for the next eligible request, or None."""
        with self._lock:
            config = self._config
            seq = self._seq
            self._seq += 1
            kind = self._rule_kind(config, path, params)
        seed = self._default_seed if config.seed is None else config.seed
        if kind is None:
            if config.rate <= 0 or not path.startswith(config.paths):
                return None
            if unit_fraction(seed, seq, "rate") >= config.rate:
                return None
            kind = _pick(config.mix, unit_fraction(seed, seq, "kind"))
        return Fault(
            kind=kind,
            retry_after_seconds=config.retry_after_seconds,
            timeout_seconds=config.timeout_seconds,
            cut_fraction=0.2 + 0.6 * unit_fraction(seed, seq, "cut"),
            echo_credentials=config.echo_credentials,
        )

    def _rule_kind(
        self, config: FaultConfig, path: str, params: Mapping[str, str]
    ) -> FaultKind | None:
        for index, rule in enumerate(config.rules):
            if rule.matches(path, params) and (
                rule.times is None or self._fired[index] < rule.times
            ):
                self._fired[index] += 1
                return rule.kind
        return None


def _pick(mix: Mapping[FaultKind, float], u: float) -> FaultKind:
    total = sum(mix.values())
    threshold = u * total
    running = 0.0
    chosen: FaultKind | None = None
    for kind, weight in mix.items():
        if weight <= 0:
            continue
        chosen = kind
        running += weight
        if threshold < running:
            return kind
    assert chosen is not None, "validated: the mix has a positive weight"
    return chosen


def fault_config_from_dict(data: Mapping[str, object]) -> FaultConfig:
    """A ``FaultConfig`` from JSON (as sent to ``PUT /_sim/faults``).

    Raises:
        ValueError: When a field is unknown or has the wrong type or value.
    """
    known = {
        "rate", "mix", "retry_after_seconds", "timeout_seconds", "rules", "paths", "seed",
        "echo_credentials",
    }  # fmt: skip
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"FaultConfig: unknown fields {sorted(unknown)}")
    fields = dict(data)
    try:
        rules = fields.pop("rules", [])
        paths = fields.pop("paths", [FAULTED_PREFIX])
        if not isinstance(rules, list) or not isinstance(paths, list):
            raise ValueError("FaultConfig: rules and paths must be lists")
        return FaultConfig(
            rules=tuple(FaultRule(**rule) for rule in rules),
            paths=tuple(str(p) for p in paths),
            **fields,  # type: ignore[arg-type]
        )
    except TypeError as exc:
        raise ValueError(f"FaultConfig: {exc}") from None


def fault_config_as_dict(config: FaultConfig) -> dict[str, object]:
    """The JSON form of a ``FaultConfig``."""
    return {
        "rate": config.rate,
        "mix": dict(config.mix),
        "retry_after_seconds": config.retry_after_seconds,
        "timeout_seconds": config.timeout_seconds,
        "rules": [vars(rule).copy() for rule in config.rules],
        "paths": list(config.paths),
        "seed": config.seed,
        "echo_credentials": config.echo_credentials,
    }


def echoed_credentials(authorization: str | None, body: bytes) -> str:
    """What an ``echo_credentials`` fault quotes: ``; the request carried ...`` or nothing.

    Args:
        authorization: The request's ``Authorization`` header, whole (scheme included).
        body: The request body; ``ECHOED_FIELDS`` are taken from a JSON or form-encoded object.
    """
    quoted = [f"Authorization {authorization!r}"] if authorization else []
    fields = _body_fields(body)
    quoted += [f"{name} {fields[name]!r}" for name in ECHOED_FIELDS if name in fields]
    return f"; the request carried {', '.join(quoted)}" if quoted else ""


def _body_fields(body: bytes) -> dict[str, str]:
    payload: Any
    try:
        payload = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        payload = dict(parse_qsl(body.decode("utf-8", "replace")))
    if not isinstance(payload, dict):
        return {}
    return {k: v for k, v in payload.items() if isinstance(k, str) and isinstance(v, str)}
