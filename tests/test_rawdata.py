"""emdkit.rawdata: tables come back bit for bit, in order, with their Python types."""
import numpy as np
import pytest

from emdkit.rawdata import load_tables, protocol_amendments, save_tables


def test_tables_round_trip_bit_for_bit(tmp_path):
    x = np.random.default_rng(0).random(5)
    rows = [dict(d=i, w=float(x[i]), name=f"t{i}", ok=bool(i % 2), nan=float("nan")) for i in range(5)]
    save_tables(tmp_path / "r.npz", {"t": rows}, {"load": 1.5}, arrays={"m": np.eye(2, dtype=np.int8)})
    tables, meta, arrays = load_tables(tmp_path / "r.npz")
    back = tables["t"]
    assert [list(r) for r in back] == [list(r) for r in rows]
    assert [r["w"] for r in back] == [r["w"] for r in rows]  # exact floats
    assert all(type(r["d"]) is int and type(r["ok"]) is bool and type(r["name"]) is str for r in back)
    assert np.isnan(back[0]["nan"]) and meta == {"load": 1.5} and arrays["m"].dtype == np.int8


def test_bad_tables_name_the_table_and_column(tmp_path):
    with pytest.raises(ValueError, match="'t' has no rows"):
        save_tables(tmp_path / "r.npz", {"t": []})
    with pytest.raises(ValueError, match="row 1 has keys"):
        save_tables(tmp_path / "r.npz", {"t": [dict(a=1), dict(b=1)]})
    with pytest.raises(TypeError, match="t.a"):
        save_tables(tmp_path / "r.npz", {"t": [dict(a=1), dict(a="x")]})


def test_protocol_amendments_are_the_items_under_the_heading(tmp_path):
    p = tmp_path / "PROTOCOL.md"
    p.write_text("# P\n\n- not this\n\n## 9. Amendments\n\n- 2026-12-03: first,\n  continued\n- second\n")
    assert protocol_amendments(p) == ["2026-12-03: first, continued", "second"]
    p.write_text("# P\n\n## Amendments\n\n(none yet)\n")
    assert protocol_amendments(p) == []
    assert protocol_amendments(tmp_path / "missing.md") == []
