"""The Japanese font every rendered document embeds or measures with: IPAexGothic, shipped in the
``japanize-matplotlib`` package (the PDF exports, the plots, the deck's text measure)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from katachi.core.errors import KatachiError


def japanese_font() -> Path:
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise KatachiError("font_missing", package="japanize-matplotlib")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "ipaexg.ttf"
    if not path.is_file():
        raise KatachiError("font_missing", package="japanize-matplotlib")
    return path
