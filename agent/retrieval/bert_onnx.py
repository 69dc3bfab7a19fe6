"""A BERT encoder written as an ONNX graph straight from its safetensors weights, without torch.

The graph is the forward pass `NumpyBertEmbedder` runs (and Hugging Face's `BertModel` computes): embeddings and
their layer norm, then per layer self-attention with the padding masked out, a residual layer norm, an exact
(erf) GELU feed-forward and another residual layer norm. It takes `input_ids`, `attention_mask` and
`token_type_ids` of shape (batch, tokens) and returns `last_hidden_state` (batch, tokens, hidden); pooling is
left to the caller, which knows the mask.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17  # the first with LayerNormalization as one operator


class _Graph:
    """Collects the nodes and weights of one graph, naming each intermediate value."""

    def __init__(self, helper: Any, numpy_helper: Any) -> None:
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names: set[str] = set()
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        """A weight or constant, stored once however often it is used."""
        if name not in self._names:
            self._names.add(name)
            self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        self._count += 1
        output = f"{op_type.lower()}_{self._count}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [output], **attributes))
        return output


def bert_model(weights: dict[str, np.ndarray], config: dict[str, Any]) -> Any:  # -> onnx.ModelProto
    """The ONNX model of a BERT encoder, from its weights (names without the `bert.` prefix) and `config.json`."""
    from onnx import TensorProto, checker, helper, numpy_helper

    g = _Graph(helper, numpy_helper)
    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    head_dim, eps = hidden // heads, float(config.get("layer_norm_eps", 1e-12))

    def weight(name: str) -> str:
        return g.const(name, weights[name])

    def dense(x: str, name: str) -> str:
        # a torch Linear stores (out, in); x @ W.T is the same product
        kernel = g.const(f"{name}.kernel", np.asarray(weights[f"{name}.weight"]).T)
        return g.op("Add", g.op("MatMul", x, kernel), weight(f"{name}.bias"))

    def layer_norm(x: str, name: str) -> str:
        return g.op("LayerNormalization", x, weight(f"{name}.weight"), weight(f"{name}.bias"), axis=-1, epsilon=eps)

    tokens = g.op("Shape", "input_ids", start=1, end=2)
    positions = g.op("Slice", weight("embeddings.position_embeddings.weight"), g.const("zero", np.array([0])),
                     tokens, g.const("axis0", np.array([0])))  # fmt: skip
    x = g.op("Add", g.op("Gather", weight("embeddings.word_embeddings.weight"), "input_ids"), positions)
    x = g.op("Add", x, g.op("Gather", weight("embeddings.token_type_embeddings.weight"), "token_type_ids"))
    x = layer_norm(x, "embeddings.LayerNorm")

    # padding gets the lowest float added to its scores, as BertModel does: softmax gives it weight 0
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    lowest = g.const("lowest", np.array(np.finfo(np.float32).min, dtype=np.float32))
    blocked = g.op("Mul", g.op("Sub", g.const("one", np.array(1.0, dtype=np.float32)), mask), lowest)
    blocked = g.op("Unsqueeze", blocked, g.const("head_and_query_axes", np.array([1, 2])))  # (batch, 1, 1, tokens)
    split = g.const("split_heads", np.array([0, 0, heads, head_dim]))  # 0 keeps that axis's size
    join = g.const("join_heads", np.array([0, 0, hidden]))
    scale = g.const("scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    root2 = g.const("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))

    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        q, k, v = (g.op("Reshape", dense(x, f"{p}attention.self.{n}"), split) for n in ("query", "key", "value"))
        q = g.op("Transpose", q, perm=[0, 2, 1, 3])  # (batch, heads, tokens, head_dim)
        k = g.op("Transpose", k, perm=[0, 2, 3, 1])  # (batch, heads, head_dim, tokens)
        v = g.op("Transpose", v, perm=[0, 2, 1, 3])
        scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), blocked)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), join)
        x = layer_norm(g.op("Add", x, dense(context, f"{p}attention.output.dense")), f"{p}attention.output.LayerNorm")
        inner = dense(x, f"{p}intermediate.dense")
        gelu = g.op("Mul", g.op("Mul", inner, half), g.op("Add", g.op("Erf", g.op("Div", inner, root2)), "one"))
        x = layer_norm(g.op("Add", x, dense(gelu, f"{p}output.dense")), f"{p}output.LayerNorm")

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
        for name in ("input_ids", "attention_mask", "token_type_ids")
    ]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", hidden])
    graph = helper.make_graph(g.nodes, "bert_encoder", inputs, [output], g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="sysdesign-agent")
    # the IR version the opset came with, so an older onnxruntime than the onnx package's still loads it
    model.ir_version = 8
    checker.check_model(model)
    return model


def write_bert_onnx(weights: dict[str, np.ndarray], config: dict[str, Any], target: Path) -> None:
    """Write the encoder's ONNX model to `target` (the caller makes that atomic)."""
    import onnx

    onnx.save_model(bert_model(weights, config), str(target))
