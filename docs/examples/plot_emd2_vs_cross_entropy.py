"""
The EMD² loss against cross-entropy on a small ordinal task
===========================================================

Six ordered classes (think star ratings) are read off a noisy 2-D feature. A small network is
trained twice from the same start, once with cross-entropy and once with cross-entropy
followed by CE + EMD² (:class:`emdkit.nn.CEEMD2Schedule`). Cross-entropy treats a prediction
off by five classes like one off by one; EMD² charges by distance. Whether that changes the
errors depends on the task: the numbers below are measured at build time, not promised. The
ordinal report (:doc:`/benchmarks`) compares the methods on real data sets with several seeds.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from emdkit.metrics import accuracy, mae
from emdkit.nn import CEEMD2Schedule

torch.manual_seed(0)
K, n = 6, 3000
rng = np.random.default_rng(0)
latent = rng.uniform(0, K, n)
x = np.column_stack([latent + rng.normal(0, 1.0, n), rng.normal(0, 1.0, n)])
y = np.clip(latent.astype(int), 0, K - 1)
X = torch.tensor(x, dtype=torch.float32)
Y = torch.tensor(y)
train, test = slice(0, 2000), slice(2000, None)


def train_model(loss_name: str, epochs: int = 100):
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, K))
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    # cross-entropy for 20 epochs, then CE + w·EMD² with w set from the two losses' ratio
    schedule = CEEMD2Schedule(warmup_epochs=20)
    history = []
    for epoch in range(epochs):
        logits = model(X[train])
        if loss_name == "CE + EMD²":
            loss = schedule.loss(logits, Y[train], epoch)
            schedule.end_epoch(epoch)  # one full batch per epoch
        else:
            loss = F.cross_entropy(logits, Y[train])
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            pred = model(X[test]).argmax(1).numpy()
        history.append((mae(y[test], pred), accuracy(y[test], pred)))
    return np.array(history), pred


runs = {name: train_model(name) for name in ("cross-entropy", "CE + EMD²")}
for name, (hist, pred) in runs.items():
    far = np.mean(np.abs(pred - y[test]) >= 2)
    print(f"{name:>14}: test MAE {hist[-1, 0]:.3f} classes, accuracy {hist[-1, 1]:.3f}, "
          f"off by 2 or more {far:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for name, (hist, pred) in runs.items():
    axes[0].plot(hist[:, 0], label=name)
    errors = np.bincount(np.abs(pred - y[test]), minlength=K)
    axes[1].plot(np.arange(K), errors / errors.sum(), "o-", label=name)
axes[0].set(xlabel="epoch", ylabel="test MAE (classes)", title="mean absolute error")
axes[1].set(xlabel="|predicted − true| (classes)", ylabel="fraction of test samples",
            yscale="log", title="how far off the mistakes are")
axes[0].legend()
fig.tight_layout()
