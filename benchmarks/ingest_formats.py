"""Ingestion throughput per format, as a ratio of the raw embedder speed measured in the same run.

    python benchmarks/ingest_formats.py [--files 8]

The same handbook pages (../shared/corpora/handbook-ja) are written as .md, .txt, .html, .csv,
.docx, .xlsx, .pptx and .pdf; each format is ingested into a fresh company store (load, decode,
chunk, embed, Chroma, BM25), then the raw embedder is timed on exactly the chunks that format produced.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from katachi.core.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip() and not p.strip().startswith(("---", "{{"))]


def write_all(src: list[Path], out: Path) -> dict[str, Path]:
    import docx
    import openpyxl
    from pptx import Presentation

    from tests.corpus_factory import pdf_bytes

    dirs = {}
    for ext in ("md", "txt", "html", "csv", "docx", "xlsx", "pptx", "pdf"):
        dirs[ext] = out / ext
        dirs[ext].mkdir(parents=True)
    for n, f in enumerate(src):
        text = f.read_text(encoding="utf-8")
        paras = paragraphs(text)
        (dirs["md"] / f"{n}.md").write_text(text, encoding="utf-8")
        (dirs["txt"] / f"{n}.txt").write_text("\n\n".join(paras), encoding="cp932", errors="replace")
        (dirs["html"] / f"{n}.html").write_text(
            "<html><body>" + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>", encoding="utf-8"
        )
        (dirs["csv"] / f"{n}.csv").write_text(
            "no,text\n" + "\n".join(f'{i},"{p.replace(chr(34), "")}"' for i, p in enumerate(paras)),
            encoding="cp932",
            errors="replace",
        )
        d = docx.Document()
        for p in paras:
            d.add_paragraph(p)
        d.save(dirs["docx"] / f"{n}.docx")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["no", "text"])
        for i, p in enumerate(paras):
            ws.append([i, p[:32000]])
        wb.save(dirs["xlsx"] / f"{n}.xlsx")
        prs = Presentation()
        for i in range(0, len(paras), 3):
            s = prs.slides.add_slide(prs.slide_layouts[1])
            s.shapes.title.text = f"{f.stem} {i // 3 + 1}"
            s.placeholders[1].text = "\n".join(paras[i : i + 3])
        prs.save(dirs["pptx"] / f"{n}.pptx")
        (dirs["pdf"] / f"{n}.pdf").write_bytes(
            pdf_bytes(["".join(paras[i : i + 4]) for i in range(0, len(paras), 4)][:30])
        )
    return dirs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpora/handbook-ja/docs"))
    ap.add_argument("--files", type=int, default=16)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="katachi-formats-"))
    os.environ["KATACHI_DATA_DIR"] = str(tmp / "data")
    from katachi.knowledge.embedder import get_embedder
    from katachi.knowledge.store import CompanyStore, _embed_text

    src = sorted(Path(args.corpus).rglob("*.md"), key=lambda p: p.stat().st_size)
    src = [p for p in src if 4000 < p.stat().st_size < 20000][: args.files]
    dirs = write_all(src, tmp / "docs")
    from katachi.knowledge.lexical import tokenize

    emb = get_embedder()
    emb.embed_passages(["warm-up"])
    tokenize("ウォームアップ")  # the Sudachi dictionary loads once per process; keep it out of the first format
    print(f"machine: {platform.machine()} {os.cpu_count()} cpus; {len(src)} handbook pages per format")
    print(f"{'format':<7}{'chunks':>7}{'ingest/s':>10}{'raw/s':>8}{'ratio':>7}")
    for ext, d in dirs.items():
        store = CompanyStore(f"fmt-{ext}", get_settings(), create=True, embedder=emb)
        t0 = time.perf_counter()
        rep = store.ingest([d])
        secs = time.perf_counter() - t0
        got = store.collection.get(include=["documents", "metadatas"])
        texts = [_embed_text(m, t) for t, m in zip(got["documents"], got["metadatas"])]
        t0 = time.perf_counter()
        for i in range(0, len(texts), 64):
            emb.embed_passages(texts[i : i + 64])
        raw = len(texts) / (time.perf_counter() - t0)
        rate = rep.chunks_added / secs
        skipped = f"  skipped {len(rep.skipped)}" if rep.skipped else ""
        print(f"{ext:<7}{rep.chunks_added:7d}{rate:10.2f}{raw:8.2f}{rate / raw:7.2f}{skipped}")


if __name__ == "__main__":
    main()
