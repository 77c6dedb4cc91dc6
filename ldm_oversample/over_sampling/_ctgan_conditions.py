"""CTGAN's conditional vectors: training-by-sampling, and the condition a
generated row of one class is drawn with (Xu et al., 2019), with the class
as an extra condition."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

__all__ = ["ConditionSampler", "generation_condition"]


class ConditionSampler:
    """CTGAN's training-by-sampling, with the class as an extra condition.

    In CTGAN a condition is drawn first (a categorical column uniformly, then one
    of its categories with probability proportional to ``log(1 + count)``) and
    then a real row holding it. Here the class is drawn first too (with
    log-frequency), and categories are counted within the class. The same joint
    law of (condition, row) is obtained by drawing the row first, with
    probability ``p(class) / J * sum_j q(class, j, x_j) / count(class, j, x_j)``,
    then the conditioned column ``j`` given the row, with probability
    proportional to ``q(class, j, x_j) / count(class, j, x_j)``. Drawing rows
    first lets the shared training loop draw the batches.
    """

    def __init__(self, encoder, x, labels, n_classes, log_frequency, device):
        self.x = x
        self.labels = torch.as_tensor(labels, dtype=torch.long, device=device)
        self.n_classes = n_classes
        spans = encoder.categorical_spans
        self.n_columns = len(spans)
        self.offset = spans[0].start if spans else x.shape[1]
        self.n_levels = x.shape[1] - self.offset
        self.cond_dim = n_classes + self.n_levels
        self.data_dim = x.shape[1]

        def weigh(counts: np.ndarray) -> np.ndarray:
            return np.log1p(counts) if log_frequency else counts.astype(np.float64)

        class_counts = np.bincount(labels, minlength=n_classes)
        class_prob = weigh(class_counts)
        class_prob = class_prob / class_prob.sum()
        x_np = x.cpu().numpy()
        column_weights = np.zeros((len(labels), self.n_columns))
        self.category_probs = np.zeros((n_classes, self.n_levels))
        owner = np.zeros(self.n_levels, dtype=np.int64)
        for j, span in enumerate(spans):
            codes = x_np[:, span.start : span.stop].argmax(axis=1)
            counts = np.bincount(
                labels * span.width + codes, minlength=n_classes * span.width
            ).reshape(n_classes, span.width)
            weights = weigh(counts)
            q = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
            f = counts[labels, codes]
            column_weights[:, j] = q[labels, codes] / f
            block = slice(span.start - self.offset, span.stop - self.offset)
            self.category_probs[:, block] = counts / np.maximum(
                counts.sum(axis=1, keepdims=True), 1
            )
            owner[block] = j
        if self.n_columns:
            row_weights = class_prob[labels] * column_weights.mean(axis=1)
        else:
            row_weights = class_prob[labels] / class_counts[labels]
        self.row_weights = torch.as_tensor(row_weights, dtype=torch.float64)
        self.column_weights = torch.as_tensor(
            column_weights, dtype=torch.float32, device=device
        )
        self.owner = torch.as_tensor(owner, device=device)

    def draw_rows(self, n: int, generator: torch.Generator) -> torch.Tensor:
        rows = torch.multinomial(
            self.row_weights.to(generator.device),
            n,
            replacement=True,
            generator=generator,
        )
        return rows.to(self.x.device)

    def condition(self, rows, generator):
        """Real rows, their conditional vectors ``[class one-hot, category]``, and
        the conditioned categorical column of each row (None without any)."""
        real = self.x[rows]
        class_part = F.one_hot(self.labels[rows], self.n_classes).to(real.dtype)
        if not self.n_columns:
            return real, class_part, None
        column = torch.multinomial(self.column_weights[rows], 1, generator=generator)
        category = real[:, self.offset :] * (self.owner[None, :] == column)
        return real, torch.cat([class_part, category], dim=1), column[:, 0]

    def condition_target(self, real, column):
        """Target one-hots and column mask of the generator's condition loss."""
        target = real.new_zeros(real.shape)
        if column is None:
            return target, real.new_zeros((len(real), 0))
        chosen = self.owner[None, :] == column[:, None]
        target[:, self.offset :] = real[:, self.offset :] * chosen
        return target, F.one_hot(column, self.n_columns).to(real.dtype)


def _category_table(spans, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column category probabilities, padded to a rectangle, and offsets."""
    offset = spans[0].start
    table = np.zeros((len(spans), max(s.width for s in spans)), dtype=np.float32)
    for k, span in enumerate(spans):
        table[k, : span.width] = probs[span.start - offset : span.stop - offset]
    starts = np.array([s.start - offset for s in spans], dtype=np.int64)
    return table, starts


def generation_condition(
    spans,
    probs: np.ndarray,
    class_index: int,
    n_classes: int,
    cond_dim: int,
    n: int,
    generator: torch.Generator,
) -> torch.Tensor:
    """Conditional vectors ``[class one-hot, category one-hot]`` for ``n``
    generated rows of one class: one categorical column per row, uniformly,
    and its category from the within-class frequencies ``probs``."""
    device = generator.device
    cond = torch.zeros((n, cond_dim), device=device)
    cond[:, class_index] = 1.0
    if spans:
        column = torch.randint(len(spans), (n,), generator=generator, device=device)
        table, starts = _category_table(spans, probs)
        level = torch.multinomial(
            torch.as_tensor(table, device=device)[column], 1, generator=generator
        )[:, 0]
        position = n_classes + torch.as_tensor(starts, device=device)[column]
        cond[torch.arange(n, device=device), position + level] = 1.0
    return cond
