"""Voucher codes: the hash stored for a code, and the alphabet codes are drawn from."""

import hashlib
import hmac
import re

from django.conf import settings

VOUCHER_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
VOUCHER_CODE_LENGTH = 12  # 60 random bits
VOUCHER_SIGNING_SALT = "gotong.funds.voucher"


def voucher_code_hash(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    normal = re.sub(r"[^0-9A-Z]", "", code.upper())
    return hmac.new(key, f"voucher:{normal}".encode(), hashlib.sha256).hexdigest()
