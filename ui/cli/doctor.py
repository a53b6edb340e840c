"""``katachi doctor``: what is in use, and what is wrong if anything is."""

from __future__ import annotations

import time

from katachi.core.errors import KatachiError
from katachi.core.i18n import domain


def run_doctor(settings, full_hash: bool = False) -> int:
    from katachi.core.llm import describe_provider
    from katachi.core.local_llm import resolve_model, verify_packaged
    from katachi.knowledge.embedder import get_embedder
    from katachi.knowledge.store import CompanyStore, list_companies

    s, lang = settings, settings.lang
    L = domain("doctor", lang)
    problems: list[str] = []
    prov = describe_provider(s)
    print(f"{L['provider']}: {prov['provider']}  ({', '.join(f'{k}={v}' for k, v in prov.items() if k != 'provider')})")
    if s.provider == "local":
        try:
            info = resolve_model(s.local_model, s.cache_dir)
            if info.packaged:
                verify_packaged(info.path, full=full_hash)
            mark = L["checksum_ok"] if info.packaged else L["unchecked"]
            print(
                f"{L['model']}: {info.path}  {info.size:,} bytes  {mark}  threads={s.local_threads} ctx={s.local_ctx}"
            )
        except KatachiError as e:
            problems.append(e.message(lang))
    elif s.provider == "openai" and not (s.openai_api_key or s.openai_base_url):
        problems.append(KatachiError("openai_key_missing").message(lang))
    try:
        t0 = time.perf_counter()
        emb = get_embedder(s.embed_threads, s.embed_batch)
        v = emb.embed_queries(["動作確認 check"])
        print(
            f"{L['embedder']}: {emb.name}  dim={v.shape[1]}  load+embed {time.perf_counter() - t0:.1f}s  threads={s.embed_threads}"
        )
    except KatachiError as e:
        problems.append(e.message(lang))
    print(f"{L['data']}: {s.data_dir}")
    companies = list_companies(s)
    print(f"{L['companies']}: " + ("" if companies else L["none"]))
    for c in companies:
        try:
            st = CompanyStore(c, s).stats()
            print(f"  - {c}: {st['documents']} {L['docs']}, {st['chunks']} {L['chunks']}")
        except KatachiError as e:
            problems.append(f"{c}: {e.message(lang)}")
    if problems:
        print(f"{L['problems']}:")
        for pr in problems:
            print(f"  ✗ {pr}")
        return 1
    print(f"✓ {L['ok']}")
    return 0
