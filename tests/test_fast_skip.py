"""Left-out outputs of a Gradio handler: the same answer as Gradio's own skip, without rebuilding them."""
import asyncio

import gradio as gr
from gradio.blocks import Blocks
from gradio.state_holder import SessionState

from ui.web import fast_skip


def _demo():
    with gr.Blocks() as demo:
        h1, h2 = gr.HTML(), gr.HTML()
        with gr.Group() as grp:
            gr.Markdown("x")
        btn, boxes, st, df = gr.Button("b"), gr.CheckboxGroup(choices=["a"]), gr.State(""), gr.Dataframe()
        outs = [h1, grp, btn, boxes, st, df, h2]
        trig = gr.Button()
        trig.click(lambda: {h1: "<p>one</p>"}, None, outs)
        trig.click(lambda: {h2: "<p>two</p>", grp: gr.update(visible=False), st: "v", btn: gr.update(value="c")},
                   None, outs)
        trig.click(lambda: {k: "<p/>" if isinstance(k, gr.HTML) else gr.skip() for k in outs}, None, outs)
    return demo, st


def _plain(value):
    """Gradio answers a skipped gr.HTML with an empty ``props`` update inside; both change nothing."""
    if isinstance(value, dict) and value.get("props") == {"__type__": "update"}:
        return {k: v for k, v in value.items() if k != "props"}
    return value


def _answers(demo):
    state = SessionState(demo)
    return [[_plain(v) for v in asyncio.run(demo.process_api(block_fn=fn, inputs=[], state=state))["data"]]
            for fn in demo.fns.values()], state


def test_same_answers_as_gradio_and_state_kept(monkeypatch):
    monkeypatch.setattr(Blocks, "postprocess_data", Blocks.postprocess_data)  # undone after the test
    demo, st = _demo()
    plain, _ = _answers(demo)
    assert fast_skip.install() and fast_skip.install()  # idempotent
    demo2, st2 = _demo()
    fast, state = _answers(demo2)
    assert fast == plain
    assert state[st2._id] == "v"  # a returned State is still stored


def test_left_out_outputs_are_not_rebuilt(monkeypatch):
    monkeypatch.setattr(Blocks, "postprocess_data", Blocks.postprocess_data)
    fast_skip.install()
    built = []
    real = gr.Button.__init__

    def counting(self, *a, **kw):
        built.append(1)
        real(self, *a, **kw)

    demo, _ = _demo()
    state = SessionState(demo)
    monkeypatch.setattr(gr.Button, "__init__", counting)
    fn = list(demo.fns.values())[0]  # returns one HTML; the Button is left out
    asyncio.run(demo.process_api(block_fn=fn, inputs=[], state=state))
    assert built == []


def test_refuses_a_changed_gradio(monkeypatch):
    async def other(self, fn, preds, state, extra):  # noqa: ANN001
        return []

    monkeypatch.setattr(Blocks, "postprocess_data", other)
    assert fast_skip.install() is False
    assert Blocks.postprocess_data is other
