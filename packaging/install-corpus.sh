#!/usr/bin/env bash
# Installs the Debian packages whose English text makes the reference LLM's training corpus
# (tools/corpus/build_corpus.py reads them) and SentencePiece's trainer. Not part of `make test`:
# about 150 MB of downloads that CI does not need.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
  sentencepiece linux-doc-6.1 python3.11-doc debian-handbook perl-doc fortunes fortunes-min dict-gcide dict-wn
