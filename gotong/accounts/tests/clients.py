"""Test clients logged in as a given user."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gotong.accounts.models import User


def client_for(user: User | None) -> Client:
    """A client logged in as ``user``; an officer's session is TOTP-verified, as after a real
    password + authenticator login."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
