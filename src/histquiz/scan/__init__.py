"""Reading scanned worksheets back: marks, an item analysis and annotated sheets.

The image work needs the optional extra (``pip install 'histquiz[scan]'``): numpy, OpenCV to
find the corner marks and straighten the page, pypdfium2 to rasterise scanned PDFs, zxing-cpp
to read the page codes. Nothing here is imported by ``histquiz --help``; ``require`` says in
one line what is missing.
"""

from __future__ import annotations

import importlib

from ..errors import UsageError

INSTALL = "pip install 'histquiz[scan]'"
# module → the package that provides it
NEEDED = (("numpy", "numpy"), ("cv2", "opencv-python-headless"), ("pypdfium2", "pypdfium2"),
          ("zxingcpp", "zxing-cpp"))


def require() -> None:
    """Raise one clear line when a library of the scan extra is missing."""
    missing = []
    for module, package in NEEDED:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise UsageError(f"marking scans needs {', '.join(missing)}, which {verb} not installed: "
                         f"run {INSTALL}")
