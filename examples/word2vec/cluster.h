#pragma once
// Training on several processes (mpirun -np N tapegrad-word2vec train ...), in the
// design of Intel's pWord2Vec (Ji et al. 2016): every process trains its own share of
// the corpus with its own Hogwild threads on its own copy of the tables, and the copies
// are averaged now and then over MPI (tg::distributed). Without mpirun, or in a build
// without MPI, the run is one process and every function here is the identity.
//
//   w2v::join_processes(&argc, &argv);             // main(): before anything else
//   ByteRange mine = shard_bytes(file_size, place());
//   merge_word_counts(words, counts);             // every process: the same vocabulary
//   RowSync sync(in.weight, out.weight, ...);     // the averaging (Note [Row sync])
#include <cstdint>
#include <string>
#include <tapegrad/tapegrad.h>
#include <vector>

namespace w2v {

// This process among the run's processes: rank 0 of 1 without mpirun.
struct Place {
  int rank = 0;
  int processes = 1;
};

// Starts tg::distributed when mpirun started this program (its environment says so)
// and tapegrad was built with MPI; a tg::Error when mpirun started it in a build without
// MPI (N copies would each train the whole corpus alone).
void join_processes(int* argc, char*** argv);
Place place();

// Note [Corpus shards]: process r of N owns the lines whose first byte lies in
// [r * size / N, (r + 1) * size / N). Each process seeks to its range, skips the line
// that started before it, and reads past the range's end to finish its last line, so
// every line is read by exactly one process and no process reads the whole file.
struct ByteRange {
  uint64_t begin = 0, end = 0;
};
ByteRange shard_bytes(uint64_t file_size, Place place);

// Every process's (word, count) lists, each in its own first-seen order, merged in rank
// order with the counts summed: every process gets the same lists, in the order one
// process reading the whole file would have seen the words (its ties break the same way).
void merge_word_counts(std::vector<std::string>& words, std::vector<int64_t>& counts);

int64_t sum_over_processes(int64_t value);
double max_over_processes(double value);

// Note [Row sync]: the processes' tables drift apart as each trains on its own shard;
// a sync averages the first `prefix` rows of both tables (the most frequent words: the
// vocabulary is sorted by count) across processes. Sync i of the run (i = 1, 2, ...)
// averages prefix(i) = min(V, base * 2^z) rows, where 2^z is the largest power of two
// dividing i: the top `base` rows every time, twice as many every second time, ... the
// whole table every 2^k-th time (the "ruler" schedule; pWord2Vec grows its prefix in the
// same spirit), so a word's rows are averaged about as often as it is updated. Each
// epoch has the same number of sync points on every process, spread evenly over its
// shard, and ends with every row averaged.
//
// What a sync adds up is each process's change since the last sync, not its rows: the
// rows become base + (sum over processes of (row_p - base)), base being the rows as the
// last sync left them (the same on every process; the tables start equal, from one seed).
// Averaging the rows instead would halve every row only one process touched since the
// last sync: a rare word seen in one shard would be pulled back toward its initial value
// at every sync (measured: synonym AUC 0.880 against one process's 0.906 on 2 processes).
// Summing the changes applies every process's updates, as one process reading both
// shards would. The price is a copy of both tables (base).
//
// A sync runs on one training thread while the others keep training (Hogwild, as within
// a process): it snapshots the rows, sums (snapshot - base) over processes
// (tg::distributed::all_reduce) and adds (base + sum - snapshot) to each row, so the
// updates other threads made meanwhile are kept rather than overwritten.
class RowSync {
 public:
  // tokens_per_sync: tokens of a process's shard between two sync points.
  RowSync(tg::Tensor in, tg::Tensor out, int64_t shard_tokens, int64_t tokens_per_sync, int64_t base_rows = 1024);

  // From the one thread that owns sync (done: tokens it has read this epoch of `share`,
  // its part of the shard): runs the sync points passed since the last call.
  void progress(int64_t done, int64_t share);
  // At the end of an epoch, with every training thread waiting: the epoch's remaining
  // sync points, then every row of both tables.
  void end_epoch();

  int64_t syncs() const { return syncs_; }
  int64_t bytes_moved() const { return bytes_; }  // floats summed, as bytes, this process
  int64_t rows_for(int64_t sync_index) const;

 private:
  void sync_rows(int64_t rows);

  tg::Tensor in_, out_;
  std::vector<float> base_;  // both tables' rows as the last sync left them (several processes only)
  int64_t points_per_epoch_ = 1, done_points_ = 0, base_rows_;
  int64_t syncs_ = 0, bytes_ = 0;
  int processes_;
};

}  // namespace w2v
