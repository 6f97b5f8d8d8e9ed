#!/usr/bin/python3
"""Writes presplit_vectors.json: the pre-tokenizer splits of llama.cpp's tokenizer test strings
under the GPT-2, Llama-3 and Qwen2 regexes, computed with the `regex` module (Debian's
python3-regex), the reference our hand-written splitters in core/llm/tokenizer/unicode.cpp are
checked against. Run once; the JSON is committed.
    /usr/bin/python3 tests/core/llm/tokenizer/make_presplit_vectors.py ../shared/data/llm/vocab/ggml-vocab-gpt-2.gguf.inp
"""
import json
import sys
from pathlib import Path

import regex

PATTERNS = {
    "gpt2": r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "llama3": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    "qwen2": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}

texts = Path(sys.argv[1]).read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")[:-1]
cases = [{"text": t, **{name: regex.findall(p, t) for name, p in PATTERNS.items()}} for t in texts]
out = Path(__file__).with_name("presplit_vectors.json")
out.write_text(json.dumps({"regex_module": regex.__version__, "cases": cases}, ensure_ascii=False, indent=1), encoding="utf-8")
print(f"{len(cases)} cases -> {out}")
