"""The dense workloads in PyTorch eager mode (only if torch is installed:
`pip install torch`; never a dependency of tf1_dnn)."""

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
