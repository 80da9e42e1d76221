"""The paper's configurations by name: its three networks (an NTM with a
feedforward controller, an NTM with an LSTM controller, the LSTM baseline)
on each of its five tasks, named ``"<task>/<network>"``."""

from __future__ import annotations

import ctypes
import json
from typing import List

from ._library import library
from ._util import c_string, text
from .results import PresetInfo

__all__ = ["preset_info", "presets"]


def presets() -> List[str]:
    """The names of the built-in presets, e.g. ``"copy/ntm-lstm"``, for
    :meth:`ntm.Model.preset`, :meth:`ntm.Trainer.preset` and
    :func:`preset_info`."""
    lib = library()
    return [lib.ntm_preset_name(i).decode("utf-8") for i in range(lib.ntm_preset_count())]


def preset_info(name: str) -> PresetInfo:
    """A preset's task, batch size, model config and optimiser config.

    Raises:
        ConfigError: an unknown preset (the message lists the valid names).
    """
    lib = library()
    encoded = c_string("name", name)
    task = ctypes.c_char_p()
    batch_size = ctypes.c_size_t()
    lib.ntm_preset_info(encoded, ctypes.byref(task), ctypes.byref(batch_size))
    return PresetInfo(
        name=name,
        task=(task.value or b"").decode("utf-8"),
        batch_size=batch_size.value,
        model_config=json.loads(text(lib.ntm_preset_model_json, encoded)),
        optimizer_config=json.loads(text(lib.ntm_preset_optimizer_json, encoded)),
    )
