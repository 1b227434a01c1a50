"""The pages of the scans, one grey image at a time: a copier's multi-page PDF (rasterised by
pypdfium2, no system packages needed), PNG and JPEG files, and TIFF files of one or many pages.

Pages are produced lazily, so a class set of 300 dpi scans never sits in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ..errors import UsageError

PDF_DPI = 200  # a scanned PDF is rendered at this resolution: bubbles need no more
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}

Grey = npt.NDArray[np.uint8]


@dataclass
class ScanPage:
    """One page of the scans: the file, its page number in the file (from 1), the grey image."""

    source: str
    index: int
    image: Grey

    @property
    def where(self) -> str:
        return f"{self.source} page {self.index}"


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """The scan files: files as given, folders for the scans directly inside them (sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir()
                            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES | {".pdf"})
            if not inside:
                raise UsageError(f"{path}: no scans in this folder (PDF, PNG, JPEG or TIFF)")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return found


def pages(paths: Sequence[Path]) -> Iterator[ScanPage]:
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            yield from _pdf_pages(path)
        elif suffix in IMAGE_SUFFIXES:
            yield from _image_pages(path)
        else:
            raise UsageError(f"{path}: not a scan histquiz can read; give PDF, PNG, JPEG or TIFF "
                             "files")


def _pdf_pages(path: Path) -> Iterator[ScanPage]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise UsageError(f"{path}: cannot read this PDF ({exc})") from None
    try:
        for index in range(len(doc)):
            page = doc[index]
            bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
            array = np.asarray(bitmap.to_numpy())
            if array.ndim == 3:
                array = cv2.cvtColor(array, cv2.COLOR_BGR2GRAY) if array.shape[2] >= 3 else array[:, :, 0]
            yield ScanPage(str(path), index + 1, np.ascontiguousarray(array, dtype=np.uint8))
            page.close()
    finally:
        doc.close()


def _image_pages(path: Path) -> Iterator[ScanPage]:
    data = np.fromfile(str(path), dtype=np.uint8)
    if path.suffix.lower() in (".tif", ".tiff"):
        ok, images = cv2.imdecodemulti(data, cv2.IMREAD_GRAYSCALE)
        if not ok or not images:
            raise UsageError(f"{path}: cannot read this TIFF file")
        for index, one in enumerate(images, start=1):
            yield ScanPage(str(path), index, _grey(one))
        return
    image: npt.NDArray[np.generic] | None = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise UsageError(f"{path}: cannot read this image; give PDF, PNG, JPEG or TIFF files")
    yield ScanPage(str(path), 1, _grey(image))


def _grey(image: npt.NDArray[np.generic]) -> Grey:
    """8-bit grey, whatever the file held (16-bit scans, colour)."""
    if image.ndim == 3:
        image = np.asarray(cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_BGR2GRAY))
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    elif image.dtype != np.uint8:
        values = image.astype(np.float64)
        span = max(float(values.max() - values.min()), 1e-9)
        image = ((values - values.min()) * (255 / span)).astype(np.uint8)
    return np.ascontiguousarray(image, dtype=np.uint8)
