"""Permissions of the market app (loaded by rules' autodiscovery)."""

from gotong.accounts.models import Role
from gotong.accounts.permissions import ANY_USER, PUBLIC, permissions_declare, roles

permissions_declare(
    {
        # The catalogue, the week's bundles, the fee rules: public.
        "market.view": PUBLIC,
        # Any logged-in resident orders and follows their own orders.
        "market.order": ANY_USER,
        # UMKM sellers keep their products and see pick lists and sales (their own UMKM,
        # checked by the service); operators may act for any UMKM.
        "market.sell": roles(Role.UMKM, Role.OPERATOR, Role.ADMIN),
        # Operators run cycles, bundles, couriers, routes and aid orders.
        "market.manage": roles(Role.OPERATOR, Role.ADMIN),
        # Couriers record drop-offs on their route (checked by the service).
        "market.deliver": roles(Role.RELAWAN, Role.OPERATOR, Role.ADMIN),
    }
)
