#!/usr/bin/python3
"""PyTorch 1.13 peer of examples/digits.cpp: the same recipe on the same file, one thread.

Pixels / 16, a seeded 1437 / 360 train / test split, Sequential(Linear(64, 128), ReLU,
Dropout(0.1), Linear(128, 10)), cross entropy, Adam(lr 1e-3), batch 32, shuffled every
epoch, 30 epochs. Prints the same summary lines as the C++ program:
    ms_per_epoch <wall> cpu <process cpu>
    test accuracy <fraction>

  /usr/bin/python3 bench/digits/digits_torch.py [--data data/digits.csv.gz] [--epochs 30] [--seed 0]
"""
import argparse
import gzip
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_digits(path):
    with gzip.open(path, "rt") as f:
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    data = torch.tensor(rows)
    return data[:, :64] / 16.0, data[:, 64].long()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/digits.csv.gz")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    images, labels = read_digits(args.data)
    n = labels.numel()
    n_test = min(360, n // 4)
    order = torch.randperm(n)
    train_idx, test_idx = order[: n - n_test], order[n - n_test:]
    x_train, y_train = images[train_idx], labels[train_idx]
    x_test, y_test = images[test_idx], labels[test_idx]

    net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
    adam = torch.optim.Adam(net.parameters(), lr=1e-3)
    wall = cpu = 0.0
    for _ in range(args.epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        shuffled = torch.randperm(x_train.shape[0])
        for begin in range(0, x_train.shape[0], 32):
            idx = shuffled[begin:begin + 32]
            loss = F.cross_entropy(net(x_train[idx]), y_train[idx])
            adam.zero_grad()
            loss.backward()
            adam.step()
            loss.item()  # as the C++ program, which reads every batch's loss
        wall += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
    net.eval()
    with torch.no_grad():
        accuracy = (net(x_test).argmax(1) == y_test).double().mean().item()
    print(f"ms_per_epoch {1000 * wall / args.epochs:.3f} cpu {1000 * cpu / args.epochs:.3f}")
    print(f"test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
