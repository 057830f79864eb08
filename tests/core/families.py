"""Problem families of issue 20, shared by the tests and bench/exactness_census.py (numpy
only, so that the census also runs against older checkouts)."""
import numpy as np

# The costs that forbid an arc in the big-M idiom
BIG_COSTS = (1e8, 1e10, 1e12)


def big_m_problem(rng, m, n, big, allowed=2):
    """Uniform weights, costs U(0, 1) on ``allowed`` random arcs of every row and of every
    column, ``big`` elsewhere: forbidding arcs by a big cost (POT's sparse-vs-dense test)."""
    mask = np.zeros((m, n), bool)
    for i in range(m):
        mask[i, rng.choice(n, min(allowed, n), replace=False)] = True
    for j in range(n):
        mask[rng.choice(m, min(allowed, m), replace=False), j] = True
    C = rng.random((m, n)) + big * ~mask
    return np.full(m, 1.0 / m), np.full(n, 1.0 / n), C


def split_copies(rng, n_points, d, max_repeats):
    """A signature against shuffled copies of its points that share each point's weight
    (SciPy's test_same_distribution_nD): the optimum is 0 up to the weights' rounding."""
    repeats = rng.integers(1, max_repeats, size=n_points)
    X = rng.random((n_points, d))
    Y = np.repeat(X, repeats, axis=0)
    wy = rng.random(int(repeats.sum()))
    wx = np.bincount(np.repeat(np.arange(n_points), repeats), weights=wy)
    order = rng.permutation(wy.shape[0])
    return X, wx, Y[order], wy[order]


def big_m_family(seed, count, sizes):
    """``count`` big-M problems of ``sizes[0]..sizes[1] - 1`` points a side."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        m, n = (int(x) for x in rng.integers(*sizes, size=2))
        yield big_m_problem(rng, m, n, float(rng.choice(BIG_COSTS)))


def split_copies_family(seed, count, small_every):
    """Every ``small_every``-th signature small enough for the rational LP, the others of
    5..59 points against up to 11 copies each, in 1..7 dimensions."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        small = k % small_every == 0
        n_points = int(rng.integers(2, 5)) if small else int(rng.integers(5, 60))
        yield split_copies(rng, n_points, int(rng.integers(1, 8)), 4 if small else 12)


def wide_range_problem(rng, sizes=(1, 6)):
    """Issue 11's family: costs 10^U(-12, 12) with 10% zeros, 20% zero weights, balanced half
    the time; ``sizes[0]..sizes[1] - 1`` points a side."""
    m, n = (int(x) for x in rng.integers(*sizes, size=2))
    C = 10.0 ** rng.uniform(-12, 12, size=(m, n))
    C[rng.random((m, n)) < 0.1] = 0.0
    a = rng.random(m) * 10.0 ** rng.uniform(-3, 3)
    b = rng.random(n) * 10.0 ** rng.uniform(-3, 3)
    a[rng.random(m) < 0.2] = 0.0
    b[rng.random(n) < 0.2] = 0.0
    a[rng.integers(m)] += 0.5
    b[rng.integers(n)] += 0.5
    if rng.random() < 0.5:  # balanced half the time
        b *= a.sum() / b.sum()
    return a, b, C
