// libFuzzer target: the word2vec example's .vec reader (w2v::load_vectors, what the
// neighbors, analogy and eval commands read) on any bytes. Whatever loads is queried
// for neighbours, so a table that passes the reader but breaks the cosines is found too.
// Any exception other than tg::Error, a crash or a sanitizer report is a finding.
#include <tapegrad/tapegrad.h>

#include <cmath>
#include <cstdlib>

#include "fuzz_input.h"
#include "similarity.h"
#include "vectors_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::as_file(data, size);
  try {
    const w2v::WordVectors vectors = w2v::load_vectors(path);
    // The reader's promises: one row per distinct word, every value finite.
    if (vectors.table.weight.size(0) != vectors.size() || vectors.index.size() != vectors.words.size()) std::abort();
    for (const double v : vectors.table.weight.contiguous().to_vector<double>())
      if (!std::isfinite(v)) std::abort();
    if (vectors.size() > 0) {
      const w2v::Similarity similarity(vectors);
      (void)similarity.neighbors(0, 3);
      (void)similarity.analogy(0, vectors.size() - 1, vectors.size() / 2, 2);
    }
  } catch (const tg::Error&) {
  }
  return 0;
}
