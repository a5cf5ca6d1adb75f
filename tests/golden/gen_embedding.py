#!/usr/bin/python3
"""Golden values for tests/nn/test_embedding_golden.cpp, from PyTorch 1.13.

Run:  /usr/bin/python3 tests/golden/gen_embedding.py   (writes tests/golden/embedding.txt)

Records (tests/golden/golden_writer.py) keyed <case>/<field>. A case's options are
stored as fields too (e.g. opt_padding_idx, float64 0-d).
"""
import math

import torch
import torch.nn.functional as F

from golden_writer import GoldenWriter

torch.manual_seed(1234)
records = GoldenWriter()


def put(case, field, t):
    records.tensor(f"{case}/{field}", t)


def opt(case, name, value):
    put(case, "opt_" + name, torch.tensor(float(value), dtype=torch.float64))


def lookup_case(case, W, idx, g, padding_idx=None, max_norm=None, norm_type=2.0, scale=False, sparse=False):
    """One forward and backward; stores inputs, options, output, weight after, gradient."""
    put(case, "W", W)
    put(case, "idx", idx)
    put(case, "g", g)
    opt(case, "padding_idx", -1000 if padding_idx is None else padding_idx)
    opt(case, "max_norm", -1 if max_norm is None else max_norm)
    opt(case, "norm_type", norm_type)
    opt(case, "scale", scale)
    opt(case, "sparse", sparse)
    w = W.clone().requires_grad_()
    # PyTorch refuses sparse + scale_grad_by_freq at backward; tapegrad supports it, and
    # its to_dense() must equal the dense scale_grad_by_freq gradient stored here.
    out = F.embedding(idx, w, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                      scale_grad_by_freq=scale, sparse=sparse and not scale)
    out.backward(g)
    put(case, "out", out.detach())
    put(case, "W_after", w.detach())
    put(case, "grad_dense", w.grad.to_dense() if w.grad.is_sparse else w.grad)
    if not sparse:
        return
    if not scale:
        put(case, "grad_indices", w.grad._indices())
        put(case, "grad_values", w.grad._values())
        return
    # The layout tapegrad emits: one entry per non-padding lookup, in input order,
    # each upstream row divided by its index's count in this call.
    V = W.shape[0]
    pad = None if padding_idx is None else (padding_idx if padding_idx >= 0 else V + padding_idx)
    flat = idx.reshape(-1)
    g2 = g.reshape(-1, W.shape[1])
    keep = [i for i, k in enumerate(flat.tolist()) if k != pad]
    counts = {k: flat.tolist().count(k) for k in set(flat.tolist())}
    vals = torch.stack([g2[i] / counts[int(flat[i])] for i in keep]) if keep else g2[:0]
    put(case, "grad_indices", flat[keep].reshape(1, -1))
    put(case, "grad_values", vals)


# 1. The spec's section 5.2 example: idx [[1,2,1],[0,1,5]], g = 1..12, V = 6.
W6 = torch.randn(6, 2, dtype=torch.float64)
idx_spec = torch.tensor([[1, 2, 1], [0, 1, 5]])
g_spec = torch.arange(1, 13, dtype=torch.float64).reshape(2, 3, 2)
lookup_case("spec_plain", W6, idx_spec, g_spec)
lookup_case("spec_pad1", W6, idx_spec, g_spec, padding_idx=1)
lookup_case("spec_pad_neg1", W6, idx_spec, g_spec, padding_idx=-1)
lookup_case("spec_pad_neg6", W6, idx_spec, g_spec, padding_idx=-6)
lookup_case("spec_scale", W6, idx_spec, g_spec, scale=True)
lookup_case("spec_pad0_scale", W6, idx_spec, g_spec, padding_idx=0, scale=True)
lookup_case("spec_sparse", W6, idx_spec, g_spec, sparse=True)
lookup_case("spec_sparse_pad1", W6, idx_spec, g_spec, padding_idx=1, sparse=True)
lookup_case("spec_sparse_scale", W6, idx_spec, g_spec, scale=True, sparse=True)
lookup_case("spec_sparse_pad1_scale", W6, idx_spec, g_spec, padding_idx=1, scale=True, sparse=True)

# 2. A random table and batch with repeats, every option combination.
V, H = 40, 7
Wr = torch.randn(V, H, dtype=torch.float64) * 2
idx_r = torch.randint(0, 12, (4, 9))  # few distinct rows: many repeats
idx_r[0, 0] = 3
g_r = torch.randn(4, 9, H, dtype=torch.float64)
for pad in [None, 3, -37]:
    for scale in [False, True]:
        for sparse in [False, True]:
            name = f"rand_pad{'none' if pad is None else pad}_scale{int(scale)}_sparse{int(sparse)}"
            lookup_case(name.replace("-", "m"), Wr, idx_r, g_r, padding_idx=pad, scale=scale, sparse=sparse)

# 3. max_norm with norm_type 1, 2, 3.5 and inf (rows of norm well above and below 1.5).
Wm = torch.randn(9, 5, dtype=torch.float64)
Wm[::2] *= 3
idx_m = torch.tensor([[0, 2, 2, 7], [1, 4, 0, 8]])
g_m = torch.randn(2, 4, 5, dtype=torch.float64)
for p in [1.0, 2.0, 3.5, math.inf]:
    for sparse in [False, True]:
        name = f"maxnorm_p{'inf' if math.isinf(p) else str(p).replace('.', '_')}_sparse{int(sparse)}"
        lookup_case(name, Wm, idx_m, g_m, max_norm=1.5, norm_type=p, sparse=sparse)
lookup_case("maxnorm_p2_pad2_scale", Wm, idx_m, g_m, padding_idx=2, max_norm=1.5, scale=True)

# 4. float32 renorm: [3,4] with max_norm 1 is [0.6000000238, 0.8000000119] (spec 4.1).
W32 = torch.tensor([[3.0, 4.0], [1.0, 0.0], [0.3, 0.4]], dtype=torch.float32)
lookup_case("maxnorm_f32", W32, torch.tensor([0, 1, 2, 0]), torch.ones(4, 2, dtype=torch.float32), max_norm=1.0)

# 5. Accumulation over several backward calls (spec section 7).
Wa = torch.randn(5, 3, dtype=torch.float64)
put("accum", "W", Wa)
steps = [torch.tensor([0, 1]), torch.tensor([3, 1]), torch.tensor([[4, 4], [0, 2]])]
for i, s in enumerate(steps):
    put("accum", f"idx{i}", s)
# (a) three sparse lookups: .grad stays sparse, values summed.
w = Wa.clone().requires_grad_()
for i, s in enumerate(steps):
    (F.embedding(s, w, sparse=True) * (i + 1)).sum().backward()
assert w.grad.is_sparse
put("accum", "sparse_sparse_sparse", w.grad.to_dense())
# (b) sparse, then a dense use (w * w).sum(), then sparse again: dense from the second call.
w = Wa.clone().requires_grad_()
(F.embedding(steps[0], w, sparse=True) * 1).sum().backward()
(w * w).sum().backward()
assert not w.grad.is_sparse
(F.embedding(steps[2], w, sparse=True) * 3).sum().backward()
put("accum", "sparse_dense_sparse", w.grad)
# (c) dense lookups with padding 1 and scale_grad_by_freq, three times.
w = Wa.clone().requires_grad_()
for i, s in enumerate(steps):
    (F.embedding(s, w, padding_idx=1, scale_grad_by_freq=True) * (i + 1)).sum().backward()
put("accum", "dense_pad1_scale", w.grad)
# (d) one backward through two sparse lookups and a dense use of the same table.
w = Wa.clone().requires_grad_()
loss = F.embedding(steps[0], w, sparse=True).sum() + (F.embedding(steps[1], w, sparse=True) * 2).sum()
loss.backward()
put("accum", "two_sparse_one_pass", w.grad.to_dense())
put("accum", "two_sparse_one_pass_nnz", torch.tensor(w.grad._nnz()))
w = Wa.clone().requires_grad_()
(F.embedding(steps[0], w, sparse=True).sum() + (w * 2).sum()).backward()
assert not w.grad.is_sparse
put("accum", "sparse_plus_dense_one_pass", w.grad)

# 6. Coalesce (spec 7.1).
s = torch.sparse_coo_tensor(torch.tensor([[3, 1, 3, 0]]), torch.tensor([[1., 1], [2, 2], [10, 10], [5, 5]]), (4, 2))
c = s.coalesce()
put("coalesce", "indices", c._indices())
put("coalesce", "values", c._values().double())

# 7. Losses and clipping used by small models built on embeddings (tests/nn/test_loss.cpp).
x = torch.tensor([[1.5, -0.5, 0.25], [-2.0, 3.0, 0.5], [40.0, -40.0, 0.0]], dtype=torch.float64)
y = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 0.5]], dtype=torch.float64)
put("loss", "x", x)
put("loss", "y", y)


def loss_case(name, fn, inp, red):
    """A loss of `inp` (a leaf copy) and its gradient for a ones upstream gradient."""
    leaf = inp.clone().requires_grad_()
    l = fn(leaf, reduction=red)
    l.backward(torch.ones_like(l))
    put("loss", f"{name}_{red}", l.detach())
    put("loss", f"{name}_{red}_grad", leaf.grad)


for red in ["mean", "sum", "none"]:
    loss_case("bce", lambda v, **kw: F.binary_cross_entropy_with_logits(v, y, **kw), x, red)
    loss_case("mse", lambda v, **kw: F.mse_loss(v, y, **kw), x, red)
pw = torch.tensor([2.0, 0.5, 1.0], dtype=torch.float64)
put("loss", "pos_weight", pw)
put("loss", "bce_pos_weight", F.binary_cross_entropy_with_logits(x, y, pos_weight=pw))
# float32, long enough for the vectorised loop: logits over [-100, 100] and near 0, hard
# and soft labels.
x32 = torch.cat([torch.linspace(-100.0, 100.0, 41), torch.linspace(-2.0, 2.0, 27)]).reshape(4, 17)
y32 = (torch.arange(68) % 3 == 0).to(torch.float32).reshape(4, 17)
y32[3, :4] = 0.25
put("loss", "x32", x32)
put("loss", "y32", y32)
for red in ["sum", "none"]:
    loss_case("bce32", lambda v, **kw: F.binary_cross_entropy_with_logits(v, y32, **kw), x32, red)
t = torch.tensor([2, 1, -100])
put("loss", "target", t)
for red in ["mean", "sum", "none"]:
    loss_case("ce", lambda v, **kw: F.cross_entropy(v, t, **kw), x, red)
    loss_case("nll", lambda v, **kw: F.nll_loss(v, t, **kw), F.log_softmax(x, 1), red)
put("loss", "log_softmax", F.log_softmax(x, 1))

# clip_grad_norm_ on a sparse embedding gradient (duplicates) and a dense one.
for p_ in [2.0, math.inf]:
    e = torch.nn.Embedding(6, 3, sparse=True).double()
    with torch.no_grad():
        e.weight.copy_(torch.arange(18, dtype=torch.float64).reshape(6, 3) / 10)
    lin = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    (e(torch.tensor([1, 4, 1, 0])) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    (lin * 3).sum().backward()
    tag = "inf" if math.isinf(p_) else "2"
    # PyTorch 1.13 cannot clip a sparse gradient for every norm_type (inf fails in
    # aten::max); the reference clips the densified gradient, which is what it stands for.
    e.weight.grad = e.weight.grad.to_dense()
    total = torch.nn.utils.clip_grad_norm_([e.weight, lin], 1.0, norm_type=p_)
    put("clip", f"total_{tag}", torch.tensor(float(total), dtype=torch.float64))
    put("clip", f"emb_grad_{tag}", e.weight.grad.to_dense())
    put("clip", f"lin_grad_{tag}", lin.grad)

records.save("embedding.txt")
