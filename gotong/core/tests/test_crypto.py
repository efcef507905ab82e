import pytest
from django.core.exceptions import ImproperlyConfigured

from gotong.core.crypto import (
    DecryptionFailed,
    blind_index,
    data_key_current_version,
    field_decrypt,
    field_encrypt,
    field_reencrypt,
    token_version,
)

KEY1 = "1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY2 = "2:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def test_a_value_round_trips_and_is_not_in_the_token() -> None:
    token = field_encrypt("3577031403850001", context="t.nik")

    assert "3577031403850001" not in token
    assert token.startswith("v1:")
    assert field_decrypt(token, context="t.nik") == "3577031403850001"


def test_the_same_value_encrypts_differently_each_time() -> None:
    assert field_encrypt("x", context="t") != field_encrypt("x", context="t")


def test_a_token_from_another_column_or_tampered_does_not_decrypt() -> None:
    token = field_encrypt("secret", context="t.nik")
    with pytest.raises(DecryptionFailed):
        field_decrypt(token, context="t.health")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionFailed):
        field_decrypt(tampered, context="t.nik")


def test_the_highest_key_version_encrypts_and_old_tokens_still_read(settings) -> None:
    settings.GOTONG_DATA_KEYS = KEY1
    old = field_encrypt("value", context="t")
    settings.GOTONG_DATA_KEYS = f"{KEY1},{KEY2}"

    new = field_reencrypt(old, context="t")

    assert data_key_current_version() == 2
    assert token_version(old) == 1 and token_version(new) == 2
    assert field_decrypt(old, context="t") == field_decrypt(new, context="t") == "value"


def test_a_missing_or_short_key_is_a_configuration_error(settings) -> None:
    settings.GOTONG_DATA_KEYS = ""
    with pytest.raises(ImproperlyConfigured):
        field_encrypt("x", context="t")
    settings.GOTONG_DATA_KEYS = "1:c2hvcnQ="
    with pytest.raises(ImproperlyConfigured):
        field_encrypt("x", context="t")


def test_blind_index_is_stable_keyed_and_separated_by_context(settings) -> None:
    first = blind_index("3577031403850001", context="nik")

    assert first == blind_index(" 3577031403850001 ", context="nik")
    assert first != blind_index("3577031403850001", context="kk")
    settings.GOTONG_BLIND_INDEX_KEY = "another-key"
    assert first != blind_index("3577031403850001", context="nik")
    assert blind_index("", context="nik") == ""
