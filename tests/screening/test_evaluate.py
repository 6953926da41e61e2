from __future__ import annotations

from faircollect.policy.screener import ScreenResult
from faircollect.screening.corpus_data import Record
from faircollect.screening.evaluate import cold_report, corpus_report, fraud_report, label_figures, macro_f1


def _res(labels: tuple[str, ...], verdict: str = "block") -> ScreenResult:
    return ScreenResult(labels=labels, verdict=verdict, debt_related=True)  # type: ignore[arg-type]


def _rec(labels: tuple[str, ...]) -> Record:
    return Record("i", "zh", "t", labels, True, "violation" if labels else "lawful", "sms", "f:1")


def test_label_figures() -> None:
    gold = [("abuse.insult",), (), ("abuse.insult", "threat.arrest")]
    pred = [("abuse.insult",), ("abuse.insult",), ("threat.arrest",)]
    f = label_figures(gold, pred)
    assert f["abuse.insult"].precision == 0.5 and f["abuse.insult"].recall == 0.5
    assert f["threat.arrest"].f1 == 1.0
    assert f["threat.violence"].f1 == 1.0  # nobody has it, nobody said it
    assert 0 < macro_f1(f) < 1


def test_verdict_shares() -> None:
    records = [_rec(()), _rec(()), _rec(("abuse.insult",)), _rec(("threat.arrest",))]
    results = [_res((), "allow"), _res(("abuse.insult",)), _res(("abuse.insult",)), _res((), "allow")]
    report = corpus_report(records, results)
    assert report["lawful_blocked"] == 0.5
    assert report["violations_allowed"] == 0.5


def test_out_of_domain_shares() -> None:
    cold = cold_report(
        [1, 1, 0, 3],
        [1, 1, 0, 0],
        [_res(("abuse.insult",)), _res((), "allow"), _res((), "allow"), _res(("abuse.insult",))],
    )
    assert cold["attacks_labelled_insult"] == 0.5 and cold["safe_given_label"] == 0.5
    fraud = fraud_report(
        ["01", "01", "01", "00"],
        [_res(("deception.legal",)), _res(("abuse.insult",)), _res((), "allow"), _res((), "allow")],
    )
    assert fraud["class01_legal_or_arrest"] == 0.3333 and fraud["class00_given_label"] == 0.0
    assert fraud["class01_flagged_any"] == 0.6667
