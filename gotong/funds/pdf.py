"""The monthly public financial report as PDF (fpdf2, core fonts, no personal data)."""

from fpdf import FPDF

from gotong.core.money import rupiah_format

from .selectors import MonthlyReport


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    """A landscape A4 table: account, opening, debits, credits, closing; then the check."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    title = f"Laporan Keuangan {report.kelurahan.name} - {report.month:02d}/{report.year}"
    pdf.cell(0, 10, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 6, _latin(f"Transfer bulan ini: {report.transfers}"), new_x="LMARGIN", new_y="NEXT")
    widths = (95, 45, 45, 45, 45)
    headers = ("Akun", "Saldo awal", "Debit", "Kredit", "Saldo akhir")
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in report.lines:
        values = (
            f"{line.name} ({line.code})",
            rupiah_format(line.opening),
            rupiah_format(line.debits),
            rupiah_format(line.credits),
            rupiah_format(line.closing),
        )
        for n, (width, value) in enumerate(zip(widths, values, strict=True)):
            pdf.cell(width, 6, _latin(value[:60]), border=1, align="L" if n == 0 else "R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(widths[0] + widths[1], 7, "Jumlah", border=1)
    pdf.cell(widths[2], 7, rupiah_format(report.total_debits), border=1, align="R")
    pdf.cell(widths[3], 7, rupiah_format(report.total_credits), border=1, align="R")
    pdf.cell(widths[4], 7, "", border=1)
    pdf.ln(10)
    pdf.set_font("Helvetica", "", 9)
    check = (
        "SEIMBANG (selisih Rp 0)" if report.reconciled else "TIDAK SEIMBANG - periksa buku besar"
    )
    pdf.cell(0, 6, _latin(f"Rekonsiliasi: {check}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
