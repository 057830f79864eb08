"""Tables of rows kept as raw data: compressed ``.npz``, read back to the same Python values.

The reports under ``reports/`` are rebuilt from stored raw data (issue 26). A *table* is a list
of rows (dicts with the same keys, in the same order); each column is stored as one NumPy array
(float64, int64, bool or unicode), so a float comes back bit for bit and an int stays an int.
Free-form metadata (timings, settings, the machine's load) travels as one JSON string.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_META = "__meta__"
_ORDER = "__columns__"


def _column(values: list, where: str) -> np.ndarray:
    kinds = {type(v) for v in values}
    if kinds <= {bool, np.bool_}:
        return np.asarray(values, dtype=bool)
    if kinds <= {int, np.int64, np.int32}:
        return np.asarray(values, dtype=np.int64)
    if kinds <= {float, int, np.float64, np.float32, np.int64}:
        return np.asarray(values, dtype=np.float64)
    if kinds <= {str, np.str_}:
        return np.asarray(values, dtype=str)
    raise TypeError(f"{where}: a column must hold only numbers, booleans or strings, got "
                    f"{sorted(k.__name__ for k in kinds)}")


def save_tables(path: Path, tables: dict[str, list[dict]], meta: dict | None = None,
                arrays: dict[str, np.ndarray] | None = None) -> Path:
    """Write ``tables`` (name -> rows), ``meta`` (JSON-able) and extra ``arrays`` to ``path``.

    Raises
    ------
    ValueError
        A table is empty, or its rows do not share one set of keys.
    TypeError
        A column mixes strings and numbers.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, np.ndarray] = {}
    order = {}
    for name, rows in tables.items():
        if not rows:
            raise ValueError(f"table {name!r} has no rows")
        keys = list(rows[0])
        for i, row in enumerate(rows):
            if list(row) != keys:
                raise ValueError(f"table {name!r} row {i} has keys {list(row)}, expected {keys}")
        order[name] = keys
        for key in keys:
            payload[f"t/{name}/{key}"] = _column([row[key] for row in rows], f"{name}.{key}")
    for name, arr in (arrays or {}).items():
        payload[f"a/{name}"] = np.asarray(arr)
    payload[_META] = np.asarray(json.dumps(meta or {}, sort_keys=True))
    payload[_ORDER] = np.asarray(json.dumps(order))
    np.savez_compressed(path, **payload)
    return path


def _python(value):
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return str(value)


def load_tables(path: Path) -> tuple[dict[str, list[dict]], dict, dict[str, np.ndarray]]:
    """``(tables, meta, arrays)`` as written by :func:`save_tables`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.npz"
    >>> _ = save_tables(p, {"t": [dict(d=2, w=0.1, name="a"), dict(d=4, w=0.2, name="b")]}, {"s": 1})
    >>> tables, meta, _ = load_tables(p)
    >>> tables["t"][1], meta
    ({'d': 4, 'w': 0.2, 'name': 'b'}, {'s': 1})
    """
    with np.load(Path(path), allow_pickle=False) as data:
        order = json.loads(str(data[_ORDER]))
        meta = json.loads(str(data[_META]))
        tables = {}
        for name, keys in order.items():
            columns = [data[f"t/{name}/{k}"] for k in keys]
            tables[name] = [{k: _python(col[i]) for k, col in zip(keys, columns)}
                            for i in range(len(columns[0]))]
        arrays = {k[2:]: data[k] for k in data.files if k.startswith("a/")}
    return tables, meta, arrays


def protocol_amendments(protocol: Path) -> list[str]:
    """The dated amendments of a study's ``PROTOCOL.md``: the ``- `` items under its
    "Amendments" heading (empty when there are none, or no protocol file)."""
    protocol = Path(protocol)
    if not protocol.exists():
        return []
    items, inside = [], False
    for line in protocol.read_text().splitlines():
        if line.startswith("#"):
            inside = "amendments" in line.lower()
        elif inside and line.startswith("- "):
            items.append(line[2:].strip())
        elif inside and items and line.startswith("  "):
            items[-1] += " " + line.strip()
    return items
