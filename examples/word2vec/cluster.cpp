#include "cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace w2v {

namespace {

// mpirun (Open MPI, MPICH, Slurm's PMI) tells the processes it starts their count.
bool started_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

bool distributed_up() {
#ifdef TAPEGRAD_WITH_MPI
  return tg::distributed::is_initialized();
#else
  return false;
#endif
}

#ifdef TAPEGRAD_WITH_MPI
// Bytes travel as int64 words, the collectives' integer dtype; the length says where
// the text ends.
tg::Tensor pack(const std::string& bytes, int64_t words) {
  std::vector<int64_t> packed(static_cast<size_t>(std::max<int64_t>(words, 1)), 0);
  std::memcpy(packed.data(), bytes.data(), bytes.size());
  words = std::max<int64_t>(words, 1);
  return tg::from_vector(packed, {words});
}

int64_t all_max(int64_t value) {
  tg::Tensor t = tg::from_vector(std::vector<int64_t>{value}, {1});
  tg::distributed::all_reduce(t, tg::distributed::ReduceOp::Max);
  return t.item<int64_t>();
}
#endif

}  // namespace

void join_processes(int* argc, char*** argv) {
  if (!started_by_mpirun()) return;
#ifdef TAPEGRAD_WITH_MPI
  tg::distributed::init_process_group("mpi", argc, argv);
#else
  (void)argc;
  (void)argv;
  throw tg::Error("train: started by mpirun, but this tapegrad-word2vec was built without MPI; expected a build "
                  "configured with MPI found (install libopenmpi-dev, then reconfigure), or no mpirun");
#endif
}

Place place() {
#ifdef TAPEGRAD_WITH_MPI
  if (distributed_up()) return {tg::distributed::get_rank(), tg::distributed::get_world_size()};
#endif
  return {};
}

ByteRange shard_bytes(uint64_t file_size, Place where) {
  const auto share = [&](int r) {
    // size * r / N without overflow for any file size (unsigned __int128 is GCC's and clang's).
    return static_cast<uint64_t>(static_cast<unsigned __int128>(file_size) * static_cast<unsigned>(r) /
                                 static_cast<unsigned>(where.processes));
  };
  return {share(where.rank), share(where.rank + 1)};
}

void merge_word_counts(std::vector<std::string>& words, std::vector<int64_t>& counts) {
  if (!distributed_up()) return;
#ifdef TAPEGRAD_WITH_MPI
  // The words' bytes back to back, and per word its count and length (a token may hold
  // any byte but whitespace, '\0' included), padded to the longest lists.
  std::string text;
  std::vector<int64_t> entries;
  for (size_t i = 0; i < words.size(); ++i) {
    text += words[i];
    entries.push_back(counts[i]);
    entries.push_back(static_cast<int64_t>(words[i].size()));
  }
  const int64_t text_words = all_max(static_cast<int64_t>((text.size() + 7) / 8));
  const int64_t max_entries = std::max<int64_t>(2, all_max(static_cast<int64_t>(entries.size())));
  entries.resize(static_cast<size_t>(max_entries), -1);  // -1: past this rank's list
  std::vector<tg::Tensor> texts, lists;
  tg::distributed::all_gather(texts, pack(text, text_words));
  tg::distributed::all_gather(lists, tg::from_vector(entries, {max_entries}));

  std::vector<std::string> merged_words;
  std::vector<int64_t> merged_counts;
  std::unordered_map<std::string, size_t> position;
  for (size_t r = 0; r < texts.size(); ++r) {
    const std::vector<int64_t> packed = texts[r].to_vector<int64_t>();
    const char* bytes = reinterpret_cast<const char*>(packed.data());
    const std::vector<int64_t> theirs = lists[r].to_vector<int64_t>();
    size_t offset = 0;
    for (size_t i = 0; i + 1 < theirs.size() && theirs[i] >= 0; i += 2) {
      std::string word(bytes + offset, static_cast<size_t>(theirs[i + 1]));
      offset += word.size();
      auto [it, fresh] = position.try_emplace(word, merged_words.size());
      if (fresh) {
        merged_words.push_back(std::move(word));
        merged_counts.push_back(0);
      }
      merged_counts[it->second] += theirs[i];
    }
  }
  words = std::move(merged_words);
  counts = std::move(merged_counts);
#endif
}

int64_t sum_over_processes(int64_t value) {
#ifdef TAPEGRAD_WITH_MPI
  if (distributed_up()) {
    tg::Tensor t = tg::from_vector(std::vector<int64_t>{value}, {1});
    tg::distributed::all_reduce(t);
    return t.item<int64_t>();
  }
#endif
  return value;
}

double max_over_processes(double value) {
#ifdef TAPEGRAD_WITH_MPI
  if (distributed_up()) {
    tg::Tensor t = tg::from_vector(std::vector<double>{value}, {1});
    tg::distributed::all_reduce(t, tg::distributed::ReduceOp::Max);
    return t.item<double>();
  }
#endif
  return value;
}

RowSync::RowSync(tg::Tensor in, tg::Tensor out, int64_t shard_tokens, int64_t tokens_per_sync, int64_t base_rows)
    : in_(std::move(in)), out_(std::move(out)), base_rows_(base_rows), processes_(place().processes) {
  // The same number of sync points per epoch on every process: the largest shard's.
  const int64_t mine = std::max<int64_t>(1, (shard_tokens + tokens_per_sync - 1) / tokens_per_sync);
  points_per_epoch_ = static_cast<int64_t>(max_over_processes(static_cast<double>(mine)));
  if (processes_ > 1) {
    // Every process starts from the same tables (one seed), so they are the first base.
    const int64_t n = in_.numel();
    base_.resize(static_cast<size_t>(2 * n));
    std::memcpy(base_.data(), in_.contiguous().data_ptr<float>(), static_cast<size_t>(n) * sizeof(float));
    std::memcpy(base_.data() + n, out_.contiguous().data_ptr<float>(), static_cast<size_t>(n) * sizeof(float));
  }
}

int64_t RowSync::rows_for(int64_t sync_index) const {
  const int64_t rows = in_.size(0);
  const int z = std::countr_zero(static_cast<uint64_t>(sync_index));
  if (z >= 62 || base_rows_ > (rows >> z)) return rows;
  return std::min(rows, base_rows_ << z);
}

void RowSync::progress(int64_t done, int64_t share) {
  if (processes_ == 1) return;
  // Point k (1-based) of the epoch falls at k / (points + 1) of the share: the last one
  // is end_epoch's full sync.
  const int64_t due = share > 0 ? std::min(points_per_epoch_, done * (points_per_epoch_ + 1) / share) : 0;
  while (done_points_ < due) {
    ++done_points_;
    sync_rows(rows_for(syncs_ + 1));
  }
}

void RowSync::end_epoch() {
  if (processes_ == 1) return;
  while (done_points_ < points_per_epoch_) {
    ++done_points_;
    sync_rows(rows_for(syncs_ + 1));
  }
  sync_rows(in_.size(0));
  done_points_ = 0;
}

void RowSync::sync_rows(int64_t rows) {
#ifdef TAPEGRAD_WITH_MPI
  tg::NoGradGuard no_grad;
  const int64_t dim = in_.size(1), n = rows * dim, table = in_.numel();
  float* tables[2] = {in_.data_ptr<float>(), out_.data_ptr<float>()};
  // snapshot: both tables' first rows, one buffer; change = snapshot - base, summed in
  // one collective.
  tg::Tensor snapshot = tg::empty({2 * n});
  float* snap = snapshot.data_ptr<float>();
  std::memcpy(snap, tables[0], static_cast<size_t>(n) * sizeof(float));
  std::memcpy(snap + n, tables[1], static_cast<size_t>(n) * sizeof(float));
  tg::Tensor change = tg::empty({2 * n});
  float* d = change.data_ptr<float>();
  for (int t = 0; t < 2; ++t) {
    const float* b = base_.data() + t * table;
    for (int64_t i = 0; i < n; ++i) d[t * n + i] = snap[t * n + i] - b[i];
  }
  tg::distributed::all_reduce(change);
  for (int t = 0; t < 2; ++t) {
    float* row = tables[t];
    float* b = base_.data() + t * table;
    const float* s = snap + t * n;
    const float* total = d + t * n;
    for (int64_t i = 0; i < n; ++i) {
      b[i] += total[i];
      row[i] += b[i] - s[i];
    }
  }
  ++syncs_;
  bytes_ += 2 * n * static_cast<int64_t>(sizeof(float));
#else
  (void)rows;
#endif
}

}  // namespace w2v
