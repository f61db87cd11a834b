"""The station checks at their thresholds (exact arithmetic at the edge)."""

from __future__ import annotations

from telnorm.service.protocol import checks
from telnorm.service.protocol.checks import DEFAULT_THRESHOLDS as T


def group(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "total_counted": 970,
        "rejected_votes": {"blanco": 20, "ongeldig": 10},
        "uncounted_votes": {"toegelaten kiezers": 1000},
    }
    base.update(values)
    return base


def test_rejected_share_crosses_at_exactly_three_percent() -> None:
    at = checks.rejected_share(group(rejected_votes={"blanco": 30, "ongeldig": 0}), "blanco")
    below = checks.rejected_share(group(rejected_votes={"blanco": 29, "ongeldig": 0}), "blanco")
    assert at is not None and at.crosses(T.blank_pct)
    assert below is not None and not below.crosses(T.blank_pct)


def test_rejected_share_does_not_apply_without_the_statistic() -> None:
    assert checks.rejected_share(group(rejected_votes={"blanco": 3}), "ongeldig") is None
    empty = group(total_counted=0, rejected_votes={"blanco": 0, "ongeldig": 0})
    assert checks.rejected_share(empty, "blanco") is None


def test_admitted_gap_by_count_or_by_percentage() -> None:
    by_count = checks.admitted_gap(group(uncounted_votes={"toegelaten kiezers": 985}))
    assert by_count is not None and by_count.gap == 15 and by_count.crosses(T)
    just_under = checks.admitted_gap(group(uncounted_votes={"toegelaten kiezers": 986}))
    assert just_under is not None and not just_under.crosses(T)
    small = group(total_counted=90, rejected_votes={"blanco": 5, "ongeldig": 5})
    by_pct = checks.admitted_gap({**small, "uncounted_votes": {"toegelaten kiezers": 98}})
    assert by_pct is not None and by_pct.gap == 2 and by_pct.crosses(T)  # 2 of 100 = 2%
    assert checks.admitted_gap(group(uncounted_votes={})) is None


def test_explanations_short_on_both_sides() -> None:
    more = {"toegelaten kiezers": 995, "te veel uitgereikte stembiljetten": 2, "geen verklaring": 1}
    assert checks.explanations_short(group(uncounted_votes=more)) == 2
    fewer = {"toegelaten kiezers": 1004, "meegenomen stembiljetten": 4, "geen verklaring": 0}
    assert checks.explanations_short(group(uncounted_votes=fewer)) == 0
    silent = {"toegelaten kiezers": 995, "geen verklaring": 0}
    assert checks.explanations_short(group(uncounted_votes=silent)) is None


def test_recounted_reads_either_wording() -> None:
    assert checks.recounted(group()) is None
    dso = {"onderzocht vanwege onverklaard verschil": True, "stembiljetten deels herteld": False}
    assert checks.recounted(group(investigations=dso)) is True
    cso = {"toegelaten kiezers opnieuw vastgesteld": True}
    assert checks.recounted(group(investigations=cso)) is True
    assert (
        checks.recounted(group(investigations={"onderzocht vanwege andere reden": True})) is False
    )


def _list(aff: str, **candidates: int) -> dict[str, object]:
    return {
        "affiliation_id": aff,
        "valid_votes": sum(candidates.values()),
        "candidates": [{"candidate_id": c[1:], "valid_votes": v} for c, v in candidates.items()],
    }


def test_swap_factor_five_is_flagged_and_just_under_is_not() -> None:
    # Rest of the municipality: candidate 1 has 900 of 1000, candidate 2 has 100.
    # At the unit (list 100 votes): expected 90 and 10.
    for over_votes, flagged in ((50, True), (49, False)):
        unit = {"selections": [_list("1", c1=100 - over_votes, c2=over_votes)]}
        rest = {"selections": [_list("1", c1=900, c2=100)]}
        total = checks.add_groups([unit, rest])
        swaps = checks.candidate_swaps(total, unit, 2, 2, T)
        assert swaps is not None
        # c2: 50 of 10 expected is 5x; c1: 50 of 90 is not <= 1/5 - so only with a partner.
        assert not swaps
        unit = {"selections": [_list("1", c1=10, c2=over_votes, c3=100 - 10 - over_votes)]}
        rest = {"selections": [_list("1", c1=900, c2=100, c3=0)]}
        swaps = checks.candidate_swaps(checks.add_groups([unit, rest]), unit, 2, 2, T)
        assert swaps is not None
        got = [(s.over.candidate_id, s.under.candidate_id) for s in swaps]
        assert (("2", "1") in got) is flagged, (over_votes, got)


def test_swaps_need_enough_units() -> None:
    unit = {"selections": [_list("1", c1=10, c2=90)]}
    assert checks.candidate_swaps(unit, unit, 1, 2, T) is None


def test_combining_with_the_neighbourhood_check() -> None:
    a = checks.Swap("1", checks.CandidateVotes("2", 50, 10), checks.CandidateVotes("1", 1, 90))
    b = checks.Swap("1", checks.CandidateVotes("3", 40, 5), checks.CandidateVotes("1", 1, 80))
    a_local = checks.Swap("1", checks.CandidateVotes("2", 50, 9), checks.CandidateVotes("1", 1, 91))
    assert checks.combine_swaps([a, b], None) == [a, b]
    assert checks.combine_swaps([a, b], [a_local]) == [a]  # the municipality's numbers
    assert checks.combine_swaps(None, [a_local]) == []
    assert checks.combine_swaps([a], []) == []


def test_list_shares_against_the_rest() -> None:
    unit = {"total_counted": 100, "selections": [_list("1", c1=80), _list("2", c1=20)]}
    total = {"total_counted": 1100, "selections": [_list("1", c1=280), _list("2", c1=820)]}
    shares = {s.affiliation_id: s for s in checks.list_shares(total, unit)}
    assert shares["1"].share == 80 and shares["1"].rest_share == 20
    assert [s.affiliation_id for s in checks.deviating_lists(total, unit, T)] == ["1", "2"]
