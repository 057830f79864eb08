"""Small networks that train on a CPU in seconds; every one exposes its penultimate features.

The learned ground distance (``emdkit.nn.GroundDistanceLearner``) needs the features that feed
the last linear layer, so each model has ``forward_features(x) -> (logits, features)``.
"""
from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """Two hidden ReLU layers of ``hidden`` units, then a linear layer to ``num_classes`` logits."""

    def __init__(self, in_features: int, num_classes: int, hidden: int = 64) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, num_classes)

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.body(x)
        return self.head(features), features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]


class SmallCNN(nn.Module):
    """conv3x3(c1)-pool-conv3x3(c2)-pool-dense(hidden)-linear: about 10k-40k weights.

    Input (B, C, S, S) with S divisible by 4 (16 x 16 tiles, 8 x 8 digits).
    """

    def __init__(self, in_channels: int, size: int, num_classes: int, channels: tuple[int, int] = (8, 16),
                 hidden: int = 64) -> None:
        super().__init__()
        if size % 4:
            raise ValueError(f"size must be divisible by 4 (two 2x2 poolings), got {size}")
        c1, c2 = channels
        self.conv = nn.Sequential(nn.Conv2d(in_channels, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Flatten())
        self.dense = nn.Sequential(nn.Linear(c2 * (size // 4) ** 2, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, num_classes)

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.dense(self.conv(x))
        return self.head(features), features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]


def build_model(kind: str, input_shape: tuple[int, ...], num_classes: int, hidden: int = 64) -> nn.Module:
    """The model for a task of ``kind`` ("tabular" or "image") with inputs of ``input_shape``."""
    if kind == "tabular":
        if len(input_shape) != 1:
            raise ValueError(f"tabular input_shape must be (features,), got {input_shape}")
        return MLP(input_shape[0], num_classes, hidden)
    if kind == "image":
        if len(input_shape) != 3 or input_shape[1] != input_shape[2]:
            raise ValueError(f"image input_shape must be (C, S, S), got {input_shape}")
        return SmallCNN(input_shape[0], input_shape[1], num_classes, hidden=hidden)
    raise ValueError(f"kind must be 'tabular' or 'image', got {kind!r}")
