#!/usr/bin/python3
"""Build word-embedding evaluation sets from WordNet 3.0 and corpus counts.

Standard library only; reads WordNet's database files (data.*, index.*, *.exc)
directly. Deterministic: every random choice comes from random.Random(seed) and
every iteration order is sorted. docs/eval-sets.md describes each set exactly.

Outputs (in --out-dir):
  synonyms.txt    word1 word2 label   (1 = WordNet synonyms, 0 = random, frequency-matched)
  similarity.txt  word1 word2 score   (Wu-Palmer similarity of noun pairs, 4 decimals)
  analogies.txt   questions-words.txt format (": section", then "a b c d")
"""
import argparse
import collections
import os
import random
import re
import sys

WORDNET = "/usr/share/wordnet"
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
WORD = re.compile(r"^[a-z]+$")
MAX_SENSE_RANK = 3  # synonym pairs and similarities use each word's 3 commonest senses


# --------------------------------------------------------------------------
# WordNet reader.

class Synset:
    __slots__ = ("pos", "offset", "words", "ptrs")

    def __init__(self, pos, offset, words, ptrs):
        self.pos, self.offset, self.words, self.ptrs = pos, offset, words, ptrs


class WordNet:
    def __init__(self, root):
        self.synsets = {}   # (pos, offset) -> Synset; pos 's' folded into 'a'
        self.senses = {}    # (lemma, pos) -> [synset keys], commonest first
        self.tagged = {}    # (lemma, pos) -> tagged sense count (corpus frequency proxy)
        self.exc = {}       # pos -> {inflected: [bases]}
        for pos, name in POS_FILES.items():
            with open(os.path.join(root, "data." + name), encoding="latin-1") as f:
                for line in f:
                    if line.startswith("  "):
                        continue  # licence header
                    self._parse_data(line)
            with open(os.path.join(root, "index." + name), encoding="latin-1") as f:
                for line in f:
                    if line.startswith("  "):
                        continue
                    parts = line.split()
                    lemma, p, n_syn, n_ptr = parts[0], parts[1], int(parts[2]), int(parts[3])
                    tagsense = int(parts[5 + n_ptr])
                    offsets = parts[6 + n_ptr:6 + n_ptr + n_syn]
                    self.senses[(lemma, p)] = [(p, int(o)) for o in offsets]
                    self.tagged[(lemma, p)] = tagsense
            exc = collections.defaultdict(list)
            with open(os.path.join(root, name + ".exc"), encoding="latin-1") as f:
                for line in f:
                    parts = line.split()
                    exc[parts[0]].extend(parts[1:])
            self.exc[pos] = exc

    def _parse_data(self, line):
        head = line.split(" | ", 1)[0].split()
        offset, ss_type = int(head[0]), head[2]
        pos = "a" if ss_type == "s" else ss_type
        n_words = int(head[3], 16)
        words = []
        for i in range(n_words):
            w = head[4 + 2 * i].lower()
            words.append(re.sub(r"\(.*\)$", "", w))  # adjective markers: galore(ip)
        k = 4 + 2 * n_words
        n_ptr = int(head[k])
        ptrs = []
        for i in range(n_ptr):
            sym, off, p, st = head[k + 1 + 4 * i:k + 5 + 4 * i]
            ptrs.append((sym, ("a" if p == "s" else p, int(off)), int(st[:2], 16), int(st[2:], 16)))
        self.synsets[(pos, offset)] = Synset(pos, offset, words, ptrs)

    def is_lemma(self, word, pos=None):
        return any((word, p) in self.senses for p in ([pos] if pos else POS_FILES))

    def dominant_pos(self, word):
        """The part of speech with the most tagged senses (ties: n, v, a, r)."""
        best, score = None, -1
        for p in POS_FILES:
            if (word, p) in self.senses and self.tagged[(word, p)] > score:
                best, score = p, self.tagged[(word, p)]
        return best

    def top_senses(self, word, pos, k=MAX_SENSE_RANK):
        return self.senses.get((word, pos), [])[:k]


# --------------------------------------------------------------------------
# (a) synonyms vs frequency-matched random pairs.

def synonym_pairs(wn, vocab, n_pairs, rng):
    pairs = set()
    for (pos, off), ss in sorted(wn.synsets.items()):
        words = sorted({w for w in ss.words if w in vocab})
        for i, u in enumerate(words):
            if (pos, off) not in wn.top_senses(u, pos):
                continue
            for v in words[i + 1:]:
                if (pos, off) in wn.top_senses(v, pos):
                    pairs.add((u, v))
    pairs = sorted(pairs)
    if len(pairs) > n_pairs:
        pairs = sorted(rng.sample(pairs, n_pairs))

    # Any-sense synonyms of each word, so that a random pair is never a synonym.
    syn = collections.defaultdict(set)
    for ss in wn.synsets.values():
        for u in ss.words:
            syn[u].update(ss.words)
    by_freq = sorted((w for w in vocab if wn.is_lemma(w)), key=lambda w: (-vocab[w], w))
    rank = {w: i for i, w in enumerate(by_freq)}
    out = []
    for u, v in pairs:
        # The negative replaces v by a WordNet word of about v's frequency rank.
        lo, hi = max(0, rank[v] - 50), min(len(by_freq), rank[v] + 51)
        for _ in range(1000):
            w = by_freq[rng.randrange(lo, hi)]
            if w not in (u, v) and w not in syn[u]:
                break
        out.append((u, v, 1))
        out.append((u, w, 0))
    return out


# --------------------------------------------------------------------------
# (b) Wu-Palmer similarity of noun pairs.

class Taxonomy:
    """Noun hypernym graph (hypernyms and instance hypernyms)."""

    def __init__(self, wn):
        self.wn = wn
        self.up = {k: [t for sym, t, _, _ in ss.ptrs if sym in ("@", "@i")]
                   for k, ss in wn.synsets.items() if k[0] == "n"}
        self.down = collections.defaultdict(list)
        for k, hs in sorted(self.up.items()):
            for h in hs:
                self.down[h].append(k)
        self._depth = {}
        self._anc = {}

    def depth(self, s):
        """1 + the longest hypernym path to the root (entity has depth 1)."""
        stack = [s]
        while stack:
            t = stack[-1]
            if t in self._depth:
                stack.pop()
                continue
            todo = [h for h in self.up[t] if h not in self._depth]
            if todo:
                stack.extend(todo)
            else:
                self._depth[t] = 1 + max((self._depth[h] for h in self.up[t]), default=0)
                stack.pop()
        return self._depth[s]

    def ancestors(self, s):
        """{ancestor (including s): fewest hypernym links from s}."""
        if s not in self._anc:
            dist, frontier = {s: 0}, [s]
            while frontier:
                nxt = []
                for t in frontier:
                    for h in self.up[t]:
                        if h not in dist:
                            dist[h] = dist[t] + 1
                            nxt.append(h)
                frontier = nxt
            self._anc[s] = dist
        return self._anc[s]

    def wup(self, s1, s2):
        a1, a2 = self.ancestors(s1), self.ancestors(s2)
        best = 0.0
        for a in a1.keys() & a2.keys():
            d = self.depth(a)
            best = max(best, 2.0 * d / (a1[a] + a2[a] + 2.0 * d))
        return best

    def word_wup(self, u, v):
        return max((self.wup(s1, s2) for s1 in self.wn.top_senses(u, "n")
                    for s2 in self.wn.top_senses(v, "n")), default=0.0)


def similarity_pairs(wn, vocab, n_pairs, rng, n_bins=10):
    tax = Taxonomy(wn)
    nouns = sorted(w for w in vocab if wn.dominant_pos(w) == "n")
    noun_set = set(nouns)
    words_of = collections.defaultdict(list)  # synset -> eligible words having it as a top sense
    for w in nouns:
        for s in wn.top_senses(w, "n"):
            words_of[s].append(w)
    candidates = set()
    # Random pairs cover the low scores, graph walks (up k links, down j links
    # from the first sense) the high ones.
    for _ in range(20 * n_pairs):
        u, v = rng.choice(nouns), rng.choice(nouns)
        if u != v:
            candidates.add((min(u, v), max(u, v)))
    for _ in range(40 * n_pairs):
        u = rng.choice(nouns)
        s = wn.top_senses(u, "n")[0]
        for _ in range(rng.randint(1, 4)):
            if tax.up[s]:
                s = rng.choice(tax.up[s])
        for _ in range(rng.randint(0, 4)):
            if tax.down[s]:
                s = rng.choice(tax.down[s])
        vs = [v for v in words_of.get(s, []) if v != u and v in noun_set]
        if vs:
            v = rng.choice(vs)
            candidates.add((min(u, v), max(u, v)))
    bins = collections.defaultdict(list)
    for u, v in sorted(candidates):
        score = tax.word_wup(u, v)
        if score >= 1.0:
            continue  # shared synset: a synonym pair, set (a)'s business
        bins[min(int(score * n_bins), n_bins - 1)].append((u, v, score))
    out = []
    per_bin = n_pairs // n_bins
    for b in range(n_bins):
        items = bins[b]
        out.extend(items if len(items) <= per_bin else rng.sample(items, per_bin))
    return sorted(out)


# --------------------------------------------------------------------------
# (c) analogies.

def regular_forms(base, suffix):
    """Spelling candidates for base+suffix (s, ed, ing, er, est), most likely first."""
    vowels = "aeiou"
    c = []
    if suffix == "s":
        if re.search(r"(s|x|z|ch|sh)$", base):
            c.append(base + "es")
        elif re.search(r"[^aeiou]y$", base):
            c.append(base[:-1] + "ies")
        elif base.endswith("o"):
            c += [base + "es", base + "s"]
        else:
            c.append(base + "s")
        return c
    if re.search(r"[^aeiou]y$", base) and suffix != "ing":
        return [base[:-1] + "i" + suffix]
    if base.endswith("e"):
        if suffix == "ing":
            return [base + "ing"] if base.endswith(("ee", "ye", "oe")) else [base[:-1] + "ing"]
        return [base + suffix[1:]]
    if base.endswith("ie") and suffix == "ing":
        return [base[:-2] + "ying"]
    c.append(base + suffix)
    # consonant-vowel-consonant: stop -> stopped (and travel -> travelled)
    if len(base) >= 3 and base[-1] not in vowels + "wxy" and base[-2] in vowels and base[-3] not in vowels:
        c.insert(0, base + base[-1] + suffix)
    return c


def inflection_pairs(wn, vocab, pos, suffix, exc_filter, forms_vocab):
    """(base, form) for WordNet words whose dominant part of speech is pos.
    Irregular forms come from WordNet's .exc file (through exc_filter);
    otherwise the first regular spelling found among the corpus words
    (forms_vocab: all frequent corpus words, not only WordNet's)."""
    irregular = collections.defaultdict(list)
    for form, bases in wn.exc[pos].items():
        for b in bases:
            irregular[b].append(form)
    other_exc = {f for p, e in wn.exc.items() if p != pos for f in e}
    pairs = []
    for base in sorted(vocab):
        # The base must be mostly this part of speech in SemCor (tagged senses)
        # and not another word's inflection (heard -> "heardest", KJV's verb).
        if wn.dominant_pos(base) != pos or wn.tagged[(base, pos)] < 1 or base in other_exc:
            continue
        forms = exc_filter(base, sorted(irregular[base])) if base in irregular else None
        regular = forms is None
        if regular:
            forms = [f for f in regular_forms(base, suffix) if f in forms_vocab][:1]
        if len(forms) != 1 or forms[0] not in forms_vocab or forms[0] == base:
            continue
        form = forms[0]
        # A form that WordNet lists as a word of its own (news, glasses,
        # longer) or as another part of speech's inflection (has,
        # leaves) is not a clean inflection. Irregular comparatives (better)
        # and pasts are exempt: they are lemmas too, and unambiguous.
        strict = pos == "n" or suffix == "s" or (pos == "a" and regular)
        if strict and (wn.is_lemma(form) or form in other_exc):
            continue
        pairs.append((base, form))
    return pairs


def exc_plural(base, forms):
    return forms or None


def exc_past(base, forms):
    # verb.exc mixes pasts and participles: drop -ing and -n/-en participles.
    forms = [f for f in forms if not f.endswith("ing")]
    if not forms:
        return None
    if len(forms) > 1:
        forms = [f for f in forms if not f.endswith("n")]
    return forms


def exc_participle(base, forms):
    ing = [f for f in forms if f.endswith("ing")]
    return ing or None


def exc_third(base, forms):
    return None  # verb.exc has no -s forms worth using; rules cover them


def exc_comparative(base, forms):
    er = [f for f in forms if f.endswith("er")]
    return er or None


def exc_superlative(base, forms):
    est = [f for f in forms if f.endswith("est")]
    return est or None


def adverb_pairs(wn, vocab):
    """Adjective -> "-ly" adverb through WordNet's lexical pertainym pointers."""
    pairs = set()
    for (pos, _), ss in wn.synsets.items():
        if pos != "r":
            continue
        for sym, target, src, dst in ss.ptrs:
            if sym != "\\" or target[0] != "a" or src == 0:
                continue
            adv = ss.words[src - 1]
            adj = wn.synsets[target].words[dst - 1]
            if adv.endswith("ly") and adv in vocab and adj in vocab and WORD.match(adj):
                pairs.add((adj, adv))
    return sorted(pairs)


def opposite_pairs(wn, vocab):
    """Adjective -> its WordNet direct antonym when formed with a negative prefix
    (aware -> unaware), as in questions-words' gram2-opposite."""
    pairs = set()
    for (pos, _), ss in wn.synsets.items():
        if pos != "a":
            continue
        for sym, target, src, dst in ss.ptrs:
            if sym != "!" or src == 0:
                continue
            a, b = ss.words[src - 1], wn.synsets[target].words[dst - 1]
            if a in vocab and b in vocab and re.fullmatch(r"(un|in|im|il|ir|dis|non)" + re.escape(a), b):
                pairs.add((a, b))
    return sorted(pairs)


def nationality_pairs(wn, vocab):
    """Country -> adjective (egypt -> egyptian): adjectives whose pertainym
    points at an instance of a synset with lemma "country", "kingdom" or "nation"."""
    country_classes = {k for k, ss in wn.synsets.items() if k[0] == "n" and
                       set(ss.words) & {"country", "kingdom", "nation"}}
    tax = Taxonomy(wn)
    pairs = set()
    for (pos, _), ss in wn.synsets.items():
        if pos != "a":
            continue
        for sym, target, src, dst in ss.ptrs:
            if sym != "\\" or target[0] != "n" or src == 0:
                continue
            inst = [t for s2, t, _, _ in wn.synsets[target].ptrs if s2 == "@i"]
            if not any(set(tax.ancestors(t)) & country_classes for t in inst):
                continue
            adj, noun = ss.words[src - 1], wn.synsets[target].words[dst - 1]
            if adj in vocab and noun in vocab and adj != noun:
                pairs.add((noun, adj))
    return sorted(pairs)


def analogy_sections(wn, vocab, corpus_vocab, max_pairs, max_questions, rng):
    sections = [
        ("gram1-adjective-to-adverb", adverb_pairs(wn, vocab)),
        ("gram2-opposite", opposite_pairs(wn, vocab)),
        ("gram3-comparative", inflection_pairs(wn, vocab, "a", "er", exc_comparative, corpus_vocab)),
        ("gram4-superlative", inflection_pairs(wn, vocab, "a", "est", exc_superlative, corpus_vocab)),
        ("gram5-present-participle", inflection_pairs(wn, vocab, "v", "ing", exc_participle, corpus_vocab)),
        ("gram6-nationality-adjective", nationality_pairs(wn, vocab)),
        ("gram7-past-tense", inflection_pairs(wn, vocab, "v", "ed", exc_past, corpus_vocab)),
        ("gram8-plural", inflection_pairs(wn, vocab, "n", "s", exc_plural, corpus_vocab)),
        ("gram9-plural-verbs", inflection_pairs(wn, vocab, "v", "s", exc_third, corpus_vocab)),
    ]
    out = []
    for name, pairs in sections:
        # A word in two pairs (axis/ax -> axes) makes some questions ambiguous.
        uses = collections.Counter(w for p in pairs for w in p)
        pairs = [p for p in pairs if uses[p[0]] == 1 and uses[p[1]] == 1]
        # The most frequent pairs (by their rarer word): their vectors are the
        # best trained, as in the original questions-words pairs.
        pairs = sorted(pairs, key=lambda p: (-min(corpus_vocab[p[0]], corpus_vocab[p[1]]), p))[:max_pairs]
        if len(pairs) < 5:
            continue
        qs = [(a, b, c, d) for a, b in pairs for c, d in pairs if (a, b) != (c, d)]
        if len(qs) > max_questions:
            qs = rng.sample(qs, max_questions)
        out.append((name, sorted(qs)))
    return out


# --------------------------------------------------------------------------

def read_counts(path, min_count):
    vocab = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            w, c = line.split()
            if int(c) >= min_count and WORD.match(w):
                vocab[w] = int(c)
    return vocab


def counts_from_corpus(path):
    c = collections.Counter()
    with open(path, encoding="ascii") as f:
        for line in f:
            c.update(line.split())
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--counts", help="'word count' lines (scripts/build_corpus.sh writes data/vocab_counts.txt)")
    ap.add_argument("--corpus", help="count a corpus instead of reading --counts")
    ap.add_argument("--out-dir", default="data/eval")
    ap.add_argument("--prefix", default="", help="file name prefix, e.g. tiny_")
    ap.add_argument("--min-count", type=int, default=20)
    ap.add_argument("--synonym-pairs", type=int, default=2000)
    ap.add_argument("--similarity-pairs", type=int, default=1000)
    ap.add_argument("--analogy-pairs", type=int, default=40, help="word pairs per section")
    ap.add_argument("--analogy-questions", type=int, default=1000, help="questions per section")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--wordnet", default=WORDNET)
    args = ap.parse_args()

    if args.corpus:
        vocab = {w: c for w, c in counts_from_corpus(args.corpus).items()
                 if c >= args.min_count and WORD.match(w)}
    else:
        vocab = read_counts(args.counts, args.min_count)
    wn = WordNet(args.wordnet)
    corpus_vocab = vocab
    # Pair words are WordNet lemmas; analogy answers may be any frequent word.
    vocab = {w: c for w, c in vocab.items() if wn.is_lemma(w)}
    os.makedirs(args.out_dir, exist_ok=True)

    def path(name):
        return os.path.join(args.out_dir, args.prefix + name)

    syn = synonym_pairs(wn, vocab, args.synonym_pairs, random.Random(args.seed))
    with open(path("synonyms.txt"), "w", encoding="ascii", newline="\n") as f:
        f.writelines(f"{u} {v} {l}\n" for u, v, l in syn)
    sim = similarity_pairs(wn, vocab, args.similarity_pairs, random.Random(args.seed + 1))
    with open(path("similarity.txt"), "w", encoding="ascii", newline="\n") as f:
        f.writelines(f"{u} {v} {s:.4f}\n" for u, v, s in sim)
    ana = analogy_sections(wn, vocab, corpus_vocab, args.analogy_pairs, args.analogy_questions,
                           random.Random(args.seed + 2))
    with open(path("analogies.txt"), "w", encoding="ascii", newline="\n") as f:
        for name, qs in ana:
            f.write(f": {name}\n")
            f.writelines(" ".join(q) + "\n" for q in qs)

    print(f"eval sets in {args.out_dir} (WordNet words with corpus count >= {args.min_count}: {len(vocab)})")
    print(f"  {args.prefix}synonyms.txt   {sum(l for _, _, l in syn)} synonym + "
          f"{sum(1 - l for _, _, l in syn)} random pairs")
    print(f"  {args.prefix}similarity.txt {len(sim)} noun pairs")
    print(f"  {args.prefix}analogies.txt  " + ", ".join(f"{n} {len(q)}" for n, q in ana))


if __name__ == "__main__":
    sys.exit(main())
