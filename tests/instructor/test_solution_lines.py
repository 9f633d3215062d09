"""What the leak scan counts as a solution line, and where it finds one (grader/frontends/publish/solution_lines.py)."""

from __future__ import annotations

import pytest

from grader.frontends.publish.solution_lines import SolutionLine, core_tokens, python_strings, sightings


@pytest.mark.parametrize(
    "line, core",
    [
        ("dW_rec += h_prev.T @ da", "h_prev . T @ da"),
        ("db += da.sum(axis=0)  # over the batch", "da . sum ( axis = 0 )"),  # a number is content, the comment is not
        (
            'dw = np.einsum("ncijpq,nfij->fcpq", windows, dout)',
            'np . einsum ( " ncijpq , nfij - > fcpq " , windows , dout )',
        ),
        ("return X @ W_q, X @ W_k, X @ W_v", "X @ W_q , X @ W_k , X @ W_v"),
        ("for k in range(X.shape[1], 0, -1):", "for k in range ( X . shape [ 1 ] , 0 , - 1 ) :"),
        ("err = -(y_i - a)", "- ( y_i - a )"),
    ],
)
def test_the_computing_part_of_a_line_is_compared(line: str, core: str) -> None:
    assert " ".join(core_tokens(line)) == core


@pytest.mark.parametrize(
    "line",
    [
        "return dx, dw, db",
        "self.w = None",
        "wx_grad = 0.0",
        "Q, K, V = project_qkv(X, W_q, W_k, W_v)",
        "dx = np.zeros_like(x)",
        "x = np.asarray(x, dtype=float)",
        "else:",
        "pass",
        "return a + b",
        "w_grad = x * err",
        "self.w -= w_grad",
        "# a comment only",
    ],
)
def test_lines_that_compute_nothing_or_are_short_are_trivial(line: str) -> None:
    assert core_tokens(line) is None


def _line(text: str) -> SolutionLine:
    core = core_tokens(text)
    assert core is not None
    return SolutionLine(text, core, "solutions/a/a.py:1")


@pytest.mark.parametrize(
    "text, where",
    [
        ("dW_rec += h_prev.T@da", 1),
        ("see\n`dW = h_prev.T @ da`이고 그다음", 2),
        ("first h_prev.T\n  @ da over two lines", 1),
    ],
)
def test_a_line_is_found_whatever_the_spacing_and_the_text_around_it(text: str, where: int) -> None:
    (sighting,) = sightings(text, [_line("dW_rec += h_prev.T @ da")])
    assert sighting.where == where


def test_token_boundaries_count_and_every_place_is_found() -> None:
    line = _line("e = np.exp(x - np.max(x))")
    assert list(sightings("np.exp(xx - np.max(xx))", [line])) == []
    assert [s.where for s in sightings("np.exp(x - np.max(x))\n\nnp.exp(x-np.max(x))", [line])] == [1, 3]


def test_python_strings_join_implicitly_concatenated_literals() -> None:
    source = 'hint = ("the gradient is h_prev.T "\n        "@ da")\nx = f"{y} and @ da"\n'
    strings = python_strings(source)
    assert (1, "the gradient is h_prev.T @ da") in strings
    assert [s.where for s in sightings(strings[0][1], [_line("dW_rec += h_prev.T @ da")])] == [1]
    assert python_strings("def broken(:\n") == []
