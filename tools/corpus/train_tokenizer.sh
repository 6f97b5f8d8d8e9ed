#!/usr/bin/env bash
# The reference LLM's tokenizer: a SentencePiece BPE model trained on the corpus's train split
# with Debian's spm_train (its own process: its protobuf never meets LibTorch's), Llama's
# conventions (unk 0, bos 1, eos 2, no pad, a dummy prefix, byte fallback, digits split).
#   tools/corpus/train_tokenizer.sh CORPUS_DIR [VOCAB]   -> CORPUS_DIR/tokenizer.model, .vocab, .log
set -euo pipefail
dir=${1:?usage: train_tokenizer.sh CORPUS_DIR [VOCAB]}
vocab=${2:-8192}
command -v spm_train > /dev/null || { echo "error: spm_train not found (packaging/install-corpus.sh installs sentencepiece)" >&2; exit 3; }
[ -s "$dir/train.txt" ] || { echo "error: '$dir/train.txt' is missing or empty (run tools/corpus/build_corpus.py first)" >&2; exit 3; }
spm_train --input="$dir/train.txt" --model_prefix="$dir/tokenizer" --model_type=bpe --vocab_size="$vocab" \
  --character_coverage=0.9995 --byte_fallback=true --split_digits=true --allow_whitespace_only_pieces=true \
  --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 --normalization_rule_name=identity --remove_extra_whitespaces=false \
  --input_sentence_size=400000 --shuffle_input_sentence=true --seed_sentencepiece_size=1000000 \
  --random_seed=1234 --num_threads="$(nproc)" > "$dir/tokenizer.log" 2>&1 || { tail -n 20 "$dir/tokenizer.log" >&2; exit 1; }
echo "wrote $dir/tokenizer.model ($(stat -c %s "$dir/tokenizer.model") bytes, vocab $vocab); log $dir/tokenizer.log"
