"""Decode text files the way Japanese companies save them: UTF-8 (with or without BOM), Shift_JIS /
CP932 (Excel's CSV), EUC-JP, ISO-2022-JP and UTF-16. Binary data is refused, not guessed at."""

from __future__ import annotations

import codecs
import re

from katachi.core.errors import KatachiError

_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_KANJI = re.compile(r"[\u3400-\u9fff]")
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def _plausibility(text: str) -> float:
    """How much ``text`` looks like Japanese: kana weigh most (a wrong decoding lands in kanji or
    symbols, almost never in the small kana block); control characters count against."""
    if not text:
        return 0.0
    sample = text[:20000]
    ascii_ = sum(1 for c in sample if " " <= c <= "~" or c in "\r\n\t")
    score = len(_KANA.findall(sample)) + 0.3 * len(_KANJI.findall(sample)) + 0.5 * ascii_
    return (score - 10 * len(_BAD.findall(sample))) / len(sample)


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises ``file_binary`` or ``file_not_text``."""
    text, enc = _decode(data)
    sample = text[:20000]
    if sample and len(_BAD.findall(sample)) > max(2, len(sample) // 100):
        raise KatachiError("file_binary")  # decoded, but into control characters: not text
    return text, enc


def _decode(data: bytes) -> tuple[str, str]:
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
    ):
        if data.startswith(bom) and not (bom == codecs.BOM_UTF16_LE and data.startswith(codecs.BOM_UTF32_LE)):
            try:
                return data.decode(enc), enc.replace("-sig", " (BOM)")
            except UnicodeDecodeError:
                break
    head = data[:4096]
    if b"\x1b$" in head or b"\x1b(" in head:  # ISO-2022-JP is 7-bit: test it before UTF-8
        try:
            return data.decode("iso2022_jp"), "iso-2022-jp"
        except UnicodeDecodeError:
            pass
    has_nul = b"\x00" in head
    if not has_nul:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    candidates = []
    utf16 = ["utf-16-le", "utf-16-be"] if len(data) % 2 == 0 else []
    encodings = utf16 if has_nul else ["cp932", "euc_jp"] + utf16
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), enc, text))
    if candidates:
        score, enc, text = max(candidates)
        if score > 0.05:
            return text, {"cp932": "shift_jis (cp932)", "euc_jp": "euc-jp"}.get(enc, enc)
    if has_nul:
        raise KatachiError("file_binary")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and not _BAD.search(str(best)[:20000]):
        return str(best), best.encoding
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KatachiError("file_not_text", detail=f"byte 0x{data[exc.start]:02x} at offset {exc.start}") from exc
    raise KatachiError("file_not_text", detail="unknown encoding")
