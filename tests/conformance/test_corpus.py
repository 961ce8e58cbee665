"""Conformance: our loader against Docker Compose v2.40.3's verdicts and models over the corpus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.corpus import Case, Outcome, cases, corpus_root, model_diff, run_case

if TYPE_CHECKING:
    import pytest

KNOWN = Path(__file__).with_name("known_differences.tsv")
MODEL_TARGET = 0.99


def _known() -> dict[tuple[str, str], str]:
    known = {}
    for line in KNOWN.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, case_id, reason = line.split("\t")
        known[(kind, case_id)] = reason
    return known


def test_corpus_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    root = corpus_root()
    known = _known()
    all_cases = cases(root)
    assert len(all_cases) > 500, "the corpus looks truncated"
    verdicts_agree = models_agree = accepted = 0
    unexplained: list[str] = []
    for case in all_cases:
        outcome = _run(case)
        if outcome.accepted == case.accepted:
            verdicts_agree += 1
        elif ("verdict", case.id) not in known:
            unexplained.append(
                f"verdict {case.id}: oracle {'accepts' if case.accepted else 'rejects'}, "
                f"we {'accept' if outcome.accepted else 'reject'}: {outcome.message[:200]}"
            )
        if not case.accepted:
            continue
        accepted += 1
        oracle = case.oracle()
        if oracle is not None and outcome.model is not None and not model_diff(oracle, outcome.model):
            models_agree += 1
        elif ("model", case.id) not in known and ("verdict", case.id) not in known:
            diff = model_diff(oracle, outcome.model) if oracle and outcome.model else ["(no model)"]
            unexplained.append(f"model {case.id}: " + "; ".join(diff[:3]))
    verdict_share = verdicts_agree / len(all_cases)
    model_share = models_agree / accepted
    with capsys.disabled():
        print(
            f"\ncorpus conformance vs Docker Compose v2.40.3: "
            f"verdict agreement {verdicts_agree}/{len(all_cases)} = {verdict_share:.1%}, "
            f"identical models {models_agree}/{accepted} = {model_share:.1%}, "
            f"documented differences {len(known)}"
        )
    assert not unexplained, "differences not listed in known_differences.tsv:\n" + "\n".join(unexplained)
    assert model_share >= MODEL_TARGET


def _run(case: Case) -> Outcome:
    return run_case(case)
