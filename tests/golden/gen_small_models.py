#!/usr/bin/python3
"""Golden values for tapegrad's small-model layers and losses (tests/nn/test_layers.cpp,
tests/nn/test_losses.cpp).

Run with /usr/bin/python3 (PyTorch 1.13); writes tests/golden/small_models.txt next to
this script, in golden_writer.py's record format. Each case "<family>/<case>" stores its inputs ("x", "target", ...), the output "y",
the upstream gradient "g" it was back-propagated with, and each input's gradient
("grad_x", ...). Values are float64 so the C++ side can compare to ~1e-12.
"""
import torch
import torch.nn.functional as F

from golden_writer import GoldenWriter

torch.manual_seed(0)
F64 = torch.float64
W = GoldenWriter()


def emit(key, t):
    W.tensor(key, t)


def case(key, fn, inputs, constants=None):
    """Runs fn(**inputs, **constants), stores inputs, y, g and the inputs' gradients."""
    leaves = {name: t.clone().requires_grad_(t.is_floating_point()) for name, t in inputs.items()}
    y = fn(**leaves, **(constants or {}))
    for name, t in {**inputs, **(constants or {})}.items():
        emit(f"{key}/{name}", t)
    emit(f"{key}/y", y)
    g = torch.linspace(-1.0, 2.0, y.numel(), dtype=F64).reshape(y.shape) if y.numel() > 1 else torch.ones_like(y)
    emit(f"{key}/g", g)
    if y.requires_grad and y.numel() > 0:
        y.backward(g)
    for name, leaf in leaves.items():
        if leaf.requires_grad:
            grad = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
            emit(f"{key}/grad_{name}", grad)


x_act = torch.tensor([-30.0, -3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.5, 30.0], dtype=F64)
x23 = torch.randn(2, 3, dtype=F64)
x234 = torch.randn(2, 3, 4, dtype=F64)

# ---------------------------------------------------------------- activations
case("act/relu", lambda x: F.relu(x), {"x": x_act})
case("act/leaky_relu", lambda x: F.leaky_relu(x), {"x": x_act})
case("act/leaky_relu_02", lambda x: F.leaky_relu(x, 0.2), {"x": x_act})
case("act/sigmoid", lambda x: torch.sigmoid(x), {"x": x_act})
case("act/tanh", lambda x: torch.tanh(x), {"x": x_act})
case("act/silu", lambda x: F.silu(x), {"x": x_act})
case("act/gelu", lambda x: F.gelu(x), {"x": x_act})
case("act/gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), {"x": x_act})
case("act/softmax_1", lambda x: F.softmax(x, 1), {"x": x23})
case("act/softmax_0", lambda x: F.softmax(x, 0), {"x": x23})
case("act/log_softmax_m1", lambda x: F.log_softmax(x, -1), {"x": x23})
case("act/relu_empty", lambda x: F.relu(x), {"x": torch.zeros(0, 3, dtype=F64)})
case("act/silu_empty", lambda x: F.silu(x), {"x": torch.zeros(0, 3, dtype=F64)})

# ---------------------------------------------------------------- dropout: the deterministic cases
case("dropout/p0", lambda x: F.dropout(x, 0.0, training=True), {"x": x23})
case("dropout/p1", lambda x: F.dropout(x, 1.0, training=True), {"x": x23})
case("dropout/eval", lambda x: F.dropout(x, 0.5, training=False), {"x": x23})
case("dropout/empty", lambda x: F.dropout(x, 0.5, training=True), {"x": torch.zeros(0, 4, dtype=F64)})

# ---------------------------------------------------------------- flatten
case("flatten/default", lambda x: torch.nn.Flatten()(x), {"x": x234})
case("flatten/0_1", lambda x: torch.nn.Flatten(0, 1)(x), {"x": x234})
case("flatten/m2_m1", lambda x: torch.nn.Flatten(-2, -1)(x), {"x": x234})
case("flatten/scalar", lambda x: torch.nn.Flatten(0, -1)(x), {"x": torch.tensor(3.5, dtype=F64)})

# ---------------------------------------------------------------- layer norm
w4 = torch.tensor([0.5, -1.0, 2.0, 1.5], dtype=F64)
b4 = torch.tensor([0.1, 0.0, -0.3, 0.2], dtype=F64)
case("layer_norm/affine", lambda x, w, b: F.layer_norm(x, [4], w, b), {"x": x234, "w": w4, "b": b4})
case("layer_norm/plain_2d", lambda x: F.layer_norm(x, [3, 4]), {"x": x234})
case("layer_norm/eps", lambda x: F.layer_norm(x, [4], eps=0.5), {"x": x234})
case("layer_norm/constant_rows", lambda x: F.layer_norm(x, [3]), {"x": torch.full((2, 3), 7.0, dtype=F64)})
case("layer_norm/empty_batch", lambda x, w, b: F.layer_norm(x, [4], w, b),
     {"x": torch.zeros(0, 4, dtype=F64), "w": w4, "b": b4})

# ---------------------------------------------------------------- cross entropy
logits = torch.randn(5, 4, dtype=F64) * 2
labels = torch.tensor([0, 3, 1, 3, 2])
labels_ignored = torch.tensor([0, -100, 1, 3, -100])
labels_ignore1 = torch.tensor([1, 3, 1, 0, 2])
probs = torch.softmax(torch.randn(5, 4, dtype=F64), 1)
for red in ["none", "mean", "sum"]:
    case(f"ce/index_{red}", lambda x, target: F.cross_entropy(x, target, reduction=red),
         {"x": logits}, {"target": labels})
    case(f"ce/ignore_{red}", lambda x, target: F.cross_entropy(x, target, reduction=red),
         {"x": logits}, {"target": labels_ignored})
    case(f"ce/smooth_{red}", lambda x, target: F.cross_entropy(x, target, reduction=red, label_smoothing=0.1),
         {"x": logits}, {"target": labels})
    case(f"ce/ignore1_smooth_{red}",
         lambda x, target: F.cross_entropy(x, target, reduction=red, ignore_index=1, label_smoothing=0.25),
         {"x": logits}, {"target": labels_ignore1})
    case(f"ce/probs_{red}", lambda x, target: F.cross_entropy(x, target, reduction=red), {"x": logits, "target": probs})
    case(f"ce/probs_smooth_{red}",
         lambda x, target: F.cross_entropy(x, target, reduction=red, label_smoothing=0.2),
         {"x": logits, "target": probs})
case("ce/single", lambda x, target: F.cross_entropy(x, target), {"x": logits[1]}, {"target": torch.tensor(2)})
case("ce/single_smooth", lambda x, target: F.cross_entropy(x, target, label_smoothing=0.3),
     {"x": logits[1]}, {"target": torch.tensor(2)})
case("ce/all_ignored_smooth", lambda x, target: F.cross_entropy(x, target, label_smoothing=0.1),
     {"x": logits[:2]}, {"target": torch.tensor([-100, -100])})
case("ce/empty_mean", lambda x, target: F.cross_entropy(x, target),
     {"x": torch.zeros(0, 4, dtype=F64)}, {"target": torch.zeros(0, dtype=torch.int64)})
case("ce/empty_sum", lambda x, target: F.cross_entropy(x, target, reduction="sum"),
     {"x": torch.zeros(0, 4, dtype=F64)}, {"target": torch.zeros(0, dtype=torch.int64)})
case("ce/full_smoothing", lambda x, target: F.cross_entropy(x, target, label_smoothing=1.0),
     {"x": logits}, {"target": labels})

# ---------------------------------------------------------------- nll loss
log_probs = torch.log_softmax(logits, 1)
for red in ["none", "mean", "sum"]:
    case(f"nll/ignore2_{red}", lambda x, target: F.nll_loss(x, target, reduction=red, ignore_index=2),
         {"x": log_probs}, {"target": torch.tensor([2, 0, 1, 2, 3])})

# ---------------------------------------------------------------- binary cross entropy
p_in = torch.tensor([0.0, 1e-8, 0.1, 0.5, 0.7, 0.999, 1.0, 0.3], dtype=F64)
y_in = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.25, 1.0, 1.0, 0.6], dtype=F64)
w_in = torch.tensor([1.0, 0.5, 2.0, 1.0, 3.0, 1.0, 0.0, 1.5], dtype=F64)
for red in ["none", "mean", "sum"]:
    case(f"bce/{red}", lambda x, target: F.binary_cross_entropy(x, target, reduction=red),
         {"x": p_in[2:6], "target": y_in[2:6]})
    case(f"bce/weight_{red}", lambda x, target, w: F.binary_cross_entropy(x, target, weight=w, reduction=red),
         {"x": p_in[2:6], "target": y_in[2:6]}, {"w": w_in[2:6]})
# At x = 0 and 1 the target gradient -logit(x) is infinite; only the input's is stored.
case("bce/edges", lambda x, target: F.binary_cross_entropy(x, target, reduction="sum"),
     {"x": p_in}, {"target": y_in})
case("bce/empty_mean", lambda x, target: F.binary_cross_entropy(x, target),
     {"x": torch.zeros(0, dtype=F64)}, {"target": torch.zeros(0, dtype=F64)})

# ---------------------------------------------------------------- l1 / smooth l1
a = torch.tensor([-2.0, -0.75, -0.2, 0.0, 0.3, 0.5, 1.0, 4.0], dtype=F64)
b = torch.tensor([0.0, 0.0, 0.1, 0.0, -0.4, 0.0, 0.0, 1.0], dtype=F64)
# beta = 0 is the l1 loss; there the inputs avoid input = target, where PyTorch's kernel
# takes -1 for both gradients (its x <= -beta branch) and tapegrad l1's subgradient 0.
b_untied = torch.tensor([0.0, 0.0, 0.1, 0.5, -0.4, 0.0, 0.0, 1.0], dtype=F64)
for red in ["none", "mean", "sum"]:
    case(f"l1/{red}", lambda x, target: F.l1_loss(x, target, reduction=red), {"x": a, "target": b})
    for beta in [1.0, 0.5, 0.0]:
        case(f"smooth_l1/beta{beta}_{red}",
             lambda x, target: F.smooth_l1_loss(x, target, reduction=red, beta=beta),
             {"x": a, "target": b if beta > 0 else b_untied})
case("l1/empty_mean", lambda x, target: F.l1_loss(x, target),
     {"x": torch.zeros(0, dtype=F64), "target": torch.zeros(0, dtype=F64)})

# ---------------------------------------------------------------- kl div
kl_in = torch.log_softmax(torch.randn(3, 4, dtype=F64), 1)
kl_target = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.0, 0.5, 0.5, 0.0], [0.25, 0.25, 0.25, 0.25]], dtype=F64)
kl_positive = torch.softmax(torch.randn(3, 4, dtype=F64), 1)
# A target with zeros is a constant here: PyTorch's target gradient there is nan (its
# xlogy backward divides 0 by 0), tapegrad's treats 0 log 0 as the constant 0.
for red in ["none", "mean", "sum", "batchmean"]:
    case(f"kl/{red}", lambda x, target: F.kl_div(x, target, reduction=red), {"x": kl_in}, {"target": kl_target})
    case(f"kl/positive_{red}", lambda x, target: F.kl_div(x, target, reduction=red),
         {"x": kl_in, "target": kl_positive})
    case(f"kl/log_target_{red}", lambda x, target: F.kl_div(x, target, reduction=red, log_target=True),
         {"x": kl_in, "target": torch.log_softmax(torch.randn(3, 4, dtype=F64), 1)})

W.save("small_models.txt")
