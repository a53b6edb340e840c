import hashlib

import pytest

from katachi.core import local_llm
from katachi.core.errors import KatachiError


def _fake_parts(tmp_path, chunks):
    paths = []
    for i, data in enumerate(chunks, 1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_assembly_verifies_size_and_checksum(tmp_path, monkeypatch):
    chunks = [b"abc" * 100, b"def" * 50]
    whole = b"".join(chunks)
    monkeypatch.setattr(local_llm, "part_paths", lambda: _fake_parts(tmp_path, chunks))
    monkeypatch.setattr(local_llm, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(local_llm, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    path = local_llm.assemble(tmp_path / "cache")
    assert path.read_bytes() == whole
    # a flipped byte of the same size is caught by the full check
    data = bytearray(whole)
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(KatachiError) as e:
        local_llm.verify_packaged(path, full=True)
    assert e.value.code == "model_corrupt" and "sha256" in e.value.message("en")
    # truncation is caught without hashing
    path.write_bytes(whole[:-1])
    with pytest.raises(KatachiError) as e:
        local_llm.verify_packaged(path)
    assert "size" in e.value.message("en")


def test_wrong_parts_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(local_llm, "part_paths", lambda: _fake_parts(tmp_path, [b"x" * 10]))
    monkeypatch.setattr(local_llm, "MODEL_SIZE", 10)
    with pytest.raises(KatachiError) as e:
        local_llm.assemble(tmp_path / "cache")
    assert e.value.code == "model_corrupt"
    assert not list((tmp_path / "cache" / "models").glob("*.gguf"))


def test_custom_gguf_must_exist(tmp_path):
    with pytest.raises(KatachiError) as e:
        local_llm.resolve_model(tmp_path / "missing.gguf", tmp_path)
    assert e.value.code == "model_file_missing"
