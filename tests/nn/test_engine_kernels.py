"""The compiled CDF-loss kernels give the Numba kernels' bits on random calls, on any number
of threads, and refuse the calls that would read or write outside their arrays."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")

from tests.engines import native_engine_module, numba_copy_of  # noqa: E402

KERNEL_MODULE = "emdkit.nn._cdf_kernel"


@pytest.fixture(scope="module")
def engines():
    return numba_copy_of(KERNEL_MODULE), native_engine_module()


def random_call(seed: int, n: int, k: int, dtype, hard: bool, unit_gaps: bool) -> dict:
    """Arrays of one kernel call: probabilities of mixed scale, targets, gaps."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, k)) * rng.choice([0.1, 3.0, 30.0])
    p = np.exp(logits - logits.max(axis=1, initial=0.0, keepdims=True))
    p = (p / p.sum(axis=1, keepdims=True)).astype(dtype)
    soft = rng.dirichlet(np.ones(k), size=n).astype(dtype) if n and k else np.empty((n, k), dtype)
    return {
        "p": p,
        "t_index": rng.integers(0, k, n).astype(np.int64),
        "t_soft": np.empty((0, 0), dtype) if hard else soft,
        "gaps": np.ones(max(k - 1, 0)) if unit_gaps else rng.uniform(0.1, 5.0, max(k - 1, 0)),
    }


def bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def run_both(kernel: str, engines, call: dict, args: tuple, **native_threads):
    """(s, p) from the Numba kernel and from the compiled one, each on its own copy."""
    outputs = []
    for engine, extra in ((engines[0], {}), (engines[1], native_threads)):
        p = call["p"].copy()
        s = np.full(len(p), -1.0)
        head = (p, call["t_index"]) if kernel.startswith("cdf_loss_hard") else \
            (p, call["t_index"], call["t_soft"])
        getattr(engine, kernel)(*head, call["gaps"], *args, s, **extra)
        outputs.append((s, p))
    return outputs


def assert_same_bits(outputs):
    (s_numba, p_numba), (s_native, p_native) = outputs
    np.testing.assert_array_equal(bits(s_native), bits(s_numba))
    np.testing.assert_array_equal(bits(p_native), bits(p_numba))


calls = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1), "n": st.integers(0, 150), "k": st.integers(1, 90),
    "dtype": st.sampled_from([np.float32, np.float64]), "unit_gaps": st.booleans(),
    "through_softmax": st.booleans(), "with_grad": st.booleans(),
    "grad_scale": st.sampled_from([1.0, 1.0 / 7.0, 0.01, 3.0]),
})


@given(calls, st.sampled_from([1.0, 1.5, 2.0, 3.0]), st.booleans())
def test_rows_kernel_matches_numba_bit_for_bit(engines, c, r, hard):
    call = random_call(c["seed"], c["n"], c["k"], c["dtype"], hard, c["unit_gaps"])
    args = (r, hard, c["through_softmax"], c["with_grad"], c["grad_scale"])
    assert_same_bits(run_both("cdf_loss_rows", engines, call, args))


@pytest.mark.parametrize("kernel", ["cdf_loss_hard_squared_small_k",
                                    "cdf_loss_hard_squared_interleaved"])
@given(c=calls)
def test_hard_squared_kernels_match_numba_bit_for_bit(engines, kernel, c):
    call = random_call(c["seed"], c["n"], c["k"], c["dtype"], True, c["unit_gaps"])
    args = (c["through_softmax"], c["with_grad"], c["grad_scale"])
    assert_same_bits(run_both(kernel, engines, call, args))


@given(calls, st.sampled_from([1.0, 2.0, 2.5]), st.booleans(), st.integers(1, 4),
       st.sampled_from([0, 1, 8]))
def test_dispatch_matches_numba_on_any_thread_count(engines, c, r, hard, n_threads, chunk):
    call = random_call(c["seed"], c["n"], c["k"], c["dtype"], hard, c["unit_gaps"])
    args = (r, hard, c["through_softmax"], c["with_grad"], c["grad_scale"])
    assert_same_bits(run_both("cdf_loss", engines, call, args, n_threads=n_threads, chunk=chunk))


def test_threads_split_a_large_call_without_changing_a_bit(engines):
    """Enough rows for every thread to take many chunks (rows kernel, small-K and interleaved)."""
    for k, hard, r in ((9, True, 2.0), (100, True, 2.0), (40, False, 3.0)):
        call = random_call(k, 5003, k, np.float32, hard, False)
        args = (r, hard, True, True, 1.0 / 5003)
        for n_threads, chunk in ((1, 0), (2, 0), (3, 1), (4, 8)):
            assert_same_bits(run_both("cdf_loss", engines, call, args,
                                      n_threads=n_threads, chunk=chunk))


def test_dispatch_thresholds_are_the_python_ones(engines):
    numba_module, native = engines
    assert native.CDF_LOSS_SMALL_K == numba_module.SMALL_K
    assert native.CDF_LOSS_ROWS_PER_BLOCK == numba_module.ROWS_PER_BLOCK
    assert native.CDF_LOSS_INTERLEAVE == numba_module.INTERLEAVE


def test_outputs_are_never_replaced_by_converted_copies(engines):
    """A write into a converted copy would be lost: such arrays are refused instead."""
    native = engines[1]
    call = random_call(0, 8, 5, np.float64, True, True)
    gaps, t = call["gaps"], call["t_index"]
    p = call["p"]
    with pytest.raises(TypeError):
        native.cdf_loss(np.asfortranarray(p), t, p, gaps, 2.0, True, True, True, 1.0,
                        np.empty(8))
    with pytest.raises(TypeError):
        native.cdf_loss(p.copy(), t, p, gaps, 2.0, True, True, True, 1.0,
                        np.empty(8, np.float32))


def test_calls_that_would_leave_the_arrays_are_refused(engines):
    native = engines[1]
    call = random_call(1, 8, 5, np.float64, False, True)
    p, t, soft, gaps = call["p"], call["t_index"], call["t_soft"], call["gaps"]
    with pytest.raises(ValueError, match="s_out has 7 entries for 8 rows"):
        native.cdf_loss(p, t, soft, gaps, 2.0, False, True, True, 1.0, np.empty(7))
    with pytest.raises(ValueError, match="t_soft must have the shape of p"):
        native.cdf_loss(p, t, soft[:, :4].copy(), gaps, 2.0, False, True, True, 1.0, np.empty(8))
    with pytest.raises(ValueError, match="t_index must have one class index per row"):
        native.cdf_loss(p, t[:3].copy(), soft, gaps, 2.0, True, True, True, 1.0, np.empty(8))
    with pytest.raises(ValueError, match="gaps must have one entry"):
        native.cdf_loss(p, t, soft, gaps[:2].copy(), 2.0, True, True, True, 1.0, np.empty(8))
    with pytest.raises(ValueError, match="n_threads must be >= 1"):
        native.cdf_loss(p, t, soft, gaps, 2.0, True, True, True, 1.0, np.empty(8), 0)
