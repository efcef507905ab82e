"""Every existing kelurahan gets its fixed accounts (new ones get them when created, through
``accounts_ensure`` hooked into ``kelurahan_create``), so reading one never writes."""

from typing import Any

from django.db import migrations

# (kind = code, name, debit normal, may go negative), as in models.py when this was written.
FIXED_ACCOUNTS = (
    ("bank", "Kelurahan bank account", True, False),
    ("cash", "Cash box", True, False),
    ("in_kind", "Goods store", True, False),
    ("aid_fund", "Kelurahan aid fund", False, False),
    ("operational_fund", "Operational fund", False, False),
    ("voucher_liability", "Vouchers outstanding", False, False),
    ("stock_adjustment", "Stock count differences", False, True),
)


def fixed_accounts_create(apps: Any, schema_editor: Any) -> None:
    Kelurahan = apps.get_model("territory", "Kelurahan")
    Account = apps.get_model("funds", "Account")
    for kelurahan in Kelurahan.objects.order_by("pk").iterator():
        for kind, name, debit_normal, may_go_negative in FIXED_ACCOUNTS:
            Account.objects.get_or_create(
                kelurahan=kelurahan,
                code=kind,
                defaults={
                    "kind": kind,
                    "name": name,
                    "debit_normal": debit_normal,
                    "may_go_negative": may_go_negative,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0005_disbursement_courier_kind"),
        ("territory", "0001_initial"),
    ]

    operations = [migrations.RunPython(fixed_accounts_create, migrations.RunPython.noop)]
