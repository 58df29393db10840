"""Pure units of the auth module: signing vectors, refresh timing, reprs."""

from __future__ import annotations

import pytest

from sources.calven.errors import ConfigError
from sources.calven.http.auth import (
    BasicAuth,
    ClientSecretTokenAuth,
    HmacTokenAuth,
    basic_credentials,
    hmac_signature,
    make_auth,
    refresh_at,
)

SECRET = "my-test-secret"


def test_hmac_vector_from_calven_api_1_3() -> None:
    assert (
        hmac_signature("55DE3799-6C65-43F3-9AFB-A4725358B4FD", SECRET, 1683257792)
        == "782583b398a58ed268221c156d74e66a1cd39a897033b52f62e33d372e4a0d15"
    )


def test_basic_vector() -> None:
    assert basic_credentials("myKeyId", "mySecret") == "bXlLZXlJZDpteVNlY3JldA=="


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(3600, 60), (600, 60), (300, 30), (10, 1), (0, 0), (-5, 0)],
    ids=["hour", "ten-min", "five-min", "ten-s", "zero", "already-expired"],
)
def test_refresh_margin_is_60s_or_a_tenth_of_lifetime(lifetime: float, margin: float) -> None:
    fetched = 1_000_000.0
    assert refresh_at(fetched, fetched + lifetime) == pytest.approx(fetched + lifetime - margin)


@pytest.mark.parametrize(
    ("auth_type", "cls"),
    [("basic", BasicAuth), ("hmac", HmacTokenAuth), ("client_secret", ClientSecretTokenAuth)],
    ids=["basic", "hmac", "client_secret"],
)
def test_make_auth_types_and_repr_hides_secret(auth_type: str, cls: type) -> None:
    auth = make_auth(auth_type, "key-1", SECRET, "https://api.calven.com")  # type: ignore[arg-type]
    assert isinstance(auth, cls)
    assert repr(auth) == f"{cls.__name__}(api_key_id='key-1')"
    assert SECRET not in repr(vars(auth))
    assert basic_credentials("key-1", SECRET) not in repr(vars(auth))


@pytest.mark.parametrize(
    ("auth_type", "key", "secret", "expected"),
    [
        ("oauth", "k", "s", "auth_type 'oauth' is not one of basic, hmac, client_secret"),
        ("hmac", "", "s", "hmac auth needs both an API key id and an API secret"),
        ("basic", "k", "", "basic auth needs both an API key id and an API secret"),
    ],
    ids=["unknown-type", "no-key", "no-secret"],
)
def test_make_auth_rejects(auth_type: str, key: str, secret: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_auth(auth_type, key, secret, "https://x")  # type: ignore[arg-type]
    assert str(info.value) == expected


def test_redact_scrubs_secret_and_basic_value() -> None:
    auth = BasicAuth("k", SECRET)
    text = f"bad {SECRET} and Basic {basic_credentials('k', SECRET)}"
    assert auth.redact(text) == "bad *** and Basic ***"
