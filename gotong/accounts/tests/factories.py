import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from gotong.accounts.models import Membership, Role, User
from gotong.territory.tests.factories import KelurahanFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("phone",)

    phone = factory.Sequence(lambda n: f"+62857{n:07d}")
    display_name = factory.Sequence(lambda n: f"Test Person {n}")
    password = factory.django.Password("test-password-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.WARGA
    kelurahan = factory.SubFactory(KelurahanFactory)
    rw = None
    rt = None


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "authenticator"
    confirmed = True
