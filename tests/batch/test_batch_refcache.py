"""Memoized reference calls: same answers as the reference, fresh copies, never a skipped side effect."""

from __future__ import annotations

import threading
import types
from collections import OrderedDict
from pathlib import Path

import numpy as np

from grader.course import load_course
from grader.engine.checks.coursecode import CourseCode
from grader.engine.checks.refcache import MemoizedModule, ReferenceCache, plain_size
from tests.engine.helpers import REFERENCE, grade_files


def counting_module() -> tuple[types.ModuleType, list[str]]:
    """A stand-in reference whose functions record each time they really run."""
    calls: list[str] = []
    module = types.ModuleType("fake_reference")

    def double(x, scale=2.0):
        calls.append("double")
        return x * scale

    def pair(x):
        calls.append("pair")
        return x.sum(), [x.copy(), {"max": x.max()}]

    def normalise_in_place(x):
        calls.append("normalise_in_place")
        x /= np.linalg.norm(x)
        return x

    def draw(rng):
        calls.append("draw")
        return rng.normal()

    class Model:
        pass

    def make_model():
        calls.append("make_model")
        return Model()

    def echo(x):
        calls.append("echo")
        return x

    for function in (double, pair, normalise_in_place, draw, make_model, echo):
        setattr(module, function.__name__, function)
    module.Model, module.EPS = Model, 1e-8
    return module, calls


def test_a_repeated_call_is_answered_from_the_cache_with_an_equal_result() -> None:
    module, calls = counting_module()
    memo = MemoizedModule(module, ReferenceCache())
    x = np.arange(6.0).reshape(2, 3)
    first, second = memo.double(x), memo.double(x.copy(), scale=2.0)
    assert calls == ["double", "double"]  # positional default vs keyword: different keys, both run
    third = memo.double(x.copy())
    assert calls == ["double", "double"] and np.array_equal(third, x * 2) and np.array_equal(first, second)


def test_results_are_fresh_copies_so_a_check_cannot_corrupt_the_cache() -> None:
    module, calls = counting_module()
    memo = MemoizedModule(module, ReferenceCache())
    x = np.ones(3)
    total, (copy, extra) = memo.pair(x)
    copy[:] = -1
    extra["max"] = "changed"
    _, (again, extra_again) = memo.pair(x)
    assert calls == ["pair"] and np.array_equal(again, np.ones(3)) and extra_again == {"max": 1.0}


def test_arrays_with_the_same_bytes_but_another_dtype_or_shape_are_different_questions() -> None:
    module, calls = counting_module()
    memo = MemoizedModule(module, ReferenceCache())
    flat = np.zeros(4)
    memo.double(flat)
    memo.double(flat.reshape(2, 2))
    memo.double(flat.view(np.int64))
    memo.double(flat[::2])  # a non-contiguous view: hashed by its values, not its buffer
    assert calls == ["double"] * 4
    assert memo.double(np.zeros((2, 2))).shape == (2, 2) and calls == ["double"] * 4


def test_values_that_look_alike_are_different_questions_and_answers_keep_their_type() -> None:
    module, calls = counting_module()
    memo = MemoizedModule(module, ReferenceCache())
    values = [
        1,
        1.0,
        True,
        "1",
        b"1",
        None,
        np.float64(1),
        np.int64(1),
        np.array(1.0),
        np.array([1.0]),
        np.array(1),
        [1],
        (1,),
        {"x": 1},
        ("a;b",),
        ("a", "b"),
        np.arange(6.0).reshape(2, 3).T,
    ]
    first = [memo.echo(value) for value in values]
    second = [memo.echo(value) for value in values]
    assert len(calls) == len(values)  # no two of them shared an answer; the second round was all hits
    for value, answer in zip(values, second):
        assert type(answer) is type(value) and np.array_equal(
            np.asarray(answer, dtype=object), np.asarray(value, dtype=object)
        )
    assert first[-1].shape == second[-1].shape == (3, 2)  # a transposed (non-contiguous) array, by its values


def test_a_function_that_changes_its_argument_is_never_memoized() -> None:
    module, calls = counting_module()
    memo = MemoizedModule(module, ReferenceCache())
    for _ in range(3):
        x = np.array([3.0, 4.0])
        memo.normalise_in_place(x)
        assert np.allclose(x, [0.6, 0.8])  # the side effect the caller relies on happened every time
    assert calls == ["normalise_in_place"] * 3


def test_calls_with_objects_that_are_not_plain_data_go_straight_to_the_reference() -> None:
    module, calls = counting_module()
    cache = ReferenceCache()
    memo = MemoizedModule(module, cache)
    values = [memo.draw(np.random.default_rng(seed)) for seed in (1, 2)]
    models = [memo.make_model(), memo.make_model()]
    assert calls == ["draw", "draw", "make_model", "make_model"]
    assert values[0] != values[1] and models[0] is not models[1] and isinstance(models[0], module.Model)
    assert cache.stats.hits == 0 and cache.stats.bypassed == 4


def test_everything_but_functions_is_the_modules_own_and_the_wrapper_is_a_module() -> None:
    module, _ = counting_module()
    memo = MemoizedModule(module, ReferenceCache())
    assert isinstance(memo, types.ModuleType) and memo.__name__ == "fake_reference"
    assert memo.EPS == 1e-8 and memo.Model is module.Model


def test_the_cache_stays_under_its_byte_limit_dropping_the_oldest_answers() -> None:
    module, calls = counting_module()
    cache = ReferenceCache(max_bytes=3 * (800 + 64))
    memo = MemoizedModule(module, cache)
    inputs = [np.full(100, float(i)) for i in range(5)]
    for x in inputs:
        memo.double(x)
    assert cache.size <= cache.max_bytes and len(cache.entries) == 3
    memo.double(inputs[4])  # recent: still cached
    memo.double(inputs[0])  # oldest: dropped, runs again
    assert calls == ["double"] * 6


def test_grading_with_a_memoized_reference_gives_the_same_report_and_reuses_answers(
    mini_course: Path, tmp_path: Path
) -> None:
    course = load_course(mini_course)
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "vectors.py").write_text(REFERENCE.replace("return a + b", "return a - b"))
    fresh = grade_files(course, submission)
    code = CourseCode(reuse=True, memoize=True)
    memoized = [grade_files(course, submission, code=code) for _ in range(2)]
    assert code.cache is not None and code.cache.stats.hits >= 1  # the second student's reference calls
    for report in memoized:
        assert [(c.name, c.status, c.message) for a in report.assignments for c in a.checks] == [
            (c.name, c.status, c.message) for a in fresh.assignments for c in a.checks
        ]


def test_an_eviction_by_another_thread_waits_for_a_lookup_in_progress() -> None:
    cache = ReferenceCache(max_bytes=plain_size(np.zeros(10)))  # room for one answer
    cache.put(b"a", np.zeros(10))
    paused, evicted = threading.Event(), threading.Event()

    class PausingEntries(OrderedDict):
        """Holds the lookup of "a" between finding it and marking it used: where another thread could evict it."""

        def get(self, key, default=None):
            value = super().get(key, default)
            if key == b"a" and not paused.is_set():
                paused.set()
                evicted.wait(0.5)  # every chance for the other thread to evict "a" right now
            return value

    cache.entries = PausingEntries(cache.entries)
    other = threading.Thread(target=lambda: (paused.wait(5), cache.put(b"b", np.ones(10)), evicted.set()))
    other.start()
    found, value = cache.get(b"a")  # unguarded, this raises KeyError: "a" was evicted mid-lookup
    other.join(5)
    assert found and np.array_equal(value, np.zeros(10)) and list(cache.entries) == [b"b"]
