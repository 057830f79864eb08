"""The fused CPU kernel and the torch-op implementation agree in value and gradient."""
import pytest

torch = pytest.importorskip("torch")

from emdkit.core.engine import engine_name  # noqa: E402
from emdkit.core.threads import available_threads  # noqa: E402
from emdkit.nn import _cdf_kernel  # noqa: E402
from emdkit.nn import emd2 as emd2_module  # noqa: E402
from emdkit.nn import EMD2Loss, emd2_loss  # noqa: E402


def both_paths(fn, monkeypatch):
    monkeypatch.setattr(emd2_module, "USE_CPU_KERNEL", True)
    fused = fn()
    monkeypatch.setattr(emd2_module, "USE_CPU_KERNEL", False)
    ops = fn()
    return fused, ops


@pytest.mark.parametrize("k", [7, 70])  # both CPU kernels: column-major (small K) and row-wise
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kwargs", [
    {}, {"r": 1.0}, {"r": 3.0, "root": True}, {"normalize": "rps", "reduction": "none"},
    {"positions": [0.0, 2.0, 3.0, 7.0, 8.0, 20.0, 21.0]},
])
@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("from_logits", [True, False])
def test_fused_kernel_matches_torch_ops(k, dtype, kwargs, soft, from_logits, monkeypatch):
    g = torch.Generator().manual_seed(0)
    z = torch.randn(133, k, generator=g, dtype=dtype) * 3  # 133 rows: a partial block of 64
    if not from_logits:
        z = torch.softmax(z, 1)
    target = (torch.softmax(torch.randn(133, k, generator=g, dtype=dtype), 1) if soft
              else torch.randint(0, k, (133,), generator=g))
    if "positions" in kwargs:
        kwargs = dict(kwargs, positions=torch.cumsum(torch.rand(k, generator=g) + 0.1, 0))

    def run():
        x = z.clone().requires_grad_()
        loss = emd2_loss(x, target, from_logits=from_logits, **kwargs)
        loss.sum().backward()
        return loss.detach(), x.grad

    (lf, gf), (lo, go) = both_paths(run, monkeypatch)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(lf, lo, **tol)
    torch.testing.assert_close(gf, go, **tol)


def test_torch_op_path_passes_gradcheck(monkeypatch):
    monkeypatch.setattr(emd2_module, "USE_CPU_KERNEL", False)
    z = torch.randn(6, 5, dtype=torch.float64, requires_grad=True)
    t = torch.tensor([0, 4, 2, 1, 3, 2])
    for kwargs in ({}, {"r": 3.0}, {"root": True}, {"positions": [0.0, 1.0, 4.0, 5.0, 9.0]}):
        assert torch.autograd.gradcheck(lambda x: emd2_loss(x, t, **kwargs), (z,))


def test_kernel_does_not_overwrite_probability_input():
    p = torch.softmax(torch.randn(4, 5, dtype=torch.float64), 1)
    before = p.clone()
    x = p.clone().requires_grad_()
    emd2_loss(x, torch.tensor([0, 1, 2, 3]), from_logits=False).backward()
    torch.testing.assert_close(x.detach(), before)


def test_kernel_leaves_torch_thread_count_alone():
    """Numba's OpenMP pool resets the OpenMP thread count when it starts; torch must not notice
    (a fresh process, so that the pool really starts inside emd2_loss)."""
    import subprocess
    import sys
    code = ("import torch; torch.set_num_threads(1)\n"
            "from emdkit.nn import emd2_loss\n"
            "x = torch.randn(300, 8, requires_grad=True)\n"
            "emd2_loss(x, torch.randint(0, 8, (300,))).backward()\n"
            "print(torch.get_num_threads())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_thread_policy_one_thread_for_short_calls_and_the_users_limit_otherwise():
    cap = _cdf_kernel.MAX_THREADS
    assert emd2_module.kernel_threads(4096 * 100, -1) == 1
    assert emd2_module.kernel_threads(emd2_module.PARALLEL_MIN_ENTRIES, -1) == \
        max(1, min(torch.get_num_threads(), cap))
    assert emd2_module.kernel_threads(10, 64) == min(64, cap)


def test_the_thread_cap_is_the_engines():
    """Numba's pool has NUMBA_NUM_THREADS threads; the compiled engine may use every CPU in the
    affinity mask (NUMBA_NUM_THREADS still a limit where the user set it)."""
    if engine_name() == "native":
        assert _cdf_kernel.MAX_THREADS == available_threads()
    else:
        import numba
        assert _cdf_kernel.MAX_THREADS == numba.config.NUMBA_NUM_THREADS


def test_explicit_thread_counts_give_identical_results():
    g = torch.Generator().manual_seed(3)
    z = torch.randn(1027, 100, generator=g)
    t = torch.randint(0, 100, (1027,), generator=g)
    outs = []
    for n_jobs in (1, 2):
        x = z.clone().requires_grad_()
        loss = EMD2Loss(n_jobs=n_jobs)(x, t)
        loss.backward()
        outs.append((loss.detach(), x.grad))
    assert torch.equal(outs[0][0], outs[1][0]) and torch.equal(outs[0][1], outs[1][1])
    with pytest.raises(ValueError, match=r"n_jobs must be -1 \(all threads\) or >= 1"):
        emd2_loss(z, t, n_jobs=0)
    with pytest.raises(TypeError, match="n_jobs must be an integer"):
        EMD2Loss(n_jobs=1.5)


def closed_form_emd2(z, t, k):
    """Σ_{j<K−1} (F_j(softmax z) − [j ≥ t])² / K per row: the closed form on ordered classes."""
    cdf = torch.cumsum(torch.softmax(z, 1), 1)[:, :-1]
    step = (torch.arange(k - 1).unsqueeze(0) >= t.unsqueeze(1)).to(z.dtype)
    return ((cdf - step) ** 2).sum(1) / k


@pytest.mark.parametrize("k", [5, 70])  # both hard-target kernels
def test_the_gradient_buffer_handed_to_autograd_survives_repeated_and_scaled_backward(k):
    """The fused backward gives its buffer away: a second backward through the same graph
    recomputes it, a non-unit incoming gradient scales it, and accumulation into x.grad adds."""
    g = torch.Generator().manual_seed(k)
    z = torch.randn(9, k, generator=g, dtype=torch.float64)
    t = torch.randint(0, k, (9,), generator=g)
    reference = z.clone().requires_grad_()
    closed_form_emd2(reference, t, k).mean().backward()
    x = z.clone().requires_grad_()
    loss = emd2_loss(x, t)
    torch.testing.assert_close(loss, closed_form_emd2(z, t, k).mean(), rtol=1e-13, atol=0)
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    torch.testing.assert_close(first, reference.grad, rtol=1e-12, atol=1e-15)
    loss.backward(torch.tensor(-2.5, dtype=torch.float64), retain_graph=True)  # recomputed
    torch.testing.assert_close(x.grad, first * -1.5, rtol=1e-12, atol=1e-15)
    (grad_again,) = torch.autograd.grad(loss, x, torch.tensor(3.0, dtype=torch.float64))
    torch.testing.assert_close(grad_again, first * 3.0, rtol=1e-12, atol=1e-15)
    assert torch.autograd.gradcheck(lambda y: emd2_loss(y, t), (z.clone().requires_grad_(),))


def test_per_sample_losses_take_their_incoming_gradient_row_by_row():
    g = torch.Generator().manual_seed(1)
    z = torch.randn(10, 6, generator=g, dtype=torch.float64)
    t = torch.randint(0, 6, (10,), generator=g)
    weights = torch.rand(10, generator=g, dtype=torch.float64)
    x = z.clone().requires_grad_()
    (emd2_loss(x, t, reduction="none") * weights).sum().backward()
    reference = z.clone().requires_grad_()
    (closed_form_emd2(reference, t, 6) * weights).sum().backward()
    torch.testing.assert_close(x.grad, reference.grad, rtol=1e-12, atol=1e-15)


def test_the_backward_hands_over_the_kernel_buffer_without_a_copy(monkeypatch):
    """x.grad is the buffer the fused forward wrote the gradient into: no (B, K) product or
    copy in the backward (the point of the design, bench/RESULTS.md "Issue 22, second pass")."""
    addresses = []  # the buffer's address only: holding the tensor would force autograd to copy
    run_kernel = emd2_module._run_cdf_kernel

    def spy(*args, **kwargs):
        s, grad = run_kernel(*args, **kwargs)
        addresses.append(grad.data_ptr())
        return s, grad

    monkeypatch.setattr(emd2_module, "_run_cdf_kernel", spy)
    z = torch.randn(64, 100, requires_grad=True)
    emd2_loss(z, torch.randint(0, 100, (64,))).backward()
    assert addresses == [z.grad.data_ptr()]
