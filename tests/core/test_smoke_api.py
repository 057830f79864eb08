import numpy as np

import emdkit


def test_worked_example_follows_the_definition():
    # OpenCV divides by the larger total and answers 0.571; Rubner's definition gives 2.0
    r = emdkit.emd([2.0], [1.0, 1.0, 5.0], [[1.0, 3.0, 10.0]])
    assert r.distance == 2.0
    assert r.work == 4.0
    assert r.total_flow == 2.0
    np.testing.assert_array_equal(r.flow, [[1.0, 1.0, 0.0]])
