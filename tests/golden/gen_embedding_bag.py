#!/usr/bin/python3
"""Golden values for tests/nn/test_embedding_bag_golden.cpp, from PyTorch 1.13.

Run:  /usr/bin/python3 tests/golden/gen_embedding_bag.py   (writes tests/golden/embedding_bag.txt)

Records (tests/golden/golden_writer.py) keyed <case>/<field>. Each case holds its
inputs (W, idx, offsets or none, psw or none, the upstream gradient g), its options
as float64 0-d fields (opt_mode 0 sum / 1 mean / 2 max, opt_padding_idx -1000 for
none, opt_max_norm -1 for none, opt_norm_type, opt_scale, opt_sparse, opt_ilo), and
PyTorch's results: out, W_after (max_norm renormalises in place), grad_dense, grad_psw,
and for sparse cases the exact layout grad_indices / grad_values.
"""
import math

import torch
import torch.nn.functional as F

from golden_writer import GoldenWriter

torch.manual_seed(4321)
records = GoldenWriter()
MODES = {"sum": 0, "mean": 1, "max": 2}


def put(case, field, t):
    records.tensor(f"{case}/{field}", t)


def opt(case, name, value):
    put(case, "opt_" + name, torch.tensor(float(value), dtype=torch.float64))


def bag_case(case, W, idx, offsets=None, psw=None, mode="mean", padding_idx=None, max_norm=None, norm_type=2.0,
             scale=False, sparse=False, ilo=False, g=None):
    put(case, "W", W)
    put(case, "idx", idx)
    if offsets is None:
        records.none(f"{case}/offsets")
    else:
        put(case, "offsets", offsets)
    opt(case, "mode", MODES[mode])
    opt(case, "padding_idx", -1000 if padding_idx is None else padding_idx)
    opt(case, "max_norm", -1 if max_norm is None else max_norm)
    opt(case, "norm_type", norm_type)
    opt(case, "scale", scale)
    opt(case, "sparse", sparse)
    opt(case, "ilo", ilo)
    w = W.clone().requires_grad_()
    p = None
    if psw is None:
        records.none(f"{case}/psw")
    else:
        put(case, "psw", psw)
        p = psw.clone().requires_grad_()
    # PyTorch refuses sparse + scale_grad_by_freq at backward; tapegrad supports it, and
    # its to_dense() must equal the dense gradient stored here.
    out = F.embedding_bag(idx, w, offsets, max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale,
                          mode=mode, sparse=sparse and not scale, per_sample_weights=p, include_last_offset=ilo,
                          padding_idx=padding_idx)
    if g is None:
        g = torch.randn(out.shape, dtype=W.dtype)
    put(case, "g", g)
    out.backward(g)
    put(case, "out", out.detach())
    put(case, "W_after", w.detach())
    if scale:
        # PyTorch's embedding_bag divides each lookup's gradient by the count of another
        # row (the i-th distinct index's position in its sorted indices: counts[indices_data[i]]
        # in its CPU backward). The gradient tapegrad matches is the documented one, each
        # row's own count, which is what F.embedding computes: lookups through
        # F.embedding(scale_grad_by_freq=True), reduced per bag here.
        grad, grad_psw = reference_scale_grad(W, idx, offsets, psw, mode, padding_idx, ilo, g, out.detach())
        put(case, "grad_dense", grad)
        if p is not None:
            put(case, "grad_psw", grad_psw)
    else:
        put(case, "grad_dense", w.grad.to_dense() if w.grad.is_sparse else w.grad)
        if p is not None:
            put(case, "grad_psw", p.grad)
    if not sparse:
        return
    if not scale:
        put(case, "grad_indices", w.grad._indices())
        put(case, "grad_values", w.grad._values())
        return
    # The layout tapegrad emits: one entry per non-padding lookup inside a bag, in input
    # order, value g[bag] / bag size (mean) / count of its row in the call * its weight.
    V, D = W.shape
    pad = None if padding_idx is None else (padding_idx if padding_idx >= 0 else V + padding_idx)
    flat = idx.reshape(-1).tolist()
    if offsets is None:
        L = idx.shape[1]
        starts = [b * L for b in range(idx.shape[0] + 1)]
    else:
        starts = offsets.tolist() + ([] if ilo else [len(flat)])
    counts = {k: flat.count(k) for k in set(flat)}
    rows, vals = [], []
    for b in range(len(starts) - 1):
        members = [i for i in range(starts[b], starts[b + 1]) if flat[i] != pad]
        for i in members:
            v = g[b].clone()
            if mode == "mean":
                v = v / len(members)
            v = v / counts[flat[i]]
            if psw is not None:
                v = v * psw.reshape(-1)[i]
            rows.append(flat[i])
            vals.append(v)
    put(case, "grad_indices", torch.tensor([rows], dtype=torch.int64).reshape(1, -1))
    put(case, "grad_values", torch.stack(vals) if vals else torch.zeros(0, D, dtype=W.dtype))


def reference_scale_grad(W, idx, offsets, psw, mode, padding_idx, ilo, g, expected_out):
    """Gradients of a sum or mean bag built from F.embedding(scale_grad_by_freq=True)."""
    w = W.clone().requires_grad_()
    p = None if psw is None else psw.clone().reshape(-1).requires_grad_()
    flat = idx.reshape(-1)
    V = W.shape[0]
    pad = None if padding_idx is None else (padding_idx if padding_idx >= 0 else V + padding_idx)
    rows = F.embedding(flat, w, padding_idx=pad, scale_grad_by_freq=True)
    if offsets is None:
        L = idx.shape[1]
        starts = [b * L for b in range(idx.shape[0] + 1)]
    else:
        starts = offsets.tolist() + ([] if ilo else [flat.numel()])
    bags = []
    for b in range(len(starts) - 1):
        members = [i for i in range(starts[b], starts[b + 1]) if flat[i].item() != pad]
        if not members:
            bags.append(torch.zeros(W.shape[1], dtype=W.dtype))
            continue
        picked = rows[members]
        if p is not None:
            picked = picked * p[members].unsqueeze(1)
        bags.append(picked.sum(0) if mode == "sum" else picked.sum(0) / len(members))
    out = torch.stack(bags)
    assert torch.allclose(out, expected_out), "the reference bag must give PyTorch's forward"
    out.backward(g)
    return w.grad, (None if p is None else p.grad.reshape(psw.shape))


# 1. Empty bags at the start, in the middle and at the end, every mode, dense and sparse.
W = torch.randn(10, 4, dtype=torch.float64)
idx = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6])
offsets = torch.tensor([0, 0, 3, 3, 8, 8])  # bags: {}, {3,1,4}, {}, {1,5,9,2,6}, {}, {}
for mode in ["sum", "mean", "max"]:
    for sparse in [False, True] if mode != "max" else [False]:
        bag_case(f"empty_{mode}_sparse{int(sparse)}", W, idx, offsets, mode=mode, sparse=sparse)

# 2. 2-D input: fixed-size bags, repeated indices inside a bag and across bags.
idx2 = torch.tensor([[1, 2, 1, 7], [7, 7, 0, 3], [4, 2, 9, 2]])
for mode in ["sum", "mean", "max"]:
    for sparse in [False, True] if mode != "max" else [False]:
        bag_case(f"fixed_{mode}_sparse{int(sparse)}", W, idx2, mode=mode, sparse=sparse)

# 3. include_last_offset: B + 1 offsets, the last = N; an empty bag in the middle.
for mode in ["sum", "mean", "max"]:
    for sparse in [False, True] if mode != "max" else [False]:
        bag_case(f"ilo_{mode}_sparse{int(sparse)}", W, idx, torch.tensor([0, 2, 2, 5, 8]), mode=mode, sparse=sparse,
                 ilo=True)

# 4. padding_idx: left out of the bag (mean divides by the rest), an all-padding bag,
#    a bag with only padding and one row; -1 counts from the end.
idx_p = torch.tensor([2, 5, 2, 2, 7, 2, 0, 9, 9])
off_p = torch.tensor([0, 2, 4, 6])  # {2,5}, {2,2}: all padding, {7,2}, {0,9,9}
for pad in [2, -1]:
    for mode in ["sum", "mean", "max"]:
        for sparse in [False, True] if mode != "max" else [False]:
            name = f"pad{'m1' if pad < 0 else pad}_{mode}_sparse{int(sparse)}"
            bag_case(name, W, idx_p, off_p, mode=mode, padding_idx=pad, sparse=sparse)
# 2-D with padding.
bag_case("pad_fixed_mean", W, torch.tensor([[0, 0, 0], [0, 3, 3], [4, 0, 5]]), mode="mean", padding_idx=0)

# 5. per_sample_weights (sum only): 1-D and 2-D, with padding, dense and sparse.
psw = torch.randn(8, dtype=torch.float64)
for sparse in [False, True]:
    bag_case(f"psw_sparse{int(sparse)}", W, idx, offsets, psw=psw, mode="sum", sparse=sparse)
    bag_case(f"psw_pad_sparse{int(sparse)}", W, idx_p, off_p, psw=torch.randn(9, dtype=torch.float64), mode="sum",
             padding_idx=2, sparse=sparse)
bag_case("psw_fixed", W, idx2, psw=torch.randn(3, 4, dtype=torch.float64), mode="sum")

# 6. scale_grad_by_freq (sum and mean), dense and sparse, with and without padding.
for mode in ["sum", "mean"]:
    for sparse in [False, True]:
        bag_case(f"scale_{mode}_sparse{int(sparse)}", W, idx2, mode=mode, scale=True, sparse=sparse)
        bag_case(f"scale_pad_{mode}_sparse{int(sparse)}", W, idx_p, off_p, mode=mode, padding_idx=9, scale=True,
                 sparse=sparse)
bag_case("scale_psw_sparse1", W, idx_p, off_p, psw=torch.randn(9, dtype=torch.float64), mode="sum", scale=True,
         sparse=True)

# 7. max ties: equal elements in different rows (the earliest lookup wins) and a row
#    repeated in its bag.
Wt = torch.tensor([[1.0, 5.0, 2.0], [1.0, 3.0, 2.0], [0.5, 5.0, 2.0], [-1.0, -1.0, -1.0]], dtype=torch.float64)
bag_case("max_ties", Wt, torch.tensor([1, 0, 2, 2, 2, 3, 0, 1]), torch.tensor([0, 3, 5]), mode="max")
bag_case("max_ties_fixed", Wt, torch.tensor([[2, 0, 1], [1, 1, 3]]), mode="max")

# 8. max_norm with norm_type 1, 2 and inf (rows far above and below the bound).
Wm = torch.randn(9, 5, dtype=torch.float64)
Wm[::2] *= 3
idx_m = torch.tensor([0, 2, 2, 7, 1, 4, 0, 8])
off_m = torch.tensor([0, 3, 5])
for p in [1.0, 2.0, math.inf]:
    for mode in ["sum", "mean", "max"]:
        name = f"maxnorm_p{'inf' if math.isinf(p) else int(p)}_{mode}"
        bag_case(name, Wm, idx_m, off_m, mode=mode, max_norm=1.5, norm_type=p)
bag_case("maxnorm_sparse_pad", Wm, idx_m, off_m, mode="mean", max_norm=1.5, padding_idx=2, sparse=True)

# 9. int32 indices and offsets, alone and mixed with int64.
bag_case("int32_both", W, idx.int(), offsets.int(), mode="sum")
bag_case("int32_idx", W, idx.int(), offsets, mode="mean", sparse=True)
bag_case("int32_off", W, idx, offsets.int(), mode="max")

# 10. float32.
W32 = torch.randn(10, 4, dtype=torch.float32)
bag_case("f32_mean_sparse", W32, idx, offsets, mode="mean", sparse=True)
bag_case("f32_psw", W32, idx, offsets, psw=torch.randn(8), mode="sum")

# 11. A random table and batch, every mode / padding / sparse combination.
Wr = torch.randn(50, 6, dtype=torch.float64) * 2
idx_r = torch.randint(0, 15, (40,))
idx_r[0] = 3
cuts = sorted(torch.randint(0, 41, (9,)).tolist())
off_r = torch.tensor([0] + cuts)
for pad in [None, 3]:
    for mode in ["sum", "mean", "max"]:
        for sparse in [False, True] if mode != "max" else [False]:
            name = f"rand_pad{'none' if pad is None else pad}_{mode}_sparse{int(sparse)}"
            bag_case(name, Wr, idx_r, off_r, mode=mode, padding_idx=pad, sparse=sparse)

# 12. No bags: 2-D input of zero rows. (Empty offsets crash PyTorch 1.13; the C++ tests
#     check that case by hand.)
bag_case("no_rows_fixed", W, torch.zeros(0, 3, dtype=torch.int64), mode="mean")

# 13. Optimizers stepping a sparse EmbeddingBag: three steps of SGD (momentum 0, as
#     sparse gradients require), SparseAdam and Adagrad, mode sum (with per_sample_weights)
#     and mean, padding_idx 0. Stores the batches and the table after each step.
Wo = torch.randn(12, 3, dtype=torch.float64)
put("optim", "W", Wo)
batches = [(torch.tensor([1, 0, 4, 4, 7]), torch.tensor([0, 2, 2])),
           (torch.tensor([7, 7, 9, 0, 0, 2, 11]), torch.tensor([0, 1, 3, 5])),
           (torch.tensor([3, 1]), torch.tensor([0, 0]))]
psws = [torch.randn(ids.shape, dtype=torch.float64) for ids, _ in batches]
grads = [torch.randn(offs.shape[0], 3, dtype=torch.float64) for _, offs in batches]
for i, (ids, offs) in enumerate(batches):
    put("optim", f"idx{i}", ids)
    put("optim", f"offsets{i}", offs)
    put("optim", f"psw{i}", psws[i])
    put("optim", f"g{i}", grads[i])
optimizers = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1),
              "sparse_adam": lambda p: torch.optim.SparseAdam(p, lr=0.05),
              "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1)}
for name, make in optimizers.items():
    for mode in ["sum", "mean"]:
        bag = torch.nn.EmbeddingBag.from_pretrained(Wo.clone(), freeze=False, mode=mode, sparse=True, padding_idx=0)
        opt_ = make(list(bag.parameters()))
        for i, (ids, offs) in enumerate(batches):
            opt_.zero_grad()
            out = bag(ids, offs, per_sample_weights=psws[i] if mode == "sum" else None)
            out.backward(grads[i])
            opt_.step()
            put("optim", f"{name}_{mode}_after{i}", bag.weight.detach())

records.save("embedding_bag.txt")
