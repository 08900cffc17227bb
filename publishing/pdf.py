"""HTML to PDF with weasyprint, the one place PDFs are made (bulletins,
reminder and supervision notes).

Chinese text is set in Noto Sans CJK SC (Debian's ``fonts-noto-cjk``,
installed by ``scripts/setup.sh``), found through fontconfig; weasyprint
embeds the glyphs used, as a subset, so a PDF reads the same on any machine.
Charts are inline SVG (``publishing.charts``), drawn as vectors."""

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


def html_to_pdf(html, *, base_url=None):
    """``(pdf_bytes, page_count)`` of an HTML document."""
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=base_url).render(font_config=fonts)
    return document.write_pdf(), len(document.pages)
