"""Philox4x32-10, the counter-based random number generator of Salmon et al. (2011).

Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
SC'11. A block of four 32-bit words is a pure function of a 128-bit counter and a
64-bit key: ten rounds of two 32x32 -> 64-bit multiplications, with the key bumped
by Weyl constants between rounds. Nothing is carried from one block to the next,
so any block can be computed alone, and a whole array of counters at once, with
numpy. The constants and the known-answer vectors in the tests are Random123's.
"""

from __future__ import annotations

import numpy as np

#: The round multipliers and the Weyl key increments of Philox4x32.
M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = 0x9E3779B9, 0xBB67AE85
ROUNDS = 10
_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
#: 2**-32: a 32-bit word w becomes the uniform (w + 0.5) * 2**-32, strictly inside (0, 1).
_SCALE = 2.0**-32


def philox4x32(
    counter: tuple[np.ndarray | int, np.ndarray | int, np.ndarray | int, np.ndarray | int],
    key: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four output words for each counter (c0, c1, c2, c3), under ``key`` (k0, k1).

    Args:
        counter: Four arrays (or ints) of 32-bit counter words, broadcast together.
        key: Two 32-bit key words.

    Returns:
        Four uint64 arrays holding 32-bit words, of the broadcast shape.
    """
    c0, c1, c2, c3 = np.broadcast_arrays(*(np.asarray(c, dtype=np.uint64) for c in counter))
    k0, k1 = int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF
    for _ in range(ROUNDS):
        p0 = M0 * c0
        p1 = M1 * c2
        c0, c1, c2, c3 = ((p1 >> _SHIFT) ^ c1 ^ np.uint64(k0), p1 & _LOW,
                          (p0 >> _SHIFT) ^ c3 ^ np.uint64(k1), p0 & _LOW)  # fmt: skip
        k0, k1 = (k0 + W0) & 0xFFFFFFFF, (k1 + W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def words_to_uniforms(words: np.ndarray) -> np.ndarray:
    """32-bit words as uniforms in (0, 1): (w + 0.5) / 2**32, never 0 or 1."""
    return (words.astype(np.float64) + 0.5) * _SCALE
