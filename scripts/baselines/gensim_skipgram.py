#!/usr/bin/python3
"""One gensim 4 Word2Vec skip-gram (or, with --cbow, CBOW) run with issue 5's settings.

  gensim_skipgram.py CORPUS OUTPUT_PREFIX THREADS [--cbow] [--epochs N]

CBOW averages the context (cbow_mean=1) and starts at alpha 0.05, word2vec.c's CBOW rate.

Writes OUTPUT_PREFIX.vec and OUTPUT_PREFIX.log (gensim's INFO log) and prints
  gensim threads=T wall_s=W train_s=S words_sec_thread=N effective_words_sec=E
N = raw corpus tokens processed per second of training per thread (the way
fastText counts), timing model.train() alone; E = gensim's own reported figure
(all threads together, words left after min-count and subsampling), averaged
over the epochs. wall_s includes the vocabulary scan.
"""
import logging
import re
import sys
import time

from gensim.models import Word2Vec


def main():
    corpus, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cbow = "--cbow" in sys.argv[4:]
    epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv[4:] else 5
    logging.basicConfig(filename=out + ".log", filemode="w", level=logging.INFO,
                        format="%(asctime)s %(message)s")
    model = Word2Vec(sg=0 if cbow else 1, cbow_mean=1, vector_size=100, window=5, negative=5, min_count=5,
                     sample=1e-4, epochs=epochs, alpha=0.05, min_alpha=0.0001,
                     workers=threads, seed=1)
    start = time.time()
    # corpus_file: gensim's file-based path, which scales across workers
    # without the single-producer-thread bottleneck of iterator input.
    model.build_vocab(corpus_file=corpus)
    t0 = time.time()
    model.train(corpus_file=corpus, total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=model.epochs)
    train = time.time() - t0
    wall = time.time() - start
    model.wv.save_word2vec_format(out + ".vec")
    eff = [int(m.group(1)) for m in
           (re.search(r"EPOCH \d+: training on .* took [\d.]+s, (\d+) effective words/s", line)
            for line in open(out + ".log", encoding="utf-8")) if m]
    raw = model.corpus_total_words * model.epochs
    print(f"gensim{' cbow' if cbow else ''} threads={threads} wall_s={wall:.1f} train_s={train:.1f} "
          f"words_sec_thread={raw / max(train, 1e-9) / threads:.0f} "
          f"effective_words_sec={sum(eff) / max(len(eff), 1):.0f}")

if __name__ == "__main__":
    main()
