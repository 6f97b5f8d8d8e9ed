#!/usr/bin/env python3
"""Builds the reference LLM's training corpus from English text that Debian packages install
(packaging/install-corpus.sh puts them there): cleans each source's markup, keeps prose
paragraphs, removes exact duplicates across sources, down-weights the dictionaries, refuses any
paragraph that also occurs in the evaluation and calibration texts, and writes a fixed held-out
split chosen by a hash of each document (the same split on every machine and every run).

    tools/corpus/build_corpus.py OUT_DIR [--data QUANTISCOPE_DATA] [--heldout-percent 2]

OUT_DIR gets train.txt, heldout.txt (paragraphs separated by blank lines; held out by blocks of 64 paragraphs), stats.json (per
source: documents, paragraphs kept, duplicates and eval overlaps removed, bytes) and
train.txt.xz / heldout.txt.xz (what a GPU call carries). Exits 3 when a source folder is missing
or empty, 4 when a source file is binary or undecodable.
"""
import argparse
import gzip
import hashlib
import html.parser
import json
import lzma
import os
import re
import sys
import unicodedata
from pathlib import Path

SOURCES = {
    # name: (root, file pattern, reader, weight in [0, 1])
    "linux-doc": ("/usr/share/doc/linux-doc-6.1/Documentation", "**/*.rst.gz", "rst_gz", 1.0),
    "python-doc": ("/usr/share/doc/python3.11/html/_sources", "**/*.rst.txt", "rst", 1.0),
    "debian-handbook": ("/usr/share/doc/debian-handbook/html/en-US", "*.html", "html", 1.0),
    "perl-pod": ("/usr/share/perl/5.36.0", "**/*.pod", "pod", 1.0),
    "fortunes": ("/usr/share/games/fortunes", "*", "fortune", 1.0),
    "gcide": ("/usr/share/dictd", "gcide.dict.dz", "dict", 0.25),
    "wordnet": ("/usr/share/dictd", "wn.dict.dz", "dict", 0.25),
}
EVAL_TEXTS = ["eval/wikitext-2/wiki.test.raw", "eval/tinystories/TinyStories-valid.head.txt", "eval/gsm8k/test.jsonl"]


class Refusal(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def decode(raw, path):
    if b"\0" in raw[:4096]:
        raise Refusal(4, f"'{path}' is binary (NUL bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("latin-1")
        except UnicodeDecodeError as e:
            raise Refusal(4, f"'{path}' is not text: {e}")


RST_ROLE = re.compile(r":[a-zA-Z:]+:`([^`<]*)(?:<[^>]*>)?`")
RST_LITERAL = re.compile(r"``([^`]*)``")
RST_LINK = re.compile(r"`([^`<]+?)\s*(?:<[^>]*>)?`_+")


def clean_rst(text):
    out, skip_block = [], False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(".. "):  # directives, comments, targets: and their indented bodies
            skip_block = True
            continue
        if skip_block and (not s or line[:1].isspace()):
            if not s:
                skip_block = False
            continue
        skip_block = False
        if line[:1].isspace() and s:  # indented: literal blocks, mostly code
            continue
        if s.startswith("|"):  # grid and line tables
            continue
        if s and len(set(s)) <= 2 and not any(c.isalnum() for c in s):  # section underlines, tables
            continue
        s = RST_ROLE.sub(r"\1", s)
        s = RST_LITERAL.sub(r"\1", s)
        s = RST_LINK.sub(r"\1", s)
        s = s.replace("**", "").replace("::", ":")
        out.append(s)
    return "\n".join(out)


class HtmlText(html.parser.HTMLParser):
    BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "tr", "br", "section", "td"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "pre", "code", "nav"):
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code", "nav") and self.skip:
            self.skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def clean_html(text):
    p = HtmlText()
    p.feed(text)
    return "".join(p.parts)


POD_CODE = re.compile(r"[A-Z]<+\s*([^<>]*?)\s*>+")


def clean_pod(text):
    out, verbatim = [], False
    for line in text.splitlines():
        if line.startswith("="):
            head = line.split(None, 1)
            out.append("" if len(head) < 2 or head[0] in ("=cut", "=pod", "=over", "=back", "=begin", "=end", "=for") else head[1])
            out.append("")
            continue
        if line[:1].isspace() and line.strip():  # verbatim paragraphs: code
            continue
        for _ in range(3):  # nested formatting codes
            line = POD_CODE.sub(r"\1", line)
        out.append(line)
    return "\n".join(out)


def clean_fortune(text):
    return "\n\n".join(part.strip() for part in text.split("\n%\n"))


def clean_dict(text):
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n(?=\S)", "\n\n", text)  # one entry per paragraph


def documents(name, root, pattern, reader):
    base = Path(root)
    if not base.is_dir():
        raise Refusal(3, f"source '{name}': the folder '{root}' does not exist (run packaging/install-corpus.sh)")
    files = sorted(p for p in base.glob(pattern) if p.is_file() and not p.name.endswith((".dat", ".u8", ".index")))
    if reader == "fortune":
        files = [p for p in files if "off" not in p.parts]
    if not files:
        raise Refusal(3, f"source '{name}': no '{pattern}' files under '{root}'")
    for path in files:
        raw = path.read_bytes()
        if reader in ("rst_gz", "dict"):
            raw = gzip.decompress(raw)  # dictzip is gzip
        text = decode(raw, path)
        if reader in ("rst", "rst_gz"):
            text = clean_rst(text)
        elif reader == "html":
            text = clean_html(text)
        elif reader == "pod":
            text = clean_pod(text)
        elif reader == "fortune":
            text = clean_fortune(text)
        else:
            text = clean_dict(text)
        yield str(path.relative_to(base)), text


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def paragraphs(text):
    text = unicodedata.normalize("NFC", CONTROL.sub("", text))
    for para in re.split(r"\n\s*\n", text):
        p = " ".join(para.split())
        if len(p) < 40:
            continue
        letters = sum(c.isalpha() or c.isspace() for c in p)
        if letters < 0.8 * len(p):  # code, tables, symbol runs
            continue
        yield p


def key(p):
    return hashlib.sha1(" ".join(p.lower().split()).encode()).digest()


def fraction(tag):
    return int.from_bytes(hashlib.sha1(tag.encode()).digest()[:4], "big") / 2**32


def eval_keys(data_dir):
    keys, read = set(), []
    for rel in EVAL_TEXTS:
        path = Path(data_dir) / rel
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".jsonl":
            text = "\n\n".join(" ".join(str(v) for v in json.loads(l).values()) for l in text.splitlines() if l.strip())
        for p in re.split(r"\n\s*\n|\n", text):
            p = " ".join(p.split())
            if len(p) >= 40:
                keys.add(key(p))
        read.append(rel)
    return keys, read


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--data", default=os.environ.get("QUANTISCOPE_DATA", str(Path(__file__).resolve().parents[2] / "../shared/data")))
    ap.add_argument("--heldout-percent", type=float, default=2.0)
    ap.add_argument("--force", action="store_true", help="replace an existing corpus")
    a = ap.parse_args()
    out = Path(a.out)
    if (out / "train.txt").exists() and not a.force:
        raise Refusal(2, f"'{out / 'train.txt'}' exists: pass --force to replace it")
    forbidden, eval_read = eval_keys(a.data)
    seen, stats = set(), {}
    train, held = [], []
    for name, (root, pattern, reader, weight) in SOURCES.items():
        s = stats[name] = {"documents": 0, "paragraphs": 0, "duplicates": 0, "eval_overlaps": 0, "down_weighted": 0, "bytes": 0}
        for doc, text in documents(name, root, pattern, reader):
            s["documents"] += 1
            for i, p in enumerate(paragraphs(text)):
                # Held out by blocks of 64 paragraphs (whole documents for most sources; the
                # single-file dictionaries split too).
                dest = held if fraction(f"{name}/{doc}/{i // 64}") < a.heldout_percent / 100 else train
                k = key(p)
                if k in forbidden:
                    s["eval_overlaps"] += 1
                    continue
                if k in seen:
                    s["duplicates"] += 1
                    continue
                seen.add(k)
                if weight < 1 and fraction(f"{name}/{doc}/{i}") >= weight:
                    s["down_weighted"] += 1
                    continue
                dest.append(p)
                s["paragraphs"] += 1
                s["bytes"] += len(p.encode()) + 2
    out.mkdir(parents=True, exist_ok=True)
    for fname, paras in (("train.txt", train), ("heldout.txt", held)):
        body = "\n\n".join(paras) + "\n"
        tmp = out / ("." + fname + ".part")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, out / fname)
        with lzma.open(out / (fname + ".xz.part"), "wb", preset=9) as f:
            f.write(body.encode())
        os.replace(out / (fname + ".xz.part"), out / (fname + ".xz"))
    summary = {"sources": stats, "train_bytes": (out / "train.txt").stat().st_size, "heldout_bytes": (out / "heldout.txt").stat().st_size,
               "train_paragraphs": len(train), "heldout_paragraphs": len(held), "heldout_percent": a.heldout_percent,
               "eval_texts_checked": eval_read, "train_xz_bytes": (out / "train.txt.xz").stat().st_size}
    (out / "stats.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    try:
        main()
    except Refusal as r:
        print(f"error: {r}", file=sys.stderr)
        sys.exit(r.code)
