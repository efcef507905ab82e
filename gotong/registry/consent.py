"""The consent wording shown to residents, by version (Bahasa Indonesia, as shown).

Version 1 is the short consent from the kelurahan's own documents, followed by one line
per purpose saying why the data is needed. A consent row stores the version and the exact
text shown, so a later change of wording never rewrites what someone agreed to. New wording
gets a new version here; old versions stay.
"""

from .models import ConsentPurpose

CONSENT_TEXT_VERSION = "1"

_BASE = {
    "1": (
        "Saya setuju data ini digunakan untuk keperluan penyaluran bantuan dan layanan "
        "komunitas Kelurahan {kelurahan}. Data tersimpan aman. Saya bisa menarik "
        "persetujuan kapan saja."
    ),
}

_PURPOSE = {
    "1": {
        ConsentPurpose.AID: (
            "Untuk penyaluran bantuan: nama, RT/RW dan nomor HP dipakai RT/RW dan petugas "
            "kelurahan untuk memverifikasi dan mengantar bantuan."
        ),
        ConsentPurpose.NOTIFICATIONS: (
            "Untuk pemberitahuan komunitas: nomor HP dipakai untuk mengirim info kegiatan, "
            "posyandu dan bantuan."
        ),
        ConsentPurpose.MARKETPLACE: (
            "Untuk pasar lokal: nama dan RT dipakai saat berbelanja atau menjual di UMKM "
            "Gotong Royong."
        ),
        ConsentPurpose.DTKS_SHARING: (
            "Untuk berbagi dengan DTKS/DTSen: data dikirim ke Dinas Sosial agar bisa "
            "menerima program pemerintah."
        ),
        ConsentPurpose.PHOTOS: (
            "Untuk foto: wajah saya boleh tampak di foto bukti kegiatan (bisa diburamkan)."
        ),
        ConsentPurpose.SENSITIVE_DATA: (
            "Untuk data sensitif: NIK, nomor KK, data kesehatan dan nomor rekening disimpan "
            "terenkripsi dan hanya dibuka petugas dengan alasan yang dicatat."
        ),
    }
}

REQUIRED_PURPOSES = frozenset({ConsentPurpose.AID})


def consent_text(*, kelurahan_name: str, purpose: str, version: str = CONSENT_TEXT_VERSION) -> str:
    """The exact text shown for one purpose in one version."""
    base = _BASE[version].format(kelurahan=kelurahan_name)
    return f"{base} {_PURPOSE[version][ConsentPurpose(purpose)]}"


# Where each purpose is enforced: the service that uses the data checks the consent
# (``gotong/web/tests/test_consent_enforcement.py`` walks this table and has a test per
# purpose). ``None`` names a purpose that no service uses yet, with the reason; the test
# accepts only these, so the service that first uses the data must add its check here.
CONSENT_ENFORCED_BY: dict[str, str | None] = {
    ConsentPurpose.AID: "gotong.needs.services.need_submit",
    ConsentPurpose.NOTIFICATIONS: "gotong.registry.services.person_notify",
    ConsentPurpose.MARKETPLACE: "gotong.market.services.order_place",
    # and household_register, person_register_kiosk, the XLSX import (one _consents_check)
    ConsentPurpose.SENSITIVE_DATA: "gotong.registry.services.person_register_self",
    # No export to DTKS/DTSen exists yet; the interop issue adds it with this check.
    ConsentPurpose.DTKS_SHARING: None,
    # A photo about a need or an activity is public only while every resident it serves
    # holds this consent (needs/activities register the rule with transparency); others
    # see it only if they may read the evidence. Blurring faces is not built.
    ConsentPurpose.PHOTOS: "gotong.transparency.selectors.evidence_photo_visible_to",
}
