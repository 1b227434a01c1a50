"""A seeded classroom for the scan tests and the benchmark: worksheets rendered to images
(pypdfium2), filled in the way students fill them, then printed and scanned in simulation.

Filling, per answer: a dark fill, a light pencil fill, a tick or a cross through the bubble
(each student has a habit, and strays from it now and then); per student, perhaps a first answer
filled and then erased (a faint smudge stays), a stray pencil line somewhere on the page, a
skipped question. The student number is filled in the grid, dates scribbled in their boxes.

Printing and scanning: rotation up to ±5°, scale ±5 %, a shift of a few millimetres, a grey
paper and a toner that is not black, blur, noise, JPEG compression, 150 to 300 dpi, sometimes
in colour. Every choice comes from one ``random.Random``: the same seed, the same scans.

Each filled page keeps its ground truth: for every bubble of the layout page, whether the
student meant it (a fill, a tick or a cross) or not (empty, erased, or a stray mark nearby).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from histquiz.export.worksheet.layout import Layout, Page, PageCode

PRINT_DPI = 200
Image = npt.NDArray[np.uint8]

# How students mark an answer: their habit, drawn once per student.
HABITS = (("dark", 0.70), ("light", 0.15), ("tick", 0.08), ("cross", 0.07))


@dataclass
class Pupil:
    """A simulated student: ability for the answers, a habit for the marks."""

    number: str
    ability: float
    habit: str
    erase: bool
    stray: bool
    skip: bool


@dataclass
class FilledPage:
    code: PageCode
    image: Image  # grey, at PRINT_DPI, as filled in
    truth: list[bool]  # per bubble of the layout page: meant by the student
    kinds: list[str]  # per bubble: the mark drawn ("" for none)


@dataclass
class Scan:
    name: str
    data: bytes
    code: PageCode | None  # None: a page that is not from the worksheet
    truth: list[bool] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    settings: ScanSettings | None = None


def render_pdf(path: Path, dpi: int = PRINT_DPI) -> list[Image]:
    """Every page of a PDF as a grey image, as a printer would put it on paper."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            array = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_numpy())
            if array.ndim == 3:
                array = array[:, :, 0]
            out.append(np.ascontiguousarray(array, dtype=np.uint8))
            page.close()
        return out
    finally:
        doc.close()


def make_pupils(count: int, rng: random.Random, digits: int = 6) -> list[Pupil]:
    numbers: set[str] = set()
    pupils = []
    for _ in range(count):
        number = "".join(str(rng.randrange(10)) for _ in range(digits))
        while number in numbers:
            number = "".join(str(rng.randrange(10)) for _ in range(digits))
        numbers.add(number)
        habit = rng.choices([h for h, _ in HABITS], [w for _, w in HABITS])[0]
        if len(pupils) < len(HABITS):  # every habit is in a class, however small
            habit = HABITS[len(pupils)][0]
        pupils.append(Pupil(number, rng.gauss(0, 1), habit, rng.random() < 0.35,
                            rng.random() < 0.5, rng.random() < 0.4))
    rng.shuffle(pupils)
    return pupils


def choose_answers(layout: Layout, version: str, pupil: Pupil, rng: random.Random,
                   difficulty: dict[str, float], truth_key: dict[str, str] | None = None
                   ) -> dict[int, str | None]:
    """The letter a pupil fills for each choice question (None: skipped). A pupil answers
    right with a probability that grows with ability; ``truth_key`` overrides the layout's key
    with the true answer text (for a worksheet printed with a wrong key)."""
    answers: dict[int, str | None] = {}
    questions = [q for q in layout.versions[version].questions if q.key is not None]
    skipped = rng.choice(questions).number if pupil.skip and questions else None
    for q in questions:
        if q.number == skipped:
            answers[q.number] = None
            continue
        assert q.key is not None
        right_text = (truth_key or {}).get(q.item, q.options[ord(q.key) - 65])
        right = chr(65 + q.options.index(right_text))
        b = difficulty.setdefault(q.item, rng.gauss(0, 0.8))
        if rng.random() < 1 / (1 + math.exp(-1.7 * (pupil.ability - b))):
            answers[q.number] = right
        else:
            wrong = [chr(65 + i) for i in range(len(q.options)) if chr(65 + i) != right]
            answers[q.number] = rng.choices(wrong, [3] + [1] * (len(wrong) - 1))[0]
    return answers


# --- marks ----------------------------------------------------------------------------------


def _grain(shape: tuple[int, int], rng: random.Random) -> npt.NDArray[np.float32]:
    noise = np.random.default_rng(rng.randrange(2**32)).random(shape, dtype=np.float32)
    return cv2.blur(noise, (3, 3))


def _patch(layer: npt.NDArray[np.float32], x0: float, y0: float, x1: float, y1: float
           ) -> tuple[npt.NDArray[np.uint8], int, int]:
    """A blank canvas covering a region of ``layer`` (drawing on the whole page for every mark
    would cost more than all the rest), with its offset."""
    h, w = layer.shape
    ix0, iy0 = max(0, int(x0) - 2), max(0, int(y0) - 2)
    ix1, iy1 = min(w, int(x1) + 3), min(h, int(y1) + 3)
    return np.zeros((max(1, iy1 - iy0), max(1, ix1 - ix0)), np.uint8), ix0, iy0


def _merge(layer: npt.NDArray[np.float32], canvas: npt.NDArray[np.uint8], ox: int, oy: int,
           darkness: float) -> None:
    h, w = canvas.shape
    region = layer[oy:oy + h, ox:ox + w]
    np.maximum(region, canvas[:region.shape[0], :region.shape[1]].astype(np.float32) / 255 * darkness,
               out=region)


def _stroke(layer: npt.NDArray[np.float32], points: Sequence[tuple[float, float]], width: float,
            darkness: float) -> None:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    canvas, ox, oy = _patch(layer, min(xs) - width, min(ys) - width, max(xs) + width, max(ys) + width)
    pts = np.array([[round((x - ox) * 4), round((y - oy) * 4)] for x, y in points], np.int32)
    cv2.polylines(canvas, [pts], False, 255, max(1, round(width)), cv2.LINE_AA, shift=2)
    _merge(layer, canvas, ox, oy, darkness)


def _fill(layer: npt.NDArray[np.float32], cx: float, cy: float, r: float, darkness: float,
          rng: random.Random, coverage: float = 1.0) -> None:
    canvas, ox, oy = _patch(layer, cx - 1.3 * r, cy - 1.3 * r, cx + 1.3 * r, cy + 1.3 * r)
    lx, ly = cx - ox, cy - oy
    axes = (max(1, round(r * rng.uniform(0.85, 1.08) * 4)), max(1, round(r * rng.uniform(0.85, 1.08) * 4)))
    centre = (round((lx + rng.uniform(-0.12, 0.12) * r) * 4), round((ly + rng.uniform(-0.12, 0.12) * r) * 4))
    cv2.ellipse(canvas, centre, axes, rng.uniform(0, 180), 0, 360, 255, -1, cv2.LINE_AA, shift=2)
    if coverage < 1.0:  # a hurried fill: a few pale streaks left in it
        for _ in range(rng.randint(1, 3)):
            y = ly + rng.uniform(-0.6, 0.6) * r
            cv2.line(canvas, (round((lx - r) * 4), round(y * 4)), (round((lx + r) * 4), round(y * 4)),
                     0, max(1, round(r * (1 - coverage))), cv2.LINE_AA, shift=2)
    _merge(layer, canvas, ox, oy, darkness)


def draw_mark(layer: npt.NDArray[np.float32], kind: str, cx: float, cy: float, r: float, px_mm: float,
              rng: random.Random) -> None:
    """One mark in a bubble of radius ``r`` pixels centred on (cx, cy)."""
    pen = px_mm * rng.uniform(0.4, 0.6)  # a pencil line, 0.4-0.6 mm
    if kind == "dark":
        _fill(layer, cx, cy, r, rng.uniform(0.72, 0.92), rng, rng.uniform(0.85, 1.0))
    elif kind == "light":
        _fill(layer, cx, cy, r, rng.uniform(0.38, 0.55), rng, rng.uniform(0.85, 1.0))
    elif kind == "tick":
        k, a = r * rng.uniform(1.0, 1.5), math.radians(rng.uniform(-15, 15))
        shape = [(-0.6, 0.0), (-0.1, 0.6), (0.9, -0.9)]
        pts = [(cx + k * (x * math.cos(a) - y * math.sin(a)), cy + k * (x * math.sin(a) + y * math.cos(a)))
               for x, y in shape]
        _stroke(layer, pts, pen, rng.uniform(0.65, 0.9))
    elif kind == "cross":
        k = r * rng.uniform(0.9, 1.3)
        d = rng.uniform(0.65, 0.9)
        _stroke(layer, [(cx - k, cy - k), (cx + k, cy + k)], pen, d)
        _stroke(layer, [(cx - k, cy + k), (cx + k, cy - k)], pen, d)
    elif kind == "erased":  # a fill rubbed out: a faint, spread smudge stays
        half = int(2 * r)
        y0, x0 = max(0, int(cy) - half), max(0, int(cx) - half)
        smudge = np.zeros((2 * half, 2 * half), np.float32)
        _fill(smudge, cx - x0, cy - y0, r * 1.1, rng.uniform(0.7, 0.9), rng)
        smudge = cv2.GaussianBlur(smudge, (0, 0), r * 0.25) * rng.uniform(0.08, 0.2)
        region = layer[y0:y0 + 2 * half, x0:x0 + 2 * half]
        np.maximum(region, smudge[:region.shape[0], :region.shape[1]], out=region)
    else:
        raise ValueError(kind)


def fill_page(image: Image, code: PageCode, page: Page, layout: Layout, answers: dict[int, str | None],
              pupil: Pupil | None, rng: random.Random) -> FilledPage:
    """The page as the pupil hands it in, with the truth of every bubble."""
    px_mm = image.shape[1] / layout.page_size[0]
    layer = np.zeros(image.shape, np.float32)
    truth, kinds = [], []
    erased_q = None
    choice_qs = sorted({b.question for b in page.bubbles if b.digit < 0})
    if pupil is not None and pupil.erase and choice_qs and rng.random() < 0.7:
        erased_q = rng.choice(choice_qs)
    for b in page.bubbles:
        cx, cy, r = b.x * px_mm, b.y * px_mm, b.r * px_mm
        if b.digit >= 0:
            meant = pupil is not None and int(pupil.number[b.digit]) == b.value
            kind = ("dark" if pupil is None or pupil.habit != "light" else "light") if meant else ""
        else:
            meant = answers.get(b.question) == b.option
            habit = pupil.habit if pupil is not None else "dark"
            kind = ""
            if meant:
                kind = habit if rng.random() < 0.9 else rng.choice(["dark", "light", "dark"])
            elif b.question == erased_q and answers.get(b.question) is not None and \
                    b.option == _first_wrong(page, b.question, answers[b.question]):
                kind = "erased"
        if kind:
            draw_mark(layer, kind, cx, cy, r, px_mm, rng)
        truth.append(meant)
        kinds.append(kind)
    for box in page.boxes:  # a date scribbled in its boxes
        for _ in range(rng.randint(3, 7)):
            x = (box.x + rng.uniform(2, max(3, box.w - 4))) * px_mm
            y = (box.y + rng.uniform(1.5, 6.0)) * px_mm
            _stroke(layer, [(x, y), (x + rng.uniform(-2, 3) * px_mm, y + rng.uniform(0.5, 3) * px_mm)],
                    px_mm * 0.45, 0.8)
    if pupil is not None and pupil.stray and rng.random() < 0.6:
        _stray(layer, page, layout, px_mm, rng)
    texture = _grain(layer.shape, rng) * 0.35 + 0.65
    out = image.astype(np.float32) * (1 - layer * texture)
    return FilledPage(code, np.clip(out, 0, 255).astype(np.uint8), truth, kinds)


def _first_wrong(page: Page, question: int, final: str | None) -> str:
    """The bubble a pupil filled first and then erased: the one after the final answer."""
    options = sorted({b.option for b in page.bubbles if b.question == question})
    index = options.index(final) if final in options else 0
    return options[(index + 1) % len(options)]


def _stray(layer: npt.NDArray[np.float32], page: Page, layout: Layout, px_mm: float,
           rng: random.Random) -> None:
    """A pencil line that means nothing, kept clear of the bubbles' insides."""
    centres = np.array([(b.x, b.y, b.r) for b in page.bubbles]) if page.bubbles else np.zeros((0, 3))
    for _ in range(50):
        x0 = rng.uniform(20, layout.page_size[0] - 20)
        y0 = rng.uniform(30, layout.page_size[1] - 30)
        a = rng.uniform(0, math.pi)
        length = rng.uniform(4, 25)
        xs = np.linspace(x0, x0 + length * math.cos(a), 20)
        ys = np.linspace(y0, y0 + length * math.sin(a), 20)
        if len(centres):
            d = np.hypot(xs[:, None] - centres[:, 0], ys[:, None] - centres[:, 1]) - centres[:, 2]
            if d.min() < 1.0:
                continue
        _stroke(layer, [(x * px_mm, y * px_mm) for x, y in zip(xs, ys, strict=True)],
                px_mm * 0.5, rng.uniform(0.5, 0.85))
        return


# --- printing and scanning ------------------------------------------------------------------


@dataclass
class ScanSettings:
    dpi: int
    angle: float  # degrees
    scale: float
    shift: tuple[float, float]  # mm
    blur: float  # pixels at the scan's dpi
    noise: float
    quality: int  # JPEG quality; 0 for PNG
    colour: bool
    paper: int
    toner: int


def random_settings(rng: random.Random, dpi: int | None = None) -> ScanSettings:
    return ScanSettings(
        dpi=dpi or rng.choices([150, 200, 300], [7, 2, 1])[0],
        angle=rng.uniform(-5, 5), scale=rng.uniform(0.95, 1.05),
        shift=(rng.uniform(-4, 4), rng.uniform(-4, 4)), blur=rng.uniform(0.5, 1.2),
        noise=rng.uniform(2, 7), quality=rng.choice([55, 60, 65, 70, 75, 80, 85, 90, 95, 0]),
        colour=rng.random() < 0.25, paper=rng.randint(228, 250), toner=rng.randint(15, 60))


SCAN_MARGIN = 3.0  # mm the scanner's window reaches beyond each edge of the paper


def print_and_scan(image: Image, settings: ScanSettings, rng: random.Random,
                   paper_mm: tuple[float, float]) -> tuple[bytes, str]:
    """The page through a printer and a sheet-fed scanner: encoded bytes and their suffix.
    The scanner's window is the paper's size and a little more, so a sheet skewed far enough
    has its corners cut off, as in a real feeder."""
    s = settings
    out_w = round((paper_mm[0] + 2 * SCAN_MARGIN) / 25.4 * s.dpi)
    out_h = round((paper_mm[1] + 2 * SCAN_MARGIN) / 25.4 * s.dpi)
    k = s.dpi / PRINT_DPI * s.scale
    a = math.radians(s.angle)
    cx_in, cy_in = image.shape[1] / 2, image.shape[0] / 2
    cx_out = out_w / 2 + s.shift[0] / 25.4 * s.dpi
    cy_out = out_h / 2 + s.shift[1] / 25.4 * s.dpi
    m = np.array([[k * math.cos(a), -k * math.sin(a), 0.0], [k * math.sin(a), k * math.cos(a), 0.0]])
    m[:, 2] = [cx_out, cy_out] - m[:, :2] @ [cx_in, cy_in]
    toned = s.toner + (s.paper - s.toner) * (image.astype(np.float32) / 255)
    scanned = cv2.warpAffine(toned, m, (out_w, out_h), flags=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=float(s.paper))
    scanned = cv2.GaussianBlur(scanned, (0, 0), s.blur)
    gen = np.random.default_rng(rng.randrange(2**32))
    scanned += gen.standard_normal(scanned.shape, dtype=np.float32) * np.float32(s.noise)
    grey = np.clip(scanned, 0, 255).astype(np.uint8)
    picture: npt.NDArray[np.uint8] = grey
    if s.colour:  # a colour scan of cream paper
        picture = cv2.merge([np.clip(grey.astype(np.int16) - 12, 0, 255).astype(np.uint8),
                             np.clip(grey.astype(np.int16) - 3, 0, 255).astype(np.uint8), grey])
    if s.quality:
        ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, s.quality])
        suffix = ".jpg"
    else:
        ok, data = cv2.imencode(".png", picture, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        suffix = ".png"
    assert ok
    return data.tobytes(), suffix


# --- a class ----------------------------------------------------------------------------------


@dataclass
class ClassScans:
    scans: list[Scan]
    pupils: dict[int, Pupil]  # copy number → pupil
    answers: dict[int, dict[int, str | None]]  # copy number → question → letter


def simulate_class(pdf: Path, layout: Layout, seed: int, *, dpi: int | None = None,
                   truth_key: dict[str, str] | None = None, copies: Sequence[int] | None = None,
                   difficulty: dict[str, float] | None = None) -> ClassScans:
    """Every numbered copy of the worksheet filled by its pupil, printed and scanned, in a
    shuffled order."""
    rng = random.Random(seed)
    pages = render_pdf(pdf)
    chosen = [c for c in layout.copies if copies is None or c.number in copies]
    pupils = dict(zip([c.number for c in chosen], make_pupils(len(chosen), rng, layout.id_digits or 6),
                      strict=True))
    difficulty = dict(difficulty or {})  # item → how hard (drawn when not given)
    answers: dict[int, dict[int, str | None]] = {}
    scans: list[Scan] = []
    page_index = 0
    for copy in layout.copies:
        version = layout.versions[copy.version]
        first = page_index
        page_index += len(version.pages) + len(version.pages) % 2  # padding to a fresh sheet
        if copy.number not in pupils:
            continue
        pupil = pupils[copy.number]
        answers[copy.number] = choose_answers(layout, copy.version, pupil, rng, difficulty, truth_key)
        for n, page in enumerate(version.pages):
            code = PageCode(layout.sheet, copy.version, n + 1, copy.number)
            filled = fill_page(pages[first + n], code, page, layout, answers[copy.number],
                               pupil, rng)
            settings = random_settings(rng, dpi)
            data, suffix = print_and_scan(filled.image, settings, rng, layout.page_size)
            scans.append(Scan(f"copy{copy.number:03d}-p{n + 1}{suffix}", data, code, filled.truth,
                              filled.kinds, settings))
    rng.shuffle(scans)
    return ClassScans(scans, pupils, answers)


def write_scans(scans: Sequence[Scan], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for scan in scans:
        path = folder / scan.name
        path.write_bytes(scan.data)
        paths.append(path)
    return paths
