"""What a person reads in a PDF the society sends or serves (a letter, a package, a report):
its text, read back with pypdf."""

import io
from typing import IO

from pypdf import PdfReader


def pdf_text(pdf: bytes | IO[bytes]) -> str:
    """Every page's text, page after page, with its lines broken where the page breaks them."""
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    return "".join(page.extract_text() for page in PdfReader(source).pages)


def pdf_words(pdf: bytes | IO[bytes]) -> str:
    """The text without any whitespace: a phrase the page wraps, or whose characters pypdf
    reads with spaces between them, is found whole."""
    return "".join(pdf_text(pdf).split())
