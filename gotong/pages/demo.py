"""Demo policy pages: the kelurahan's own words for the privacy policy and both SOPs, in
Bahasa Indonesia, written by the operator through ``policy_page_update``. Skips pages that
already exist."""

from gotong.accounts.models import Membership, Role
from gotong.core.seeding import DemoContext
from gotong.territory.models import Kelurahan

from . import services
from .models import PolicyKind, PolicyPage

PAGES = {
    PolicyKind.PRIVACY: (
        "Kebijakan privasi",
        "Cara portal gotong royong Kelurahan memakai data Anda, dalam tiga poin.",
        [
            "Data apa: nama, nomor HP, RT, keluarga dan, hanya saat Anda minta bantuan, "
            "kebutuhan Anda. NIK dan KK disimpan terenkripsi dan hanya dilihat petugas yang "
            "harus memeriksanya.",
            "Kenapa digunakan: untuk memverifikasi dan menyalurkan bantuan, mencocokkan relawan "
            "dan UMKM dengan kebutuhan, dan menerbitkan angka tanpa nama. Setiap penggunaan "
            "perlu persetujuan Anda untuk tujuan itu.",
            "Hak Anda: melihat data dan siapa yang melihatnya, membetulkan, menghapus, menarik "
            "persetujuan, dan menolak keputusan otomatis. Ajukan di halaman Data saya atau di "
            "kantor kelurahan; dijawab dalam 3 x 24 jam.",
        ],
    ),
    PolicyKind.SOP_NEED: (
        "SOP Pengajuan Bantuan",
        "Alur permintaan bantuan dari formulir sampai verifikasi akhir.",
        [
            "Warga (atau Ketua RT untuknya) mengisi formulir.",
            "Ketua RT memverifikasi permintaan.",
            "Ketua RW menyetujui.",
            "Relawan, UMKM atau dana menyalurkan bantuan.",
            "Tim mendokumentasikan penyaluran dengan foto.",
            "RT, RW dan pemeriksa independen memverifikasi; hasilnya dipublikasikan.",
        ],
    ),
    PolicyKind.SOP_DONATION: (
        "SOP Pengelolaan Donasi",
        "Alur donasi dari transfer sampai bukti penyaluran dipublikasikan.",
        [
            "Donatur mentransfer ke rekening kelurahan atau rekening khusus kampanye.",
            "Bendahara (kepala kas) mencatat dan melaporkan setiap penerimaan dan pengeluaran.",
            "Bukti penyaluran dipublikasikan di log publik.",
        ],
    ),
}


def demo_seed(demo: DemoContext) -> None:
    kelurahan: Kelurahan = demo.objects["kelurahan"]
    membership = (
        Membership.objects.active()
        .filter(kelurahan=kelurahan, role=Role.OPERATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    operator = membership.user
    operator.is_verified = lambda: True  # type: ignore[attr-defined]  # as after a TOTP login
    for kind, (title, intro, steps) in PAGES.items():
        if PolicyPage.objects.filter(kelurahan=kelurahan, kind=kind).exists():
            continue
        services.policy_page_update(
            actor=operator, kelurahan=kelurahan, kind=kind, title=title, intro=intro, steps=steps
        )
