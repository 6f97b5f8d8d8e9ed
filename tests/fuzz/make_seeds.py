#!/usr/bin/env python3
"""Writes small, valid seed inputs for the fuzzers into corpus/<target>/ (run from this folder)."""
import json
import struct
from pathlib import Path

here = Path(__file__).parent / "corpus"

def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b

def gguf(kvs, tensors):
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for key, typ, payload in kvs:
        out += gguf_str(key) + struct.pack("<I", typ) + payload
    off = 0
    datas = []
    for name, dims, typ, data in tensors:
        out += gguf_str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", typ, off)
        pad = (len(data) + 31) // 32 * 32
        datas.append(data + b"\0" * (pad - len(data)))
        off += pad
    out += b"\0" * ((32 - len(out) % 32) % 32)
    return out + b"".join(datas)

def arr(etype, items):
    return struct.pack("<IQ", etype, len(items)) + b"".join(items)

tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["\u2581", "\u2581a", "H", "e", "l", "o", "\u2581w"]
vocab_kvs = [
    ("general.architecture", 8, gguf_str("llama")),
    ("tokenizer.ggml.model", 8, gguf_str("llama")),
    ("tokenizer.ggml.tokens", 9, arr(8, [gguf_str(t) for t in tokens])),
    ("tokenizer.ggml.scores", 9, arr(6, [struct.pack("<f", -float(i)) for i in range(len(tokens))])),
    ("tokenizer.ggml.token_type", 9, arr(5, [struct.pack("<i", 3 if i in (1, 2) else 6 if 3 <= i < 259 else 1) for i in range(len(tokens))])),
]
q8 = struct.pack("<e", 0.5) + bytes(range(32))
(here / "gguf").mkdir(parents=True, exist_ok=True)
(here / "gguf" / "vocab_and_tensors.gguf").write_bytes(gguf(vocab_kvs, [("w", [32], 8, q8), ("f", [4, 2], 0, struct.pack("<8f", *range(8)))]))
gpt2 = [("tokenizer.ggml.model", 8, gguf_str("gpt2")), ("tokenizer.ggml.pre", 8, gguf_str("gpt-2")),
        ("tokenizer.ggml.tokens", 9, arr(8, [gguf_str(t) for t in ["H", "e", "l", "o", "He", "ll", "Hell", "\u0120", "\u0120w"]])),
        ("tokenizer.ggml.merges", 9, arr(8, [gguf_str(m) for m in ["H e", "l l", "He ll", "\u0120 w"]]))]
(here / "gguf" / "gpt2_vocab.gguf").write_bytes(gguf(gpt2, []))

(here / "safetensors").mkdir(parents=True, exist_ok=True)
hdr = json.dumps({"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                  "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]}}).encode()
(here / "safetensors" / "two.safetensors").write_bytes(struct.pack("<Q", len(hdr)) + hdr + bytes(22))

(here / "llama2c").mkdir(parents=True, exist_ok=True)
dim, hidden, layers, heads, kv, vocab, seq = 8, 16, 1, 2, 1, 8, 4
hd = dim // heads
n = vocab * dim + layers * (dim + dim * dim + 2 * dim * kv * hd + dim * dim + dim + 3 * dim * hidden) + dim + seq * hd
(here / "llama2c" / "tiny.bin").write_bytes(struct.pack("<7i", dim, hidden, layers, heads, kv, vocab, seq) + struct.pack(f"<{n}f", *([0.01] * n)))
tok = struct.pack("<i", 4) + b"".join(struct.pack("<fi", -i, len(p)) + p for i, p in enumerate([b"<unk>", b"\n<s>\n", b" a", b"b", b"ab", b" ", b"c", b"d"]))
(here / "llama2c" / "tok8.bin").write_bytes(struct.pack("<i", 8) + tok)

(here / "tokenizer_json").mkdir(parents=True, exist_ok=True)
spm = {"model": {"type": "BPE", "vocab": {"<unk>": 0, "<s>": 1, "\u2581": 2, "a": 3, "b": 4, "\u2581a": 5, "ab": 6, "<0x41>": 7},
                 "merges": ["\u2581 a", "a b"], "byte_fallback": True, "unk_token": "<unk>"},
       "added_tokens": [{"id": 1, "content": "<s>", "special": True}],
       "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                          {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
       "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}]}}
(here / "tokenizer_json" / "spm_style.bin").write_bytes(json.dumps(spm).encode() + b"\0" + json.dumps({"add_bos_token": True, "bos_token": "<s>"}).encode())
bl = {"model": {"type": "BPE", "vocab": {"H": 0, "e": 1, "l": 2, "o": 3, "He": 4, "ll": 5, "\u0120": 6, "\u0120w": 7},
                "merges": [["H", "e"], ["l", "l"], ["\u0120", "w"]]},
      "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True}}
(here / "tokenizer_json" / "byte_level.bin").write_bytes(json.dumps(bl).encode())


# Image headers checked before ITK (fuzz_png, fuzz_metaimage, fuzz_dicom).
import zlib

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

def png(w, h, colour=0, depth=8):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = b"".join(b"\0" + bytes(range(w * channels * max(1, depth // 8))) for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))

def dicom(syntax=b"1.2.840.10008.1.2.1\0"):
    meta = b"\x02\x00\x10\x00UI" + struct.pack("<H", len(syntax)) + syntax
    head = b"\0" * 128 + b"DICM" + b"\x02\x00\x00\x00UL" + struct.pack("<HI", 4, len(meta)) + meta
    rows = b"\x28\x00\x10\x00US" + struct.pack("<HH", 2, 2) + b"\x28\x00\x11\x00US" + struct.pack("<HH", 2, 2)
    pixels = b"\xe0\x7f\x10\x00OW\0\0" + struct.pack("<I", 8) + b"\1\0\2\0\3\0\4\0"
    return head + rows + pixels

for name, data in {"png": {"grey1x1": png(1, 1), "rgb3x2": png(3, 2, 2), "grey16": png(2, 2, 0, 16)},
                   "metaimage": {"float3d": b"ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n" + b"\0" * 32,
                                 "uchar2d": b"NDims = 2\nDimSize = 4 3\nElementNumberOfChannels = 1\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n" + b"\0" * 12},
                   "dicom": {"explicit": dicom(), "implicit": dicom(b"1.2.840.10008.1.2\0")}}.items():
    folder = here / name
    folder.mkdir(parents=True, exist_ok=True)
    for seed, payload in data.items():
        (folder / seed).write_bytes(payload)

# NIfTI and NRRD headers (fuzz_nifti, fuzz_nrrd), BART's .hdr (fuzz_cfl_header), the logit file
# (fuzz_logit_header) and the workbench's conversation JSON (fuzz_conversation).
def nifti1(dims=(3, 2, 2, 2), datatype=16, bitpix=32):
    h = bytearray(352)
    struct.pack_into("<i", h, 0, 348)
    struct.pack_into("<8h", h, 40, *(list(dims) + [1] * (8 - len(dims))))
    struct.pack_into("<hh", h, 70, datatype, bitpix)
    struct.pack_into("<8f", h, 76, *([1.0] * 8))
    struct.pack_into("<f", h, 108, 352.0)
    h[344:348] = b"n+1\0"
    n = 1
    for d in dims[1:1 + dims[0]]:
        n *= d
    return bytes(h) + b"\0" * (n * bitpix // 8)

def nifti2(dims=(2, 3, 2)):
    h = bytearray(544)
    struct.pack_into("<i", h, 0, 540)
    h[4:12] = b"n+2\0\r\n\x1a\n"
    struct.pack_into("<hh", h, 12, 4, 16)
    struct.pack_into("<8q", h, 16, *(list(dims) + [1] * (8 - len(dims))))
    struct.pack_into("<q", h, 168, 544)
    return bytes(h) + b"\0" * (dims[1] * dims[2] * 2)

def logit_file(vocab=3, ctx=2, windows=2):
    body = b""
    for _ in range(windows):
        body += struct.pack(f"<{ctx}i", *range(ctx)) + b"\0\0" * (vocab * (ctx - 1))
    return b"QSLOGP01" + struct.pack("<IIQ", vocab, ctx, windows) + body

conversation = {"format": "quantiscope-conversation", "version": 1, "ab_mode": True,
                "model": {"path": "m.gguf", "sha256": ""},
                "cache": [{"k_type": "f16", "v_type": "f16", "kv_options": ""}, {"k_type": "q4_0", "v_type": "q4_0", "kv_options": ""}],
                "sampling": {"preset": "greedy", "temperature": 0, "top_k": 1, "top_p": 1, "max_tokens": 16, "seed": "1", "template": "", "system": ""},
                "lanes": [[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello", "stats": "3 tok"}], []]}

for name, data in {"nifti": {"float3d": nifti1(), "uint8": nifti1((2, 3, 2), 2, 8), "nifti2": nifti2()},
                   "nrrd": {"float3d": b"NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nencoding: raw\nendian: little\n\n" + b"\0" * 32,
                            "detached": b"NRRD0005\n# a comment\ntype: short\ndimension: 2\nsizes: 4 4\nencoding: gzip\ndata file: x.raw.gz\n"},
                   "cfl_header": {"2d": b"# Dimensions\n4 3 1 1 1\n", "bart16": b"# Dimensions\n8 8 1 4 1 1 1 1 1 1 1 1 1 2 1 1\n"},
                   "logit_header": {"two_windows": logit_file()},
                   "conversation": {"ab": json.dumps(conversation).encode()}}.items():
    folder = here / name
    folder.mkdir(parents=True, exist_ok=True)
    for seed, payload in data.items():
        (folder / seed).write_bytes(payload)
