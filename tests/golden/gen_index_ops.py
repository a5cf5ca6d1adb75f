"""Golden values for gather, scatter_add, masked_fill, cumsum and one_hot.

Run with /usr/bin/python3 (PyTorch 1.13); writes index_ops.txt next to this script.
Records (tests/golden/golden_writer.py), keyed <op>/<case>/<field>: every input as
stored (floating inputs float64 unless the case is about another dtype, indices
int64, masks bool), the output "out", and for a differentiable case a random
upstream gradient "g" and each floating input's gradient "grad_<name>". Where a case
is about non-contiguous inputs, the stored tensors are the bases and the test applies
the same views (t(), transpose) as the lambda here. The tests
(tests/autograd/test_gather_scatter.cpp, test_masked_fill.cpp, test_cumsum.cpp)
replay each case by name.
"""
import torch
import torch.nn.functional as F

from golden_writer import GoldenWriter

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
records = GoldenWriter()


def case(prefix, fn, **inputs):
    """Stores the inputs, fn(**inputs), and its gradients for a random upstream one."""
    leaves = {}
    for name, t in inputs.items():
        records.tensor(f"{prefix}/{name}", t)
        leaves[name] = t.clone().requires_grad_(t.is_floating_point())
    out = fn(**leaves)
    records.tensor(f"{prefix}/out", out)
    if not out.requires_grad:
        return
    g = torch.randn(out.shape, dtype=out.dtype)
    records.tensor(f"{prefix}/g", g)
    out.backward(g)
    for name, leaf in leaves.items():
        if leaf.requires_grad:
            grad = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
            records.tensor(f"{prefix}/grad_{name}", grad)


def ids(*values):
    return torch.tensor(values, dtype=torch.int64)


def randint(high, *shape):
    return torch.randint(0, high, shape, dtype=torch.int64)


# ---- gather: out[i][j] = x[index[i][j]][j] (dim 0)
case("gather/dim0", lambda x, index: x.gather(0, index),
     x=torch.randn(3, 4), index=ids([2, 0, 0, 1], [2, 2, 1, 0]))
case("gather/dim_neg", lambda x, index: x.gather(-1, index),
     x=torch.randn(3, 4), index=ids([3, 3], [0, 1], [1, 1]))
case("gather/smaller_index", lambda x, index: x.gather(1, index),
     x=torch.randn(4, 5), index=ids([4, 0, 4], [2, 2, 3]))
case("gather/longer_along_dim", lambda x, index: x.gather(0, index),
     x=torch.randn(2, 3), index=randint(2, 5, 3))
case("gather/3d", lambda x, index: x.gather(1, index),
     x=torch.randn(2, 3, 4), index=randint(3, 2, 5, 3))
case("gather/transposed", lambda x, index: x.t().gather(1, index.t()),
     x=torch.randn(4, 3), index=ids([0, 3, 3], [1, 0, 3]))
case("gather/empty_index", lambda x, index: x.gather(0, index),
     x=torch.randn(2, 3), index=torch.zeros(0, 5, dtype=torch.int64))
case("gather/empty_self", lambda x, index: x.gather(1, index),
     x=torch.randn(0, 3), index=torch.zeros(0, 2, dtype=torch.int64))
case("gather/scalar", lambda x, index: x.gather(0, index), x=torch.tensor(1.5), index=torch.tensor(0))
case("gather/scalar_self_vector_index", lambda x, index: x.gather(0, index),
     x=torch.tensor(-0.5), index=ids(0, 0, 0))

# ---- scatter_add: out = self; out[index[i][j]][j] += src[i][j] (dim 0)
case("scatter_add/dim0", lambda self, index, src: self.scatter_add(0, index, src),
     self=torch.randn(3, 4), index=ids([2, 0, 0, 1], [2, 2, 1, 0]), src=torch.randn(2, 4))
case("scatter_add/repeated_dim_neg", lambda self, index, src: self.scatter_add(-1, index, src),
     self=torch.randn(2, 5), index=ids([1, 1, 1, 4, 0, 1], [3, 3, 3, 3, 2, 2]), src=torch.randn(2, 6))
# src larger than index: only src's leading index-shaped block is read. PyTorch 1.13's
# backward rejects this shape (its src gradient is not padded), so the gradient comes
# from the same sum written with src narrowed, whose backward pads with zeros.
src_larger = dict(self=torch.randn(3, 4), index=ids([3, 3], [0, 2]), src=torch.randn(3, 3))
assert torch.equal(src_larger["self"].scatter_add(1, src_larger["index"], src_larger["src"]),
                   src_larger["self"].scatter_add(1, src_larger["index"], src_larger["src"][:2, :2]))
case("scatter_add/src_larger", lambda self, index, src: self.scatter_add(1, index, src[:2, :2]), **src_larger)
case("scatter_add/3d", lambda self, index, src: self.scatter_add(1, index, src),
     self=torch.randn(2, 3, 4), index=randint(3, 2, 4, 4), src=torch.randn(2, 4, 4))
case("scatter_add/transposed", lambda self, index, src: self.t().scatter_add(0, index.t(), src.t()),
     self=torch.randn(3, 4), index=ids([0, 3, 3, 1], [2, 2, 0, 0]), src=torch.randn(2, 4))
case("scatter_add/empty_index", lambda self, index, src: self.scatter_add(0, index, src),
     self=torch.randn(2, 3), index=torch.zeros(0, 3, dtype=torch.int64), src=torch.randn(0, 3))
case("scatter_add/scalar", lambda self, index, src: self.scatter_add(0, index, src),
     self=torch.tensor(0.25), index=torch.tensor(0), src=torch.tensor(2.0))
case("scatter_add/int64", lambda self, index, src: self.scatter_add(0, index, src),
     self=ids(1, 2, 3), index=ids(2, 2, 0, 2), src=ids(10, 20, 30, 40))

# ---- masked_fill: value where the mask is true; the mask broadcasts with x
def mask(*shape):
    return torch.rand(shape) < 0.5


case("masked_fill/same_shape", lambda x, mask: x.masked_fill(mask, 1.5), x=torch.randn(3, 4), mask=mask(3, 4))
case("masked_fill/row_mask_neg_inf", lambda x, mask: x.masked_fill(mask, float("-inf")),
     x=torch.randn(3, 4), mask=torch.tensor([True, False, False, True]))
case("masked_fill/column_mask", lambda x, mask: x.masked_fill(mask, -2.0),
     x=torch.randn(3, 4), mask=torch.tensor([[True], [False], [True]]))
case("masked_fill/mask_grows_x", lambda x, mask: x.masked_fill(mask, 5.0),
     x=torch.randn(4), mask=torch.tensor([[True, False, True, False], [False, False, True, True], [True] * 4]))
case("masked_fill/tensor_value", lambda x, mask, value: x.masked_fill(mask, value),
     x=torch.randn(2, 3), mask=mask(2, 3), value=torch.tensor(0.75))
case("masked_fill/transposed", lambda x, mask: x.t().masked_fill(mask.t(), 0.0),
     x=torch.randn(4, 3), mask=mask(4, 3))
case("masked_fill/empty", lambda x, mask: x.masked_fill(mask, 1.0), x=torch.randn(0, 3), mask=mask(3))
case("masked_fill/scalar", lambda x, mask: x.masked_fill(mask, 3.0), x=torch.tensor(-1.0), mask=torch.tensor(True))
case("masked_fill/int64_truncates", lambda x, mask: x.masked_fill(mask, -2.7),
     x=ids(5, 6, 7), mask=torch.tensor([True, False, True]))
case("masked_fill/bool_nonzero", lambda x, mask: x.masked_fill(mask, 0.5),
     x=torch.tensor([False, False, True]), mask=torch.tensor([True, False, False]))

# ---- cumsum: running sums; integer and bool inputs give int64
case("cumsum/dim0", lambda x: x.cumsum(0), x=torch.randn(3, 4))
case("cumsum/dim_neg", lambda x: x.cumsum(-1), x=torch.randn(2, 3, 4))
case("cumsum/middle", lambda x: x.cumsum(1), x=torch.randn(2, 3, 4))
case("cumsum/transposed", lambda x: x.t().cumsum(1), x=torch.randn(4, 3))
case("cumsum/empty_dim0", lambda x: x.cumsum(0), x=torch.randn(0, 3))
case("cumsum/empty_dim1", lambda x: x.cumsum(1), x=torch.randn(0, 3))
case("cumsum/scalar", lambda x: x.cumsum(0), x=torch.tensor(2.5))
case("cumsum/int32", lambda x: x.cumsum(0), x=torch.tensor([[3, -1], [2147483647, 5]], dtype=torch.int32))
case("cumsum/bool", lambda x: x.cumsum(1), x=torch.tensor([[True, False, True], [True, True, False]]))
# float32 sums in a double accumulator on the CPU: a float32 one would stay at 1e8.
case("cumsum/float32_accumulator", lambda x: x.cumsum(0),
     x=torch.tensor([1e8] + [1.0] * 9, dtype=torch.float32))
case("cumsum/float32_to_float64", lambda x: x.cumsum(1, dtype=torch.float64),
     x=torch.randn(2, 3, dtype=torch.float32))

# ---- one_hot (torch.nn.functional.one_hot): int64, classes along a new last dim
case("one_hot/infer", lambda index: F.one_hot(index), index=ids(0, 2, 1, 2))
case("one_hot/given", lambda index: F.one_hot(index, 5), index=ids([0, 4], [1, 1]))
case("one_hot/empty_given", lambda index: F.one_hot(index, 3), index=torch.zeros(2, 0, dtype=torch.int64))
case("one_hot/scalar", lambda index: F.one_hot(index), index=torch.tensor(2))

records.save("index_ops.txt")
