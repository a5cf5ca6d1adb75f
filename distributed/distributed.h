#pragma once
// tg::distributed: collectives over MPI for data-parallel training, as
// torch.distributed with the "mpi" backend. Start the program under mpirun:
//
//   namespace dist = tg::distributed;
//   int main(int argc, char** argv) {
//     dist::init_process_group("mpi", &argc, &argv);
//     ... forward on this rank's share of the batch, loss.backward() ...
//     dist::average_gradients(model.parameters());   // dense and sparse gradients
//     optimizer.step();                              // identical on every rank
//   }
//
//   mpirun -np 4 ./train
//
// Every rank must call the same collectives in the same order with tensors of the
// same shape and dtype; the calls check that and raise tg::Error on every rank when
// the ranks disagree. Collectives may be called from any one thread at a time.
// Built only when tapegrad is configured with MPI (TAPEGRAD_WITH_MPI). docs/distributed.md
// describes the design and its costs.
#include <string>
#include <vector>

#include "../core/tensor.h"

namespace tg::distributed {

enum class ReduceOp { Sum, Avg, Max, Min };

// Starts MPI (MPI_Init_thread) and the process group. backend must be "mpi". If the
// program already started MPI itself, the group uses it and leaves finalizing to the
// program. See Note [exit with the process group up] in distributed/process_group.cpp.
void init_process_group(const std::string& backend, int* argc, char*** argv);
void init_process_group(const std::string& backend);
bool is_initialized();
int get_rank();
int get_world_size();
void barrier();
// Ends the group and finalizes MPI if init_process_group started it. Also runs at
// exit if the program did not call it. MPI cannot start again afterwards.
void destroy_process_group();

// In place: every rank's t becomes the reduction of all ranks' t.
// Dense: float32, float64, int32, int64, any strides; Avg only for floating dtypes.
// Sparse COO: the sum (or average) of every rank's entries, coalesced; Max and Min
// are refused (a missing row would mean 0 on one rank and nothing on another).
void all_reduce(Tensor& t, ReduceOp op = ReduceOp::Sum);
// In place: every rank's t becomes rank src's t (dense or sparse).
void broadcast(Tensor& t, int src = 0);
// out[r] = rank r's t (dense). An empty out is filled with world_size new tensors; a
// filled one must hold world_size tensors of t's shape and dtype, written in place.
void all_gather(std::vector<Tensor>& out, const Tensor& t);

// Data parallelism: after backward, replaces every parameter's .grad by the mean of
// the ranks' gradients, dense or sparse, so that the same optimizer step follows on
// every rank. A gradient undefined on some ranks counts as zeros there (it becomes
// defined everywhere); undefined on every rank, it stays undefined. Dense gradients
// travel in one buffer per dtype. See Note [averaging gradients] in data_parallel.cpp.
void average_gradients(const std::vector<Tensor>& parameters);

}  // namespace tg::distributed
