"""Outputs a handler leaves out cost nothing (Gradio rebuilds them otherwise).

A Gradio handler that returns a dict of some of its outputs gets every other output filled with
``gr.skip()``, and Gradio then builds a new component for each skipped one and its whole
configuration (API schema included) before sending "no change": ~0.5 ms per skipped output here.
The room's redraw has ~60 outputs and usually changes a few, so this was most of a web replica's
CPU under many live workshops (profile in benchmarks/scale_out.py's notes). This wraps
``Blocks.postprocess_data``: Gradio processes only the outputs that were returned, and the others
get the same empty update Gradio itself sends for a skip (``None`` for a ``gr.State``).
``install()`` checks the method it wraps still takes ``(block_fn, predictions, state)``.
"""
from __future__ import annotations

import copy
import inspect
import logging

import gradio as gr
from gradio.blocks import Block, Blocks

log = logging.getLogger(__name__)

_EMPTY = {"__type__": "update"}


def _wrap(original):
    async def postprocess_data(self, block_fn, predictions, state):
        outputs = list(block_fn.outputs)
        if (not isinstance(predictions, dict) or not predictions or len(outputs) < 2
                or not all(isinstance(k, Block) for k in predictions)
                or getattr(block_fn, "is_validator_function", False) or getattr(block_fn, "batch", False)):
            return await original(self, block_fn, predictions, state)
        ids = {b._id: i for i, b in enumerate(outputs)}
        if any(k._id not in ids for k in predictions):  # a stale component (a hot reload): Gradio's way
            return await original(self, block_fn, predictions, state)
        present = sorted(ids[k._id] for k in predictions)
        if len(present) == len(outputs):
            return await original(self, block_fn, predictions, state)
        sub = copy.copy(block_fn)
        sub.outputs = [outputs[i] for i in present]
        by_id = {k._id: v for k, v in predictions.items()}
        if len(present) == 1:  # Gradio takes a one-output answer as the value itself
            done = await original(self, sub, by_id[outputs[present[0]]._id], state)
        else:
            done = await original(self, sub, {outputs[i]: by_id[outputs[i]._id] for i in present}, state)
        full = [None if b.stateful else dict(_EMPTY) for b in outputs]
        for i, value in zip(present, done):
            full[i] = value
        return full

    postprocess_data._katachi_fast_skip = True
    return postprocess_data


def install() -> bool:
    """Idempotent; False (and Gradio untouched) where Gradio's method is not the one this was made for."""
    current = Blocks.postprocess_data
    if getattr(current, "_katachi_fast_skip", False):
        return True
    params = list(inspect.signature(current).parameters)
    if params != ["self", "block_fn", "predictions", "state"]:
        log.warning("Gradio %s changed postprocess_data%s; redraws stay unoptimised", gr.__version__, params)
        return False
    Blocks.postprocess_data = _wrap(current)
    return True
