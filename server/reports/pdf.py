"""A report page printed to PDF by headless Chromium, run as a subprocess: the PDF is what the
browser prints, with the same print stylesheet, and the server carries no PDF library.

Where no Chromium is installed (`CONCIERGE_CHROMIUM` or `chromium` on the PATH) there is no PDF
download: the console hides the link and the print view's Print button (the browser's own
"Save as PDF") does the same job.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
PRINT_TIMEOUT_SECONDS = 60


class PdfUnavailable(Exception):
    """No Chromium here, or it failed to print; the message says which."""


def chromium_path() -> str | None:
    configured = getattr(settings, "CONCIERGE_CHROMIUM", "") or os.environ.get("CONCIERGE_CHROMIUM", "")
    if configured:
        return configured if Path(configured).exists() else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def html_to_pdf(html: str) -> bytes:
    """Print a self-contained HTML page (styles inline, charts as inline SVG) to PDF."""
    chromium = chromium_path()
    if chromium is None:
        raise PdfUnavailable("no Chromium installed")
    with tempfile.TemporaryDirectory(prefix="concierge-pdf-") as folder:
        page, output = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [chromium, "--headless", "--disable-gpu", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={output}", page.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(2, "--no-sandbox")  # Chromium refuses to run sandboxed as root
        try:
            subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium did not print: {exc}") from exc
        if not output.exists() or output.stat().st_size == 0:
            raise PdfUnavailable("Chromium printed nothing")
        return output.read_bytes()
