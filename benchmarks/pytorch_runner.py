"""The workloads in PyTorch eager mode: dense (`run_pytorch`), CNN
(`run_pytorch_cnn`), LSTM (`run_pytorch_lstm`). Only if torch is installed
(`pip install torch`); never a dependency of tf1_dnn."""

import os

import numpy as np

from benchmarks.common import LEARNING_RATE, SEED, time_epochs


def run_pytorch(name, spec, data, n_epochs):
    """The workload in PyTorch eager mode (2nd-edition style loop)."""
    import torch
    from torch import nn
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    X_train, y_train, X_valid, y_valid = data
    sizes = [784] + list(spec["layers"]) + [10]
    act = {"leaky_relu": lambda: nn.LeakyReLU(0.01), "elu": nn.ELU,
           "relu": nn.ReLU}[spec["act"]]
    frozen = spec.get("frozen", 0)
    lower, upper = [], []
    for k in range(len(sizes) - 1):
        dense = nn.Linear(sizes[k], sizes[k + 1])
        if spec["init"] == "he":      # TF variance_scaling(2.0): trunc. normal
            std = (2.0 / sizes[k]) ** 0.5 / 0.87962566103423978
            nn.init.trunc_normal_(dense.weight, std=std, a=-2 * std,
                                  b=2 * std)
        else:                          # tf.layers.dense: Glorot uniform
            nn.init.xavier_uniform_(dense.weight)
        nn.init.zeros_(dense.bias)
        block = [dense]
        if spec["bn"]:                 # TF momentum 0.9 = torch momentum 0.1
            block.append(nn.BatchNorm1d(sizes[k + 1], eps=1e-3, momentum=0.1))
        if k < len(sizes) - 2:
            block.append(act())
        (lower if k < frozen else upper).extend(block)
    lower, upper = nn.Sequential(*lower), nn.Sequential(*upper)
    for p in lower.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.SGD(upper.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    X = torch.from_numpy(X_train)
    y = torch.from_numpy(y_train.astype(np.int64))
    if spec.get("cache"):
        with torch.no_grad():
            X = lower(X)
        lower_fn = nn.Identity()
    else:
        lower_fn = lower
    n_batches = len(X_train) // spec["batch"]

    def epoch_fn(epoch):
        upper.train()
        for idx in np.array_split(np.random.permutation(len(X_train)),
                                  n_batches):
            idx = torch.from_numpy(idx)
            xb, yb = X[idx], y[idx]
            with torch.no_grad():
                xb = lower_fn(xb)
            optimizer.zero_grad()
            loss = loss_fn(upper(xb), yb)
            loss.backward()
            if spec["clip"]:
                nn.utils.clip_grad_value_(upper.parameters(), spec["clip"])
            optimizer.step()

    wall, cpu = time_epochs(n_epochs, epoch_fn)
    upper.eval()
    with torch.no_grad():
        logits = upper(lower(torch.from_numpy(X_valid)))
        acc = (logits.argmax(1).numpy() == y_valid).mean()
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": None, "threads": torch.get_num_threads(),
            "trainable_parameters": sum(p.numel() for p in upper.parameters()
                                        if p.requires_grad)}


def _torch_setup():
    import torch
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    return torch


def _torch_loop(torch, model, optimizer, X, y, n_train, batch, n_epochs):
    """(wall, CPU) of epochs over X/y: the 2nd-edition style loop."""
    loss_fn = torch.nn.CrossEntropyLoss()
    n_batches = n_train // batch

    def epoch_fn(epoch):
        model.train()
        for idx in np.array_split(np.random.permutation(n_train), n_batches):
            idx = torch.from_numpy(idx)
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()

    return time_epochs(n_epochs, epoch_fn)


def _torch_accuracy(torch, model, X, y, chunk=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(X), chunk):
            logits = model(X[i:i + chunk])
            correct += int((logits.argmax(1).numpy() == y[i:i + chunk]).sum())
    return correct / len(X)


def run_pytorch_cnn(name, spec, data, n_epochs):
    """The CNN workload (benchmarks/cnn.py) in PyTorch eager mode: same
    layers, Glorot-uniform kernels and zero biases (tf.layers' defaults),
    Adam (0.001, eps 1e-8 as TF's), the same batch size and epochs."""
    torch = _torch_setup()
    from torch import nn
    X_train, y_train, X_valid, y_valid = data
    k = spec["ksize"]
    model = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, spec["conv1"], k, padding="same"), nn.ReLU(),
        nn.Conv2d(spec["conv1"], spec["conv2"], k, padding="same"),
        nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(spec["conv_dropout"]),
        nn.Linear(spec["conv2"] * 14 * 14, spec["fc1"]), nn.ReLU(),
        nn.Dropout(spec["fc1_dropout"]), nn.Linear(spec["fc1"], 10))
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-8)
    X = torch.from_numpy(X_train)
    y = torch.from_numpy(y_train.astype(np.int64))
    wall, cpu = _torch_loop(torch, model, optimizer, X, y, len(X_train),
                            spec["batch"], n_epochs)
    acc = _torch_accuracy(torch, model, torch.from_numpy(X_valid), y_valid)
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": None, "threads": torch.get_num_threads(),
            "trainable_parameters": sum(p.numel() for p in model.parameters())}


def run_pytorch_lstm(name, spec, data, n_epochs):
    """The LSTM workload (benchmarks/rnn.py) in PyTorch eager mode: `nn.LSTM`
    (batch_first) over the 28 rows, a linear layer on the last h, Adam."""
    torch = _torch_setup()
    from torch import nn
    X_train, y_train, X_valid, y_valid = data
    shape = (-1, spec["n_steps"], spec["n_inputs"])

    class RowLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(spec["n_inputs"], spec["n_neurons"],
                                batch_first=True)
            self.logits = nn.Linear(spec["n_neurons"], 10)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.logits(h[-1])

    model = RowLSTM()
    optimizer = torch.optim.Adam(model.parameters(),
                                 lr=spec["learning_rate"], eps=1e-8)
    X = torch.from_numpy(X_train.reshape(shape))
    y = torch.from_numpy(y_train.astype(np.int64))
    wall, cpu = _torch_loop(torch, model, optimizer, X, y, len(X_train),
                            spec["batch"], n_epochs)
    acc = _torch_accuracy(torch, model,
                          torch.from_numpy(X_valid.reshape(shape)), y_valid)
    return {"wall": wall, "cpu": cpu, "valid_accuracy": float(acc),
            "fast_run_stats": None, "threads": torch.get_num_threads(),
            "trainable_parameters": sum(p.numel() for p in model.parameters())}
