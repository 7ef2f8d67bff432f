"""Hidden checks for smoke/add: any correct `add` passes all of them."""

import math

from solution import add


def check_small_ints():
    assert add(1, 2) == 3
    assert add(2, 2) == 4


def check_negatives():
    return add(-2, -3)


def check_floats():
    assert math.isclose(add(0.1, 0.2), 0.3)
    assert math.isclose(add(1.5, -0.5), 1.0)


def check_large_ints():
    return add(10**20 - 1, 1)


def check_zero():
    return add(0, 0)
