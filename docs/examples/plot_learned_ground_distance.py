"""
A ground distance learned from features
=======================================

:class:`emdkit.nn.GroundDistanceLearner` learns the K×K ground distance between classes from
the network's own penultimate features, with no class order given: each class's features are
averaged into a centroid, and D is built from the percentile ranks of the distances between
centroids. Trained here on eight ordered classes with cross-entropy only, the learned D
recovers the order: near classes get small distances, far classes large ones.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from emdkit.nn import GroundDistanceLearner

torch.manual_seed(0)
K, n = 8, 2000
rng = np.random.default_rng(0)
latent = rng.uniform(0, K, n)
angle = latent / K * np.pi  # classes lie along an arc, in order
x = np.column_stack([np.cos(angle), np.sin(angle)]) * 3 + rng.normal(0, 0.35, (n, 2))
y = torch.tensor(np.clip(latent.astype(int), 0, K - 1))
X = torch.tensor(x, dtype=torch.float32)

body = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16),
                           torch.nn.ReLU())
head = torch.nn.Linear(16, K)
opt = torch.optim.Adam([*body.parameters(), *head.parameters()], lr=0.02)
learner = GroundDistanceLearner(num_classes=K, omega=1.0, mu=0.5)
for epoch in range(60):
    features = body(X)
    loss = F.cross_entropy(head(features), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    learner.accumulate(features.detach(), y)
    learner.end_epoch(epoch)

D = learner.history[-1]
true_gap = np.abs(np.subtract.outer(np.arange(K), np.arange(K)))
off = ~np.eye(K, dtype=bool)
rho = np.corrcoef(D[off], true_gap[off])[0, 1]
print(f"final cross-entropy {loss.item():.3f}; correlation of learned D with |i − j|: {rho:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, matrix, title in ((axes[0], learner.history[0], "learned D, epoch 0"),
                          (axes[1], D, f"learned D, epoch {learner.epochs[-1]}"),
                          (axes[2], true_gap, "|i − j| (never shown to the learner)")):
    im = ax.imshow(matrix, cmap="viridis")
    ax.set(title=title, xlabel="class j", ylabel="class i")
    fig.colorbar(im, ax=ax, shrink=0.8)
fig.tight_layout()
