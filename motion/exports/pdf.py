"""PDF from the same HTML as the web view, with WeasyPrint, tagged for screen readers.

``pdf/ua-1`` makes WeasyPrint write a structure tree (headings, paragraphs, lists,
tables), the document's language, its title shown in the window bar, and marks the page
header and footer as artifacts.
"""

from __future__ import annotations

import logging

from motion.exports.html import STATIC

logger = logging.getLogger(__name__)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import (Pango), only when a PDF is asked for

    return HTML(string=html, base_url=str(STATIC) + "/").write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True
    )


def render_motion_pdf(doc) -> bytes:
    from motion.exports.html import render_motion_html

    return html_to_pdf(render_motion_html(doc))
