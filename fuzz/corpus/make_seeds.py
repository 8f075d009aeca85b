#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (fuzz/corpus/<target>/) from the test fixtures and a few
hand-made files: small valid inputs of every kind each reader accepts, so that the fuzzers start
from the interesting paths. Run from the repository root; the output is committed."""
import json, os, pickle, struct, zipfile, io

FIX = "tests/fixtures"
OUT = "fuzz/corpus"


def put(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, pad_to=8):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad_to:
        h += b" " * (-len(h) % pad_to)
    return struct.pack("<Q", len(h)) + h + data


put("safetensors", "aligned", safetensors({"w": ("F32", [2, 3], struct.pack("<6f", *range(6))),
                                           "b": ("BF16", [2], b"\x80\x3f\x00\x40"), "e": ("I64", [0], b"")}))
put("safetensors", "misaligned", safetensors({"w": ("F16", [3], b"\x00\x3c\x00\x40\x00\x42")}, pad_to=0))
put("safetensors", "two", safetensors({"a": ("U8", [4], b"abcd"), "c": ("BOOL", [1, 1], b"\x01")}))

# pytorch_model.bin: torch.save's pickle spelled by hand (the opcodes torch emits), in both layouts.
U = lambda s: b"X" + struct.pack("<I", len(s)) + s.encode()
K = lambda i: b"K" + bytes([i])


def state_pickle(view=None, size=(2, 2), stride=(2, 1), offset=0):
    pid = b"(" + U("storage") + b"ctorch\nFloatStorage\n" + U("0") + U("cpu") + K(4)
    if view is not None:
        pid += b"(" + U("v") + K(view[0]) + K(view[1]) + b"t"
    pid += b"t"
    tup = lambda v: b"(" + b"".join(K(x) for x in v) + b"t"
    return (b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(" + U("w") + b"ctorch._utils\n_rebuild_tensor_v2\n(" +
            pid + b"Q" + K(offset) + tup(size) + tup(stride) + b"\x89ccollections\nOrderedDict\n)RtRq\x02" +
            U("t") + b"h\x02u.")


def zip_checkpoint(pkl, storage):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        # A fixed date: rerunning this script must not change the committed seeds.
        for name, data in (("data.pkl", pkl), ("byteorder", "little"), ("data/0", storage), ("version", "3\n")):
            z.writestr(zipfile.ZipInfo("archive/" + name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


floats4 = struct.pack("<4f", 1, 2, 3, 4)
put("torch_bin", "zip", zip_checkpoint(state_pickle(), floats4))
put("torch_bin", "zip_strided", zip_checkpoint(state_pickle(size=(2, 2), stride=(1, 2)), floats4))
legacy = (b"\x80\x02\x8a\x0a" + bytes.fromhex("6cfc9c46f9206aa85019") + b"." + b"\x80\x02M\xe9\x03." +
          b"\x80\x02}(" + U("little_endian") + b"\x88u." + state_pickle(view=(1, 2), size=(2,), stride=(1,)) +
          b"\x80\x02(" + U("0") + b"l." + struct.pack("<q", 4) + floats4)
put("torch_bin", "legacy_view", legacy)
for name in ("malicious_eval.bin", "malicious_os_system.bin"):
    put("torch_bin", name, open(f"{FIX}/torch-bin/{name}", "rb").read())

for name in ("config.json", "generation_config.json"):
    put("config_json", name, open(f"{FIX}/tiny-qwen2/{name}", "rb").read())
put("config_json", "llama_rope", json.dumps({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 300,
    "max_position_embeddings": 512, "rms_norm_eps": 1e-6, "tie_word_embeddings": True,
    "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192}, "eos_token_id": [1, 2]}))
# One per family path of ModelConfig: gemma3's text_config wrapper, phi3's longrope factors,
# Qwen MoE's experts, GPT-2's own key names (compact, to stay within the target's -max_len).
for fam in ("gemma3", "phi3", "qwen2-moe", "gpt2"):
    put("config_json", f"tiny-{fam}", json.dumps(json.load(open(f"{FIX}/tiny-{fam}/config.json")), separators=(",", ":")))


def shrink_tokenizer(tj, keep=260):
    m = tj["model"]
    if isinstance(m.get("vocab"), dict):
        m["vocab"] = {k: v for k, v in m["vocab"].items() if v < keep}
        if "merges" in m:
            merges = []
            for mg in m["merges"]:
                a, b = mg.split(" ", 1) if isinstance(mg, str) else mg
                if a in m["vocab"] and b in m["vocab"] and a + b in m["vocab"]:
                    merges.append(mg)
            m["merges"] = merges[:40]
    elif isinstance(m.get("vocab"), list):
        m["vocab"] = m["vocab"][:keep]
        if m.get("unk_id") is not None and m["unk_id"] >= keep:
            m["unk_id"] = 0
    tj["added_tokens"] = [t for t in tj.get("added_tokens", [])][:4]
    return tj


for name in ("gpt2", "llama2", "qwen2.5", "unigram", "wordpiece"):
    tj = shrink_tokenizer(json.load(open(f"{FIX}/tokenizers/{name}/tokenizer.json")))
    norm = tj.get("normalizer") or {}  # a Precompiled charsmap is 300 kB: too slow a seed
    if norm.get("type") == "Sequence":
        norm["normalizers"] = [n for n in norm["normalizers"] if n["type"] != "Precompiled"] + [{"type": "NFKC"}]
    put("tokenizer_json", name, json.dumps(tj, ensure_ascii=False))

for name in ("google-gemma-2-2b-it", "microsoft-Phi-3.5-mini-instruct", "Qwen-Qwen2.5-7B-Instruct",
             "LFM2-8B-A1B", "meta-llama-Llama-3.1-8B-Instruct"):
    put("chat_template", name, open(f"{FIX}/chat_templates/{name}/template.jinja", "rb").read())
put("chat_template", "features", """{%- macro m(a, b=2) -%}{{ a ~ b }}{{ caller() if caller is defined }}{%- endmacro -%}
{%- set ns = namespace(n=0) -%}
{%- for msg in messages if msg.role != 'tool' recursive -%}
{{ loop.index }}/{{ loop.length }} {{ msg.role | upper }}: {{ msg.content | trim | e }}{{ '\\n' }}
{%- set ns.n = ns.n + 1 -%}{% if loop.last %}{% break %}{% endif %}
{%- endfor -%}
{{ m(1) }}{{ tools | tojson(indent=2) }}{{ (messages | map(attribute='role') | list)[1:3] }}
{{ '%05.2f|%-4s|%x' % (3.14159, 'ab', 255) }}{{ range(10) | batch(3) | list }}{{ 'a,b' .split(',') | join('-') }}
{% call m(3) %}inner{% endcall %}{{ ns.n }}{{ {'k': [1, 2.5, none, true]} | dictsort }}{{ "x" * 3 }}
{%- if add_generation_prompt %}<|assistant|>{% endif %}""")
