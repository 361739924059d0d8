"""The record-then-judge protocol: the codec, the records file validation and the comparison."""

import json
import math
import os
import pickle

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.judge import RecordError, read_records
from labkit.codec import decode, dumps_strict, encode, loads_strict
from labkit.compare import compare
from labkit.grading import MALFORMED, Check, run_case

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=60, deadline=None)
@given(st.lists(floats, min_size=0, max_size=20))
def test_float64_tensors_round_trip_exactly_through_strict_json(values):
    t = torch.tensor(values, dtype=torch.float64)
    back = decode(loads_strict(dumps_strict(encode(t))))
    assert back.dtype == torch.float64 and back.shape == t.shape
    assert torch.equal(torch.isnan(back), torch.isnan(t))
    assert torch.equal(back[~torch.isnan(back)], t[~torch.isnan(t)])


def test_strict_json_refuses_nan_literals():
    with pytest.raises(ValueError):
        loads_strict('{"x": NaN}')
    assert decode(loads_strict(dumps_strict(encode({"x": math.inf}))))["x"] == math.inf


def test_decode_rejects_malformed_tensors():
    for bad in [{"__tensor__": {"dtype": "float64", "shape": [3], "data": [1.0]}},
                {"__tensor__": {"dtype": "object", "shape": [1], "data": [1]}},
                {"__tensor__": {"dtype": "float64", "shape": [1], "data": ["1"]}}]:
        with pytest.raises(ValueError):
            decode(bad)


def test_encode_strips_lying_objects():
    class Liar(int):
        def __eq__(self, other):
            return True

    assert type(encode(Liar(3))) is int
    with pytest.raises(TypeError):
        encode(object())


def test_compare_tells_near_misses_apart():
    exp = {"value": {"x": torch.tensor([1.0, 2.0], dtype=torch.float64)}}
    assert compare(exp, {"value": {"x": torch.tensor([1.0, 2.0], dtype=torch.float64)}}, 1e-6, 0) is None
    assert compare(exp, {"value": {"x": torch.tensor([1.0, 2.001], dtype=torch.float64)}}, 1e-6, 0)
    assert compare(exp, {"value": {"x": torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)}}, 1e-6, 0)
    assert compare(exp, {"value": {"x": torch.tensor([1.0, float("nan")], dtype=torch.float64)}}, 1e-6, 0)
    assert compare(exp, {"error": "ValueError", "message": ""}, 1e-6, 0)
    assert compare({"value": {"n": 4}}, {"value": {"n": 4.0}}, 0, 0), "an int answer must be an int"
    assert compare({"error": "ValueError"}, {"value": {"n": 4}}, 0, 0)


def _write(path, text_or_bytes):
    path.write_bytes(text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode())
    return path


def test_an_expected_error_must_come_from_the_code_under_test(tmp_path, monkeypatch):
    """A probe that unpacks what the code returned raises ValueError on a string; that must not pass for the
    ValueError the reference raises itself."""
    (tmp_path / "honest.py").write_text("def split(x):\n    if x < 0:\n        raise ValueError('negative')\n"
                                        "    return x, -x\n")
    (tmp_path / "lying.py").write_text("def split(x):\n    return 'not a pair'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import honest
    import lying

    def probe(mod, case):
        a, b = mod.split(case["x"])
        return {"a": a, "b": b}

    check = Check("split", 1, probe, public=[])
    expected = decode(run_case(check, honest, {"x": -1}))
    assert expected["error"] == "ValueError"
    got = decode(run_case(check, lying, {"x": -1}))
    assert got["error"] == MALFORMED and "ValueError" in got["message"]
    assert compare(expected, got, 1e-6, 1e-6).detail == f"expected ValueError, got {MALFORMED}"
    assert compare(decode(run_case(check, honest, {"x": 2})), decode(run_case(check, lying, {"x": 2})), 1e-6, 1e-6)


def test_read_records_accepts_a_well_formed_file(tmp_path):
    p = _write(tmp_path / "c.json", dumps_strict({"check": "c", "results": [{"value": encode({"x": 1})},
                                                                            {"error": "ValueError", "message": "m"}]}))
    results, evidence = read_records(p, "c", 2)
    assert results[0] == {"value": {"x": 1}} and evidence is None
    good = {"calls": {"Adam.step": ["torch.optim.adam.adam"]}, "direct": {}, "own": {}, "mro": {}, "foreign": {},
            "tampered": []}
    p = _write(tmp_path / "e.json", dumps_strict({"check": "c", "results": [{"value": 1}], "evidence": good}))
    assert read_records(p, "c", 1, with_evidence=True)[1] == good


@pytest.mark.parametrize("evidence", [
    None,
    {"calls": {}, "direct": {}, "own": {}, "mro": {}, "foreign": {}},
    {"calls": {"Adam": "torch.optim.adam.adam"}, "direct": {}, "own": {}, "mro": {}, "foreign": {}, "tampered": []},
    {"calls": {}, "direct": {}, "own": {}, "mro": {"Adam": [1]}, "foreign": {}, "tampered": []},
    {"calls": {}, "direct": {}, "own": {}, "mro": {}, "foreign": {}, "tampered": "no"},
])
def test_read_records_requires_well_formed_evidence_where_a_check_has_rules(tmp_path, evidence):
    data = {"check": "c", "results": [{"value": 1}]} | ({} if evidence is None else {"evidence": evidence})
    with pytest.raises(RecordError):
        read_records(_write(tmp_path / "c.json", dumps_strict(data)), "c", 1, with_evidence=True)


@pytest.mark.parametrize("content", [
    pickle.dumps({"check": "c", "results": []}),
    '{"check": "c", "results": [{"value": NaN}]}',
    '{"check": "c", "results": [], "extra": 1}',
    '{"check": "other", "results": [{"value": 1}]}',
    '{"check": "c", "results": [{"value": 1}, {"value": 2}]}',
    '{"check": "c", "results": [{"value": 1, "score": 10}]}',
    "x" * 9_000_000,
])
def test_read_records_rejects_forged_or_malformed_files(tmp_path, content):
    with pytest.raises((RecordError, ValueError)):
        read_records(_write(tmp_path / "c.json", content), "c", 1)


def test_read_records_refuses_symlinks_and_missing_files(tmp_path):
    target = _write(tmp_path / "real.json", json.dumps({"check": "c", "results": [{"value": 1}]}))
    os.symlink(target, tmp_path / "c.json")
    with pytest.raises(RecordError, match="regular file"):
        read_records(tmp_path / "c.json", "c", 1)
    with pytest.raises(RecordError, match="no outputs"):
        read_records(tmp_path / "missing.json", "c", 1)


def test_a_wrong_few_valued_hidden_answer_shows_neither_its_inputs_nor_its_value(tmp_path):
    """Told that a yes/no (or label) answer is wrong on inputs they can rerun, a student knows the expected one: at
    the default level the message names the case and the kind of failure only."""
    import types

    from autograder.judge import judge_check
    from autograder.labs import get_lab
    from labkit.grading import run_case

    lab = get_lab("lab02_linear_rnn")
    check = lab.checks["asymptotic_regime"]
    always = types.SimpleNamespace(asymptotic_regime=lambda W, tol=1e-6: "vanishing")
    cases = lab.cases("asymptotic_regime", "leak-test")
    records = tmp_path / "asymptotic_regime.json"
    records.write_text(dumps_strict({"check": "asymptotic_regime",
                                     "results": [run_case(check, always, c) for c in cases]}))
    inputs = judge_check(lab, "asymptotic_regime", cases, records, feedback="inputs").messages
    hidden = [m for m in inputs if m.startswith("hidden case")]
    assert hidden, "some hidden case expects another label"
    assert all("matrix=" not in m and "vanishing" not in m and "wrong answer" in m for m in hidden), hidden
    full = judge_check(lab, "asymptotic_regime", cases, records, feedback="full").messages
    assert any("matrix=" in m and "expected" in m for m in full if m.startswith("hidden case"))
