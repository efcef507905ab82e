"""Courier payouts get their own disbursement kind ("Paying a courier's delivery share")
and name the market courier by id (``courier_id``).

Until now the market's courier payouts were recorded as UMKM settlements. They are
recognised by the account they are paid from, the couriers' payable (only courier
payouts draw on it); the courier's id comes from the market's ``CourierPayout`` row
that holds the disbursement (written in the same transaction as the disbursement).
The transfers already posted keep their kind ``settlement`` (the ledger is append-only;
the kind's label now reads "UMKM or courier paid")."""

from django.conf import settings
from django.db import migrations, models


def courier_payouts_convert(apps, schema_editor):
    Disbursement = apps.get_model("funds", "Disbursement")
    CourierPayout = apps.get_model("market", "CourierPayout")
    courier_of = dict(
        CourierPayout.objects.filter(disbursement_id__isnull=False).values_list(
            "disbursement_id", "courier_id"
        )
    )
    rows = Disbursement.objects.filter(
        kind="settlement", source_account__kind="courier_payable"
    ).values_list("pk", flat=True)
    for pk in rows.iterator():
        Disbursement.objects.filter(pk=pk).update(kind="courier", courier_id=courier_of.get(pk))


def courier_payouts_revert(apps, schema_editor):
    Disbursement = apps.get_model("funds", "Disbursement")
    Disbursement.objects.filter(kind="courier").update(kind="settlement", courier_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0004_voucher_code_failure_receipt_sha256"),
        ("market", "0003_fee_snapshot_ratings_courier_payouts"),
        ("registry", "0001_initial"),
        ("territory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="disbursement",
            name="courier_id",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="disbursement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("cash_aid", "Cash aid to a beneficiary's bank account"),
                    ("supplier", "Payment for goods or services for an activity"),
                    ("settlement", "Settling a UMKM's vouchers"),
                    ("courier", "Paying a courier's delivery share"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="kind",
            field=models.CharField(
                choices=[
                    ("donation", "Donation received"),
                    ("match", "Matched by a sponsor"),
                    ("spend", "Spent on aid"),
                    ("voucher_issue", "Vouchers issued"),
                    ("voucher_redeem", "Voucher redeemed at a UMKM"),
                    ("voucher_expire", "Voucher expired, value returned"),
                    ("settlement", "UMKM or courier paid"),
                    ("goods_in", "Goods received"),
                    ("goods_out", "Goods handed out"),
                    ("stock_count", "Stock count difference"),
                    ("internal", "Internal transfer"),
                    ("reversal", "Correction (reversal)"),
                    ("market_payment", "Market order paid"),
                    ("market_settlement", "Market cycle settled"),
                    ("market_refund", "Market order refunded"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(courier_payouts_convert, courier_payouts_revert),
        migrations.AddConstraint(
            model_name="disbursement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind", "courier"), ("courier_id__isnull", True), _connector="OR"
                ),
                name="funds_disbursement_courier_only_for_couriers",
            ),
        ),
    ]
