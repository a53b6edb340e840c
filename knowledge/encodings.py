"""Decode text files the way Japanese companies save them: UTF-8 (with or without BOM), Shift_JIS /
CP932 (Excel's CSV), EUC-JP, ISO-2022-JP and UTF-16. Binary data is refused, not guessed at."""
from __future__ import annotations

import codecs
import re

from core.errors import KatachiError

_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def _plausibility(text: str) -> float:
    """Share of Japanese characters, minus control characters: higher is more plausible."""
    if not text:
        return 0.0
    sample = text[:20000]
    return (len(_JA.findall(sample)) - 10 * len(_BAD.findall(sample))) / len(sample)


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises ``file_binary`` or ``file_not_text``."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
                     (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32")):
        if data.startswith(bom) and not (bom == codecs.BOM_UTF16_LE and data.startswith(codecs.BOM_UTF32_LE)):
            try:
                return data.decode(enc), enc.replace("-sig", " (BOM)")
            except UnicodeDecodeError:
                break
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 4 and min(even, odd) < len(head) // 64:
            enc = "utf-16-le" if odd > even else "utf-16-be"
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
        raise KatachiError("file_binary")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if b"\x1b$" in head or b"\x1b(" in head:
        try:
            return data.decode("iso2022_jp"), "iso-2022-jp"
        except UnicodeDecodeError:
            pass
    candidates = []
    for enc in ("cp932", "euc_jp"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), enc, text))
    if candidates:
        score, enc, text = max(candidates)
        if score > 0.05:
            return text, {"cp932": "shift_jis (cp932)", "euc_jp": "euc-jp"}[enc]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and not _BAD.search(str(best)[:20000]):
        return str(best), best.encoding
    raise KatachiError("file_not_text", detail=f"byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}")
