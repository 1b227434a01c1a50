"""One scanned page: find the corner marks, straighten the page, read its code, and measure
how dark each bubble is.

Straightening maps the mark centres onto where the layout put them, so rotation, scale, shift
(and a printer's "fit to page" shrinking) all vanish at once; afterwards every bubble
is where the layout says, in a canonical image of ``SCALE`` pixels per millimetre. The code is
then read at its known place (and, failing that, with the page turned round, for a sheet fed
upside down).

Darkness is measured relative to the page itself: 0 is its paper, 1 the ink of its corner
marks, so a pale scan and a dark one give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ..export.worksheet.layout import Bubble, Layout, PageCode
from .images import Grey

SCALE = 8.0  # pixels per millimetre of the straightened page (about 200 dpi)
FIND_SCALE = 4.0  # pixels per millimetre for finding the corner marks
INNER = 0.68  # the share of a bubble's radius that is measured: inside its printed ring
DARK = 0.5  # a pixel this dark (0 paper, 1 ink) counts as a stroke

Floats = npt.NDArray[np.float64]


class PageProblem(Exception):
    """A page that cannot be read; the message says why, for the list of refused pages.
    ``code`` is what its page code said, when it could be read."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Straightened:
    image: Grey  # the page at SCALE px/mm, as printed
    paper: float
    ink: float
    code: PageCode | None
    code_text: str  # what the code said, even if it is not a histquiz code


def is_blank(image: Grey) -> bool:
    """A page with (almost) nothing on it: the back of a sheet, say."""
    small = image[:: max(1, image.shape[0] // 400), :: max(1, image.shape[1] // 300)]
    paper = float(np.percentile(small, 95))
    return float(np.mean(small < paper - 90)) < 0.002


def _px_per_mm(image: Grey, layout: Layout) -> float:
    h, w = image.shape
    pw, ph = layout.page_size
    return float((w / pw + h / ph) / 2)


@dataclass
class _Code:
    text: str
    corners: Floats  # the symbol's TL, TR, BR, BL in the image's pixels


def _codes(image: Grey) -> list[_Code]:
    import zxingcpp

    found = []
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for result in zxingcpp.read_barcodes(image, formats=qr):
        if result.valid and result.text:
            p = result.position
            corners = np.array([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                                [p.bottom_right.x, p.bottom_right.y],
                                [p.bottom_left.x, p.bottom_left.y]], dtype=np.float64)
            found.append(_Code(str(result.text), corners))
    return found


def _mark_candidates(image: Grey, layout: Layout, s: float) -> Floats:
    """Centres (image px) of the solid squares the size of a corner mark."""
    f = min(1.0, FIND_SCALE / s)
    small = image if f == 1.0 else cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    side = layout.mark_size * s * f
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, centres = cv2.connectedComponentsWithStats(binary, connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    # a solid square, upright or turned a few degrees: a filled bubble (a disc fills 79% of its
    # box) or a letter never passes
    ok = ((w >= 0.75 * side) & (w <= 1.4 * side) & (h >= 0.75 * side) & (h <= 1.4 * side)
          & (np.abs(w - h) <= 0.2 * side) & (area >= 0.7 * side * side) & (area >= 0.8 * w * h))
    ok[0] = False  # the background
    return np.asarray(centres[ok] / f, dtype=np.float64)


def locate(image: Grey, layout: Layout, code: _Code | None) -> Floats:
    """The affine map (2x3) from the page's millimetres to the image's pixels.

    With the page code found, its corners place the page roughly, which says where each corner
    mark must be; the marks found there (a skewed sheet may have had corners cut off by the
    scanner) and the code's corners are then fitted together. Without the code, the marks
    alone, matched by where they should sit on an upright page."""
    s = _px_per_mm(image, layout)
    candidates = _mark_candidates(image, layout, s)
    marks = np.array(layout.marks)
    size = layout.code_size
    boxes = [np.array([[x, y], [x + size, y], [x + size, y + size], [x, y + size]])
             for x, y in layout.code_places]

    def matched(rough: Floats, reach: float) -> list[tuple[Floats, Floats]]:
        pairs = []
        for mark in marks:
            if not len(candidates):
                break
            expected = rough[:, :2] @ mark + rough[:, 2]
            dist = np.hypot(*(candidates - expected).T)
            best = int(np.argmin(dist))
            if dist[best] <= reach:
                pairs.append((mark, candidates[best]))
        return pairs

    points: list[tuple[Floats, Floats]] = []  # (mm on the page, px in the image)
    if code is not None:
        # which of the printed codes this is: the one that puts the most marks where they are
        best: list[tuple[Floats, Floats]] = []
        for box in boxes:
            pairs = matched(_affine(box, code.corners), 8.0 * s)
            if len(pairs) > len(best) or not points:
                best, points = pairs, list(zip(box, code.corners, strict=True))
        found = len(best)
        points += best
        if found < 1:
            raise PageProblem("the black squares in the margins were not found (a page skewed or "
                              "cropped too much?)")
    else:
        points = matched(np.array([[s, 0.0, 0.0], [0.0, s, 0.0]]), 40.0 * s)
        if len(points) < 2:
            raise PageProblem("neither the page code nor the black squares in the margins were "
                              "found: not a page of this worksheet, or a poor scan")
    return _fit(points, s)


def _affine(src: Floats, dst: Floats) -> Floats:
    """Least-squares affine map taking the rows of ``src`` to those of ``dst``."""
    ones = np.hstack([src, np.ones((len(src), 1))])
    solution, *_ = np.linalg.lstsq(ones, dst, rcond=None)
    return np.asarray(solution.T, dtype=np.float64)


def _similarity(src: Floats, dst: Floats) -> Floats:
    """Least-squares rotation, uniform scale and shift taking ``src`` onto ``dst``."""
    a = src[:, 0] + 1j * src[:, 1]
    b = dst[:, 0] + 1j * dst[:, 1]
    am, bm = a.mean(), b.mean()
    z = np.vdot(a - am, b - bm) / np.vdot(a - am, a - am)
    t = bm - z * am
    return np.array([[z.real, -z.imag, t.real], [z.imag, z.real, t.imag]])


def _fit(points: list[tuple[Floats, Floats]], s: float) -> Floats:
    """Affine when the points span the page both ways, otherwise a similarity (a scanner
    neither shears nor stretches one way much); points that do not fit are dropped."""
    lost = PageProblem("the black corner squares are not where this worksheet puts them "
                       "(another paper size, or a page folded or cropped?)")
    while len(points) >= 2:
        src = np.array([p for p, _ in points])
        dst = np.array([q for _, q in points])
        wide = np.ptp(src[:, 0]) > 100 and np.ptp(src[:, 1]) > 100
        corners = {tuple(np.round(p / 50)) for p in src}
        matrix = _affine(src, dst) if wide and len(corners) >= 3 else _similarity(src, dst)
        errors = np.hypot(*(src @ matrix[:, :2].T + matrix[:, 2] - dst).T) / s  # mm
        if errors.max() > 1.5:
            points.pop(int(np.argmax(errors)))
            continue
        sx, sy = np.hypot(*matrix[:, 0]), np.hypot(*matrix[:, 1])
        shear = abs(float(np.dot(matrix[:, 0], matrix[:, 1]))) / (sx * sy)
        if 0.8 * s < sx < 1.2 * s and 0.8 * s < sy < 1.2 * s and abs(sx / sy - 1) < 0.04 \
                and shear < 0.04:
            return matrix
        break
    raise lost


def straighten(image: Grey, layout: Layout, matrix: Floats) -> Grey:
    """The page at SCALE px/mm, as the layout describes it."""
    s = _px_per_mm(image, layout)
    if s > 1.5 * SCALE:  # shrink a fine scan first: faster, and averaging, not skipping pixels
        f = SCALE / s
        image = np.asarray(cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA),
                           dtype=np.uint8)
        matrix = matrix * f
    inverse = np.hstack([matrix[:, :2] / SCALE, matrix[:, 2:]])  # canonical px → image px
    size = (round(layout.page_size[0] * SCALE), round(layout.page_size[1] * SCALE))
    return np.asarray(cv2.warpAffine(image, inverse, size,
                                     flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=255), dtype=np.uint8)


def read_code(page: Grey, layout: Layout) -> str | None:
    """The text of the QR code at the page code's place on a straightened page, or None."""
    size, margin = layout.code_size, 4.0
    for x, y in layout.code_places:
        x0, y0 = max(0, int((x - margin) * SCALE)), max(0, int((y - margin) * SCALE))
        x1, y1 = int((x + size + margin) * SCALE), int((y + size + margin) * SCALE)
        crop = np.ascontiguousarray(page[y0:y1, x0:x1])
        if crop.size == 0:
            continue
        bigger = np.asarray(cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC),
                            dtype=np.uint8)
        for attempt in (crop, bigger):
            for code in _codes(attempt):
                return code.text
    return None


def levels(page: Grey, layout: Layout) -> tuple[float, float]:
    """The page's paper and ink levels: the light end of the page, and its corner marks."""
    paper = float(np.percentile(page[::4, ::4], 90))
    inks = []
    half = layout.mark_size * 0.3 * SCALE
    for mx, my in layout.marks:  # (a mark the scanner cut off is white here: the darkest count)
        cx, cy = mx * SCALE, my * SCALE
        inks.append(float(np.median(page[int(cy - half):int(cy + half), int(cx - half):int(cx + half)])))
    ink = float(np.mean(sorted(inks)[:2]))
    if paper - ink < 40:  # no contrast: a page too faint to read
        raise PageProblem("the scan is too faint (its black squares are barely darker than the "
                          "paper); scan darker")
    return paper, ink


def straighten_page(image: Grey, layout: Layout) -> Straightened:
    s = _px_per_mm(image, layout)
    f = min(1.0, SCALE / s)  # look for the code at no more than SCALE px/mm
    work = image if f == 1.0 else np.asarray(
        cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    codes = _codes(work)
    ours = next((c for c in codes if PageCode.parse(c.text) is not None), None)
    if ours is not None:
        ours = _Code(ours.text, ours.corners / f)
    text = ours.text if ours is not None else (codes[0].text if codes else None)
    try:
        matrix = locate(image, layout, ours)
    except PageProblem as problem:
        raise PageProblem(str(problem), text or "") from None
    page = straighten(image, layout, matrix)
    if text is None:
        text = read_code(page, layout)
    if ours is None and text is None:  # fed upside down? the marks look the same either way
        turned = np.ascontiguousarray(page[::-1, ::-1])
        text = read_code(turned, layout)
        if text is not None:
            page = turned
    paper, ink = levels(page, layout)
    code = PageCode.parse(text) if text is not None else None
    return Straightened(page, paper, ink, code, text or "")


_MASKS: dict[tuple[int, float], tuple[npt.NDArray[np.bool_], int]] = {}


def _mask(radius: float) -> tuple[npt.NDArray[np.bool_], int]:
    key = (0, round(radius, 3))
    if key not in _MASKS:
        half = int(np.ceil(radius)) + 1
        yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
        _MASKS[key] = (xx * xx + yy * yy <= radius * radius, half)
    return _MASKS[key]


def measure(page: Straightened, bubbles: tuple[Bubble, ...]) -> tuple[Floats, Floats]:
    """Each bubble's mean darkness inside its ring, and the share of it dark enough to be a
    pencil or pen stroke (both 0 to 1, relative to the page's paper and ink)."""
    image = page.image
    span = max(page.paper - page.ink, 1.0)
    means = np.zeros(len(bubbles))
    strokes = np.zeros(len(bubbles))
    for i, b in enumerate(bubbles):
        mask, half = _mask(b.r * INNER * SCALE)
        cx, cy = round(b.x * SCALE), round(b.y * SCALE)
        patch = image[cy - half:cy + half + 1, cx - half:cx + half + 1]
        if patch.shape != mask.shape:
            continue
        dark = np.clip((page.paper - patch[mask].astype(np.float64)) / span, 0.0, 1.0)
        means[i] = float(dark.mean())
        strokes[i] = float(np.mean(dark >= DARK))
    return means, strokes


def crop(page: Straightened, x0: float, y0: float, x1: float, y1: float) -> Grey:
    """A region of the straightened page, in millimetres."""
    h, w = page.image.shape
    return np.ascontiguousarray(page.image[max(0, int(y0 * SCALE)):min(h, int(y1 * SCALE)),
                                           max(0, int(x0 * SCALE)):min(w, int(x1 * SCALE))])
