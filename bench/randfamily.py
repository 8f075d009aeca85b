#!/usr/bin/python3
"""randfamily.py - a RANDOM-WEIGHT model folder of one decoder family, for speed comparisons.

The shared tools/randmodel.py makes qwen2 and llama only; this makes every family the one decoder
runs, at Qwen2.5-0.5B's dimensions (hidden 896, 24 layers, 14 heads, 2 KV heads, head_dim 64,
intermediate 4864, vocab 151936, tied head) unless told otherwise, so that decode speed compares
families at the same parameter count:

  qwen2, gemma2, gemma3_text, phi3 (fused qkv / gate_up), mistral, qwen3   the same shapes
  gpt2          learned positions, LayerNorm, MHA, ungated MLP of (3 × intermediate − the extra
                attention of MHA over GQA) / 2: the same parameter count (ungated 1.5 × intermediate
                with MHA came to 528M against 494M, 7% more bytes per token)
  qwen3_moe     8 experts of intermediate / 2, top 2: the active MLP equals the dense one
  mixtral       8 experts of intermediate / 2, top 2 (as Mixtral-8x7B)

Weights are bf16, N(0, 0.02) (the values do not matter for speed). No tokenizer is written: bench
with token ids. Deterministic for a given --seed.

  /usr/bin/python3 bench/randfamily.py --family gemma2 --out /tmp/rand-gemma2
"""
import argparse
import json
import os
import struct

import numpy as np


def write_safetensors(path, shapes, seed):
    rng = np.random.default_rng(seed)
    header, offset = {}, 0
    for name in sorted(shapes):
        n = int(np.prod(shapes[name])) * 2
        header[name] = {"dtype": "BF16", "shape": list(shapes[name]), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for name in sorted(shapes):
            count = int(np.prod(shapes[name]))
            for start in range(0, count, 1 << 24):  # 16 M values at a time
                v = (rng.standard_normal(min(1 << 24, count - start), dtype=np.float32) * 0.02)
                if name.endswith("norm.weight") or ".ln_" in name or name.endswith("ln_f.weight"):
                    v = v + 1.0
                f.write((v.view(np.uint32) >> 16).astype(np.uint16).tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hidden", type=int, default=896)
    ap.add_argument("--layers", type=int, default=24)
    ap.add_argument("--heads", type=int, default=14)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=4864)
    ap.add_argument("--vocab", type=int, default=151936)
    a = ap.parse_args()
    f, H, L, nh, nkv, I, V = a.family, a.hidden, a.layers, a.heads, a.kv_heads, a.intermediate, a.vocab
    hd = H // nh
    cfg = {"model_type": f, "vocab_size": V, "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": nh,
           "num_key_value_heads": nkv, "intermediate_size": I, "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
           "rope_theta": 1000000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16", "head_dim": hd}
    s = {}
    if f == "gpt2":
        # Same total as the gated GQA families: MHA's q/k/v hold 3H × H where GQA's hold (nh + 2 nkv) hd × H.
        I = (3 * I - 3 * H + (nh + 2 * nkv) * hd) // 2
        cfg = {"model_type": "gpt2", "vocab_size": V, "n_embd": H, "n_layer": L, "n_head": nh, "n_inner": I,
               "n_positions": 1024, "torch_dtype": "bfloat16"}
        s["wte.weight"], s["wpe.weight"] = (V, H), (1024, H)
        for l in range(L):
            p = f"h.{l}."
            for n in ("ln_1", "ln_2"):
                s[p + n + ".weight"] = s[p + n + ".bias"] = (H,)
            s[p + "attn.c_attn.weight"], s[p + "attn.c_attn.bias"] = (H, 3 * H), (3 * H,)
            s[p + "attn.c_proj.weight"], s[p + "attn.c_proj.bias"] = (H, H), (H,)
            s[p + "mlp.c_fc.weight"], s[p + "mlp.c_fc.bias"] = (H, I), (I,)
            s[p + "mlp.c_proj.weight"], s[p + "mlp.c_proj.bias"] = (I, H), (H,)
        s["ln_f.weight"] = s["ln_f.bias"] = (H,)
    else:
        if f == "gemma2":
            cfg.update(query_pre_attn_scalar=hd, sliding_window=4096, attn_logit_softcapping=50.0, final_logit_softcapping=30.0)
        if f == "gemma3_text":
            cfg.update(query_pre_attn_scalar=hd, sliding_window=512, rope_local_base_freq=10000.0)
        if f == "phi3":
            cfg.update(partial_rotary_factor=0.75, original_max_position_embeddings=4096, max_position_embeddings=131072,
                       rope_scaling={"type": "longrope", "short_factor": [1.0] * (int(hd * 0.75) // 2),
                                     "long_factor": [2.0] * (int(hd * 0.75) // 2)}, sliding_window=262144)
        if f == "mistral":
            cfg.update(sliding_window=4096)
        if f in ("qwen3_moe", "mixtral"):
            cfg.update(num_experts_per_tok=2, moe_intermediate_size=I // 2, norm_topk_prob=True)
            cfg["num_experts" if f == "qwen3_moe" else "num_local_experts"] = 8
            if f == "mixtral":
                cfg["intermediate_size"] = I // 2
        s["model.embed_tokens.weight"] = (V, H)
        for l in range(L):
            p = f"model.layers.{l}."
            norms = ["input_layernorm", "post_attention_layernorm"]
            if f.startswith("gemma"):
                norms += ["pre_feedforward_layernorm", "post_feedforward_layernorm"]
            for n in norms:
                s[p + n + ".weight"] = (H,)
            a_ = p + "self_attn."
            if f == "phi3":
                s[a_ + "qkv_proj.weight"] = ((nh + 2 * nkv) * hd, H)
            else:
                s[a_ + "q_proj.weight"], s[a_ + "k_proj.weight"], s[a_ + "v_proj.weight"] = (nh * hd, H), (nkv * hd, H), (nkv * hd, H)
            if f == "qwen2":
                s[a_ + "q_proj.bias"], s[a_ + "k_proj.bias"], s[a_ + "v_proj.bias"] = (nh * hd,), (nkv * hd,), (nkv * hd,)
            if f in ("qwen3", "gemma3_text", "qwen3_moe"):
                s[a_ + "q_norm.weight"] = s[a_ + "k_norm.weight"] = (hd,)
            s[a_ + "o_proj.weight"] = (H, nh * hd)
            if f in ("qwen3_moe", "mixtral"):
                m = p + ("mlp." if f == "qwen3_moe" else "block_sparse_moe.")
                s[m + "gate.weight"] = (8, H)
                for e in range(8):
                    x = m + f"experts.{e}."
                    names = ("gate_proj", "up_proj", "down_proj") if f == "qwen3_moe" else ("w1", "w3", "w2")
                    s[x + names[0] + ".weight"] = s[x + names[1] + ".weight"] = (I // 2, H)
                    s[x + names[2] + ".weight"] = (H, I // 2)
            elif f == "phi3":
                s[p + "mlp.gate_up_proj.weight"], s[p + "mlp.down_proj.weight"] = (2 * I, H), (H, I)
            else:
                s[p + "mlp.gate_proj.weight"] = s[p + "mlp.up_proj.weight"] = (I, H)
                s[p + "mlp.down_proj.weight"] = (H, I)
        s["model.norm.weight"] = (H,)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=2)
    with open(os.path.join(a.out, "generation_config.json"), "w") as fh:
        json.dump({"eos_token_id": 0}, fh)
    write_safetensors(os.path.join(a.out, "model.safetensors"), s, a.seed)
    print(a.out, sum(int(np.prod(v)) for v in s.values()) / 1e6, "M parameters")


if __name__ == "__main__":
    main()
