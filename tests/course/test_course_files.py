"""The course files agree with each other: contract signatures, markers, stubs and buggy variants.

- every graded function keeps the signature of the original exercises (the contract below);
- solution markers come in non-nested pairs and wrap every graded body;
- each stub is exactly the marker transformation of its reference;
- each buggy variant (tests/course/buggy/<id>/<name>.yaml, materialised by tests/course/variants.py)
  differs from the reference where its docstring says ("Affects: ...") and nowhere else, on fixed probe
  inputs.
"""

import ast
import importlib.util
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from grader.course import load_course
from grader.course.markers import strip_solutions
from grader.i18n import render
from tests.course.variants import variant, variants

ROOT = Path(__file__).resolve().parents[2]
IDS = ("rnn_backward", "conv", "logistic_regression", "self_attention")


CONTRACT = {
    "rnn_backward": {
        "update_state": "(xk, sk, wx, wRec)",
        "forward_states": "(X, wx, wRec)",
        "loss": "(y, t)",
        "output_gradient": "(y, t)",
        "backward_gradient": "(X, S, grad_out, wRec)",
        "rnn_forward": "(X, h0, W_x, W_rec, b)",
        "rnn_backward": "(dhs, X, hs, h0, W_x, W_rec, b, truncate=None)",
    },
    "conv": {
        "conv_output_size": "(input_size, filter_size, stride=1, pad=0, dilation=1)",
        "conv2d_output_shape": "(input_hw, kernel_hw, stride=1, pad=0)",
        "conv2d_forward": "(x, w, b, stride=1, pad=0)",
        "conv2d_backward": "(dout, x, w, b, stride=1, pad=0)",
        "max_pool2d_forward": "(x, size=2, stride=2)",
        "max_pool2d_backward": "(dout, x, size=2, stride=2)",
    },
    "logistic_regression": {
        "sigmoid": "(z)",
        "forward": "(X, w, b)",
        "loss": "(a, y)",
        "gradients": "(X, y, w, b)",
        "gradient_descent": "(X, y, lr=0.1, epochs=100)",
        "predict": "(X, w, b, threshold=0.5)",
        "LogisticNeuron.__init__": "(self)",
        "LogisticNeuron.forpass": "(self, x)",
        "LogisticNeuron.backprop": "(self, x, err)",
        "LogisticNeuron.activation": "(self, z)",
        "LogisticNeuron.fit": "(self, x, y, epochs=100)",
        "LogisticNeuron.predict": "(self, x)",
    },
    "self_attention": {
        "project_qkv": "(X, W_q, W_k, W_v)",
        "attention_scores": "(Q, K)",
        "scale_scores": "(scores, d_k)",
        "softmax": "(x, axis=-1)",
        "self_attention": "(X, W_q, W_k, W_v, mask=None)",
        "self_attention_backward": "(dZ, X, W_q, W_k, W_v)",
    },
}


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_path(aid):
    return ROOT / "solutions" / aid / f"{aid}.py"


def stub_path(aid):
    return ROOT / "assignments" / aid / f"{aid}.py"


def lookup(module, qualname):
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------------------
# markers and stubs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("aid", IDS)
def test_stub_is_the_marker_transformation_of_the_reference(aid):
    # The rule itself (every way markers can be wrong) is tested in tests/instructor/test_markers.py.
    reference = reference_path(aid)
    assert stub_path(aid).read_text(encoding="utf-8") == strip_solutions(
        reference.read_text(encoding="utf-8"), reference
    )


@pytest.mark.parametrize("aid", IDS)
def test_every_graded_body_is_wrapped_in_markers(aid):
    """Each contract function's body is docstring + one marker block, so its stub is exactly a raise."""
    tree = ast.parse(stub_path(aid).read_text(encoding="utf-8"))
    bodies = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    bodies[f"{node.name}.{item.name}"] = item.body
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            bodies[node.name] = node.body
    for qualname in CONTRACT[aid]:
        body = [
            stmt
            for stmt in bodies[qualname]
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        ]
        assert len(body) == 1 and isinstance(body[0], ast.Raise), qualname
        assert ast.unparse(body[0]) == "raise NotImplementedError", qualname


@pytest.mark.parametrize("aid", IDS)
def test_signatures_follow_the_contract_in_reference_and_stub(aid):
    for path in (reference_path(aid), stub_path(aid)):
        module = load(path, f"_signature_{aid}_{path.parent.parent.name}")
        for qualname, expected in CONTRACT[aid].items():
            assert str(inspect.signature(lookup(module, qualname))) == expected, (path, qualname)


@pytest.mark.parametrize("aid", IDS)
def test_stub_functions_raise_not_implemented(aid):
    module = load(stub_path(aid), f"_stub_{aid}")
    for qualname in CONTRACT[aid]:
        if "." in qualname:
            continue
        function = lookup(module, qualname)
        n_required = sum(p.default is inspect.Parameter.empty for p in inspect.signature(function).parameters.values())
        with pytest.raises(NotImplementedError):
            function(*[None] * n_required)
    if aid == "logistic_regression":
        with pytest.raises(NotImplementedError):
            module.LogisticNeuron()


@pytest.mark.parametrize("aid", IDS)
def test_readme_is_korean_first_and_covers_every_graded_function(aid):
    text = (ROOT / "assignments" / aid / "README.md").read_text(encoding="utf-8")
    korean, english = text.index("## 한국어"), text.index("## English")
    assert korean < english
    assert re.search(r"[\uac00-\ud7a3]", text[korean:english])  # Hangul in the Korean part
    for section in (text[korean:english], text[english:]):
        assert f"grader grade {aid}" in section
        for qualname in CONTRACT[aid]:
            if not qualname.endswith("__init__"):
                assert qualname.split(".")[-1] in section, qualname


# ---------------------------------------------------------------------------
# buggy variants
# ---------------------------------------------------------------------------


def _rnn_probes(rng):
    X, t = rng.normal(size=(4, 5)), rng.normal(size=4)
    S = 0.1 * np.cumsum(rng.normal(size=(4, 6)), axis=1)
    N, T, D, H = 2, 7, 3, 4
    rnn_args = (
        rng.normal(size=(N, T, D)),
        rng.normal(size=(N, H)) * 0.5,
        rng.normal(size=(D, H)) * 0.6,
        rng.normal(size=(H, H)) * 0.6,
        rng.normal(size=H) * 0.3,
    )
    dhs = rng.normal(size=(N, T, H))
    hs, h = np.empty((N, T, H)), rnn_args[1]
    for step in range(T):  # the forward pass, computed here so that each probe tests one function
        h = hs[:, step] = np.tanh(rnn_args[0][:, step] @ rnn_args[2] + h @ rnn_args[3] + rnn_args[4])

    def backward(m, truncate):
        return m.rnn_backward(dhs, rnn_args[0], hs, *rnn_args[1:], truncate=truncate)

    return {
        "update_state": [lambda m: m.update_state(X[:, 0], S[:, 0], 0.7, 1.3)],
        "forward_states": [lambda m: m.forward_states(X, 0.7, 1.3)],
        "loss": [lambda m: m.loss(X[:, 0], t)],
        "output_gradient": [lambda m: m.output_gradient(X[:, 0], t)],
        "backward_gradient": [lambda m: m.backward_gradient(X, S, t, 0.9)],
        "rnn_forward": [lambda m: m.rnn_forward(*rnn_args)],
        "rnn_backward": [lambda m: backward(m, None), lambda m: backward(m, 3), lambda m: backward(m, 1)],
    }


def _conv_probes(rng):
    x, w, b = rng.normal(size=(2, 3, 6, 7)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    dout = rng.normal(size=(2, 4, 3, 4))  # conv2d_output_shape((6, 7), (3, 2), 2, 1)
    pool_x = rng.permutation(2 * 2 * 6 * 6).reshape(2, 2, 6, 6) * 0.1
    ties = np.repeat(np.repeat(rng.normal(size=(1, 2, 2, 2)), 2, axis=2), 2, axis=3)  # constant 2x2 blocks
    return {
        "conv_output_size": [lambda m: [m.conv_output_size(*a) for a in ((5, 3), (7, 3, 2, 1), (9, 3, 1, 0, 3))]],
        "conv2d_output_shape": [lambda m: m.conv2d_output_shape((6, 7), (3, 2), 2, 1)],
        "conv2d_forward": [lambda m: m.conv2d_forward(x, w, b, 2, 1), lambda m: m.conv2d_forward(x, w, b)],
        "conv2d_backward": [lambda m: m.conv2d_backward(dout, x, w, b, 2, 1)],
        "max_pool2d_forward": [lambda m: m.max_pool2d_forward(pool_x), lambda m: m.max_pool2d_forward(pool_x, 3, 1)],
        "max_pool2d_backward": [
            lambda m: m.max_pool2d_backward(np.ones((2, 2, 3, 3)), pool_x),
            lambda m: m.max_pool2d_backward(np.ones((2, 2, 5, 5)), pool_x, 2, 1),
            lambda m: m.max_pool2d_backward(np.ones((1, 2, 2, 2)), ties),
        ],
    }


def _logistic_probes(rng):
    X = rng.normal(size=(12, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 > 0).astype(int)
    w = np.array([0.4, -0.3, 0.8])

    def neuron(m):
        model = m.LogisticNeuron()
        model.fit(X, y, epochs=3)
        return model.w, model.b, model.predict(X)

    return {
        "sigmoid": [lambda m: m.sigmoid(np.array([-1e4, -5.0, 0.0, 5.0, 1e4]))],
        "forward": [lambda m: m.forward(X, w, 0.2)],
        "loss": [
            lambda m: m.loss(np.linspace(0.1, 0.9, 12), y),
            lambda m: m.loss(np.array([0.0, 1.0, 1.0]), np.array([1, 0, 1])),
        ],
        "gradients": [lambda m: m.gradients(X, y, w, 0.2)],
        "gradient_descent": [lambda m: m.gradient_descent(X, y, lr=0.3, epochs=5)],
        "predict": [lambda m: m.predict(X, w * 0.2, 0.35)],
        "LogisticNeuron": [neuron],
    }


def _attention_probes(rng):
    X, W_q, W_k, W_v = (
        rng.normal(size=(4, 3)),
        rng.normal(size=(3, 2)),
        rng.normal(size=(3, 2)),
        rng.normal(size=(3, 5)),
    )
    Q, K = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    scores = rng.normal(size=(4, 4))
    dZ = rng.normal(size=(4, 5))
    causal = np.tril(np.ones((4, 4), dtype=bool))
    empty_row = causal.copy()
    empty_row[0] = False
    return {
        "project_qkv": [lambda m: m.project_qkv(X, W_q, W_k, W_v)],
        "attention_scores": [lambda m: m.attention_scores(Q, K)],
        "scale_scores": [lambda m: m.scale_scores(scores, 64)],
        "softmax": [
            lambda m: m.softmax(scores),
            lambda m: m.softmax(scores, axis=0),
            lambda m: m.softmax(np.array([[1e4, -1e4, 0.0]])),
        ],
        "self_attention": [
            lambda m: m.self_attention(X, W_q, W_k, W_v),
            lambda m: m.self_attention(X, W_q, W_k, W_v, mask=causal),
            lambda m: m.self_attention(X, W_q, W_k, W_v, mask=empty_row),
        ],
        "self_attention_backward": [lambda m: m.self_attention_backward(dZ, X, W_q, W_k, W_v)],
    }


PROBES = {
    "rnn_backward": _rnn_probes,
    "conv": _conv_probes,
    "logistic_regression": _logistic_probes,
    "self_attention": _attention_probes,
}


def run(probe, module):
    """The probe's result, or the exception type it raised (warnings and overflow count as errors)."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        warnings.simplefilter("error")
        try:
            return ("ok", probe(module))
        except Exception as error:  # a variant may crash where the reference does not
            return ("raised", type(error).__name__)


def same(a, b):
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or "O" in (a.dtype.kind, b.dtype.kind):
        return False
    if "b" in (a.dtype.kind, b.dtype.kind):
        return a.dtype == b.dtype and np.array_equal(a, b)
    return np.allclose(a, b, rtol=1e-9, atol=1e-12)


def affected(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    lines = doc.splitlines()
    assert lines[0].startswith("Bug: ") and any(line.startswith("Check: ") for line in lines), path
    return [name.strip() for name in next(line for line in lines if line.startswith("Affects: "))[9:].split(",")]


@pytest.mark.parametrize("aid", IDS)
def test_each_assignment_has_five_to_eight_buggy_variants(aid):
    assert 5 <= len(variants(aid)) <= 8


@pytest.mark.parametrize("aid", IDS)
def test_the_reference_passes_every_probe(aid):
    reference = load(reference_path(aid), f"_probe_reference_{aid}")
    probes = PROBES[aid](np.random.default_rng(0))
    assert set(probes) == {qualname.split(".")[0] for qualname in CONTRACT[aid]}  # everything is probed
    for name, function_probes in probes.items():
        for probe in function_probes:
            status, value = run(probe, reference)
            assert status == "ok", (name, value)


@pytest.mark.parametrize("aid, stem", [(aid, v.name) for aid in IDS for v in variants(aid)])
def test_buggy_variant_differs_exactly_where_it_says(aid, stem, tmp_path):
    path = variant(aid, stem).write(tmp_path)
    reference = load(reference_path(aid), f"_probe_reference_{aid}")
    module = load(path, f"_buggy_{aid}_{stem}")
    names = affected(path)
    probes = PROBES[aid](np.random.default_rng(0))
    assert set(names) <= set(probes), names
    for name, name_probes in probes.items():
        differs = [not same(run(p, reference), run(p, module)) for p in name_probes]
        if name in names:
            assert any(differs), f"{path.name}: {name} should differ from the reference but does not"
        else:
            assert not any(differs), f"{path.name}: {name} differs from the reference but is not listed"


def test_every_title_is_given_in_english_and_in_korean() -> None:
    """An English run shows no Korean heading and a Korean run no English one (one language per run)."""
    course = load_course(ROOT)
    hangul = re.compile(r"[\uac00-\ud7a3]")
    for title in [course.title, *(assignment.title for assignment in course.assignments)]:
        assert not isinstance(title, str), f"{title!r}: give {{en: ..., ko: ...}}"
        assert not hangul.search(render(title, "en")) and hangul.search(render(title, "ko")), title
