#!/usr/bin/env python3
"""The peer check of an exported model: Hugging Face transformers' LlamaForCausalLM loads the
folder and scores the same windows that `quantiscope ppl --save-logits` scored; prints the
largest difference of the log-probabilities and the share of positions whose argmax agrees.

    tools/gpu/hf_crosscheck.py HF_FOLDER OURS.logits [--windows N] [--device cuda]

The logit file (core/llm/eval/logit_header.h): "QSLOGP01", u32 vocab, u32 ctx, u64 windows, then
per window ctx x i32 tokens and (ctx - 1) x vocab f16 log-probabilities (so differences below
the f16 spacing of the values, about 4e-3 at -10, are storage, not disagreement).
"""
import argparse
import struct
import sys

import numpy as np
import torch
from transformers import LlamaForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("logits")
    ap.add_argument("--windows", type=int, default=4)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    raw = open(a.logits, "rb").read()
    if raw[:8] != b"QSLOGP01":
        sys.exit(f"error: '{a.logits}' is not a Quantiscope logit file")
    vocab, ctx, n = struct.unpack_from("<IIQ", raw, 8)
    per = ctx * 4 + (ctx - 1) * vocab * 2
    model = LlamaForCausalLM.from_pretrained(a.folder, torch_dtype=torch.float32).to(a.device).eval()
    worst, agree, total = 0.0, 0, 0
    for w in range(min(n, a.windows)):
        base = 24 + w * per
        tokens = np.frombuffer(raw, dtype="<i4", count=ctx, offset=base).astype(np.int64)
        ours = np.frombuffer(raw, dtype="<f2", count=(ctx - 1) * vocab, offset=base + ctx * 4).astype(np.float32).reshape(ctx - 1, vocab)
        with torch.no_grad():
            logits = model(torch.from_numpy(tokens).view(1, -1).to(a.device)).logits[0, :-1].float()
        theirs = torch.log_softmax(logits, -1).cpu().numpy()
        worst = max(worst, float(np.abs(theirs - ours).max()))
        agree += int((theirs.argmax(-1) == ours.argmax(-1)).sum())
        total += ctx - 1
    print(f"windows {min(n, a.windows)} of {ctx} tokens, vocab {vocab}: max |log p (transformers) - log p (quantiscope)| = {worst:.3g}; argmax agrees at {agree}/{total} positions")


if __name__ == "__main__":
    main()
