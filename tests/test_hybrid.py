from katachi.knowledge.hybrid import fuse, rrf


def test_fusion_scales_narrow_cosines_against_bm25():
    dense = {"a": 0.86, "b": 0.85, "c": 0.80}
    # no lexical signal: the dense order stands
    assert [i for i, _ in fuse(dense, {})] == ["a", "b", "c"]
    # a strong exact match lifts b over a small cosine gap
    assert [i for i, _ in fuse(dense, {"b": 12.0, "a": 1.0})][0] == "b"
    # a weak lexical hit does not beat a clearly better meaning match
    assert [i for i, _ in fuse({"a": 0.90, "b": 0.80}, {"b": 3.0, "a": 2.5})][0] == "a"


def test_rrf_and_fusion_are_deterministic_on_ties():
    assert fuse({"x": 0.5, "y": 0.5}, {}) == fuse({"y": 0.5, "x": 0.5}, {})
    assert [i for i, _ in rrf(["a", "b"], ["b", "a"])] == ["a", "b"]
