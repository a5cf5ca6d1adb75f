#!/usr/bin/python3
"""Build tapegrad's default word2vec corpus from English text shipped in Debian.

Standard library only. Run through scripts/build_corpus.sh, which installs the
packages first. Output: one sentence per line, lowercase a-z tokens separated by
single spaces, '\n' line ends. The output bytes depend only on the package
contents: sources are read in a fixed order, nothing is shuffled.

Sources, in output order (see docs/eval-sets.md for the corpus section):
  kjv       King James Bible, `bible -f Gen1:1-Rev22:21` (bible-kjv)
  web       World English Bible, `mod2imp engWEB2015eb` (sword-text-web), OSIS
            markup removed, footnotes dropped
  mhcc      Matthew Henry Concise Commentary (sword-comm-mhcc)
  scofield  Scofield Reference Notes (sword-comm-scofield)
  tdavid    Spurgeon's Treasury of David (sword-comm-tdavid)
  austen    Jane Austen's six novels (r-cran-janeaustenr, via Rscript)
  gcide     Webster's 1913 dictionary definitions (dict-gcide)
"""
import argparse
import collections
import hashlib
import os
import re
import subprocess
import sys
import unicodedata

SOURCES = ["kjv", "web", "mhcc", "scofield", "tdavid", "austen", "gcide"]

# --------------------------------------------------------------------------
# Normalisation: sentence splitting on the original text, then letters only.

# Words whose trailing period does not end a sentence. Single capitals
# (initials, "W. Smith") are handled by the regex below.
ABBREVIATIONS = {
    "mr", "mrs", "messrs", "dr", "st", "ch", "chap", "ver", "vs", "viz", "cf",
    "ibid", "comp", "fig", "heb", "gr", "lat", "no", "vol", "ed", "rev", "esq",
    "col", "capt", "gen", "sq", "prof", "e.g", "i.e", "q.v", "etc",
}
SENTENCE_END = re.compile(r"([.!?]+[\"'”’)\]]*)\s+")
SPECIAL_LETTERS = str.maketrans({
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ø": "o", "Ø": "o",
    "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "đ": "d",
    "’": "'", "‘": "'", "ʼ": "'", "`": "'",
})
POSSESSIVE = re.compile(r"'s\b")
INNER_APOSTROPHE = re.compile(r"(?<=[a-z])'(?=[a-z])")
NON_LETTERS = re.compile(r"[^a-z]+")
# Grammar labels left over from dictionary headers ("n.", "v. t.", "a.").
POS_TOKENS = {"n", "v", "t", "i", "a", "adv", "pl", "p", "pr", "imp", "vb",
              "prep", "conj", "interj", "pron", "obs", "r", "sing", "adj"}


def split_sentences(text):
    """Split running text at . ! ? followed by space, except after abbreviations."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        before = text[start:m.start()]
        last = before.rsplit(None, 1)[-1] if before.strip() else ""
        word = last.lstrip("(\"'“‘").lower()
        if m.group(1).startswith(".") and len(m.group(1)) == 1:
            if word in ABBREVIATIONS or re.fullmatch(r"[A-Za-z]", word.rstrip(".")):
                continue
        out.append(text[start:m.end()])
        start = m.end()
    out.append(text[start:])
    return out


def normalise(sentence):
    """Lowercase letters-only tokens; accents folded to their base letter."""
    s = sentence.translate(SPECIAL_LETTERS)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = POSSESSIVE.sub("", s)
    s = INNER_APOSTROPHE.sub("", s)
    # Anything not a-z (digits, Greek, Hebrew, punctuation, hyphens) separates.
    return NON_LETTERS.sub(" ", s).split()


def emit(paragraphs):
    """Yield normalised sentences of >= 2 tokens (a lone token has no context)."""
    for para in paragraphs:
        para = " ".join(para.split())
        for sent in split_sentences(para):
            toks = normalise(sent)
            if len(toks) < 2 or all(t in POS_TOKENS for t in toks):
                continue
            yield " ".join(toks)


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode("utf-8")


# --------------------------------------------------------------------------
# Sources.

def kjv():
    ref = re.compile(r"^\S+\d+:\d+ ")
    for line in run(["bible", "-f", "Gen1:1-Rev22:21"]).splitlines():
        yield ref.sub("", line)


def imp_entries(module, strip):
    """(key, text) pairs of a SWORD module in mod2imp's order."""
    cmd = ["mod2imp", module] + (["-s"] if strip else [])
    key, buf = None, []
    for line in run(cmd).splitlines():
        if line.startswith("$$$"):
            if key is not None:
                yield key, "\n".join(buf)
            key, buf = line[3:].strip(), []
        else:
            buf.append(line)
    if key is not None:
        yield key, "\n".join(buf)


VERSE_KEY = re.compile(r"^.+ \d+:[1-9]\d*$")
NOTE = re.compile(r"<note\b.*?</note>", re.S)
WORD_TAG = re.compile(r"</?w\b[^>]*>")
TAG = re.compile(r"<[^>]*>")


def web():
    """World English Bible verses from the raw OSIS (mod2imp -s glues words
    around removed footnotes: "God<note>..</note>created" -> "Godcreated")."""
    for key, text in imp_entries("engWEB2015eb", strip=False):
        if not VERSE_KEY.match(key):
            continue  # module/book/chapter introductions
        text = NOTE.sub(" ", text)
        text = WORD_TAG.sub("", text)
        yield TAG.sub(" ", text)


# Commentary furniture: "* Verses 3-5 *" headings, "* * ", scripture refs.
VERSE_HEADING = re.compile(r"\*?\s*Verses?\s+[\d\-,: ]+\.?\s*\*?")
SCRIPTURE_REF = re.compile(r"\b\d?\s?[A-Z][a-z]{1,12}\.? \d+:\d+(?:[-,]\d+)*")
REF_ONLY = re.compile(r"\b\d+:\d+(?:[-,]\d+)*")


def commentary(module):
    """Paragraphs of a commentary, each kept once: modules repeat one entry
    under every verse key it covers, and some entries repeat paragraphs."""
    seen = set()
    for _key, text in imp_entries(module, strip=True):
        for para in re.split(r"\s{3,}|\n", text):
            para = para.strip()
            if len(para.split()) < 3:
                continue
            digest = hashlib.sha1(para.encode("utf-8")).digest()
            if digest in seen:
                continue
            seen.add(digest)
            para = VERSE_HEADING.sub(" ", para)
            para = SCRIPTURE_REF.sub(" ", para)
            para = REF_ONLY.sub(" ", para)
            yield para.replace("*", " ")


AUSTEN_R = r"""
library(janeaustenr)
b <- austen_books()
for (book in levels(b$book)) {
  writeLines(enc2utf8(as.character(b$text[b$book == book])), useBytes = TRUE)
  writeLines("")
}
"""
AUSTEN_HEADING = re.compile(r"^\s*(?:VOLUME|CHAPTER|Chapter)\s+[IVXLC\d]+\.?\s*$|^\s*THE END\s*$")


def austen():
    """Novels in janeaustenr's book order; wrapped lines joined into paragraphs."""
    para = []
    for line in run(["Rscript", "--vanilla", "-e", AUSTEN_R]).splitlines():
        if not line.strip() or AUSTEN_HEADING.match(line):
            if para:
                yield " ".join(para)
            para = []
        else:
            para.append(line.strip())
    if para:
        yield " ".join(para)


DICTD_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# GCIDE accent codes: [a^] [=a] [.a] ['e] [ae] [oe] ... -> the bare letters.
ACCENT = re.compile(r"\[([\^=.'\"~`,:\-]?)([a-z]{1,2})([\^=.'\"~`,:\-]?)\]")
DOMAIN_LABEL = re.compile(r"\((?:[A-Z][A-Za-z]*\.\s*)+\)")
CITATION = re.compile(r"--\s*[A-Z][^\n\"]*$", re.M)


def dictd_number(s):
    v = 0
    for c in s:
        v = v * 64 + DICTD_B64.index(c)
    return v


def drop_brackets(text):
    """Remove [...] spans, nested or multi-line (etymologies, source tags)."""
    out, depth = [], 0
    for c in text:
        if c == "[":
            depth += 1
        elif c == "]":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(c)
    return "".join(out)


def gcide_entries():
    import gzip
    index = "/usr/share/dictd/gcide.index"
    data = gzip.open("/usr/share/dictd/gcide.dict.dz").read()
    spans = set()
    with open(index, encoding="utf-8") as f:
        for line in f:
            word, off, length = line.rstrip("\n").split("\t")
            if word.startswith("00-database") or word.startswith("00database"):
                continue
            spans.add((dictd_number(off), dictd_number(length)))
    for off, length in sorted(spans):
        yield data[off:off + length].decode("utf-8", errors="replace")


def gcide():
    """Definitions and quotations; headword lines, pronunciations,
    etymologies, source tags, domain labels and author citations removed."""
    for entry in gcide_entries():
        entry = ACCENT.sub(lambda m: m.group(2) if (m.group(1) or m.group(3) or m.group(2) in ("ae", "oe")) else m.group(0), entry)
        entry = drop_brackets(entry)
        lines = entry.split("\n")[1:]  # the headword line
        body = "\n".join(lines)
        body = CITATION.sub(" ", body)
        body = DOMAIN_LABEL.sub(" ", body)
        body = body.replace("{", " ").replace("}", " ")
        # Senses are blank-line separated paragraphs; "Syn." lists stay as text.
        for para in re.split(r"\n\s*\n", body):
            yield para


def source_paragraphs(name):
    if name == "kjv":
        return kjv()
    if name == "web":
        return web()
    if name in ("mhcc", "scofield", "tdavid"):
        return commentary({"mhcc": "MHCC", "scofield": "Scofield", "tdavid": "TDavid"}[name])
    if name == "austen":
        return austen()
    if name == "gcide":
        return gcide()
    raise ValueError(name)


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--output", default="data/corpus.txt")
    ap.add_argument("--small", action="store_true",
                    help="tiny CI corpus: the first --small-tokens tokens of each source")
    ap.add_argument("--small-tokens", type=int, default=700)
    ap.add_argument("--counts", help="also write 'word count' lines, most frequent first")
    args = ap.parse_args()

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    tmp = args.output + ".tmp"
    counts = collections.Counter()
    per_source = []
    sha = hashlib.sha256()
    lines = 0
    with open(tmp, "w", encoding="ascii", newline="\n") as out:
        for name in SOURCES:
            n_tok = n_lines = 0
            for sent in emit(source_paragraphs(name)):
                if args.small and n_tok >= args.small_tokens:
                    break
                toks = sent.split()
                counts.update(toks)
                n_tok += len(toks)
                n_lines += 1
                data = sent + "\n"
                out.write(data)
                sha.update(data.encode("ascii"))
            per_source.append((name, n_lines, n_tok))
            lines += n_lines
    os.replace(tmp, args.output)
    if args.counts:
        with open(args.counts, "w", encoding="ascii", newline="\n") as f:
            for w, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
                f.write(f"{w} {c}\n")

    tokens = sum(counts.values())
    print(f"corpus: {args.output}")
    for name, n_lines, n_tok in per_source:
        print(f"  {name:9s} {n_lines:9d} lines {n_tok:10d} tokens")
    print(f"lines: {lines}  tokens: {tokens}  vocabulary: {len(counts)}  "
          f"vocabulary(min-count 5): {sum(1 for c in counts.values() if c >= 5)}")
    print(f"sha256: {sha.hexdigest()}")


if __name__ == "__main__":
    sys.exit(main())
