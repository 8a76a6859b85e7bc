from storyline.link import dedup

WIRE = ("The central bank raised its key interest rate by half a percentage point on Thursday, the biggest "
        "increase in two decades, as policymakers moved to rein in inflation that has climbed to the highest "
        "level since the early 1980s. The decision was unanimous, the bank said in a statement.")


def test_syndicated_copy_is_a_duplicate_and_other_text_is_not():
    copy = "By Staff Writer. " + WIRE + " Reporting by Jane Doe."
    other = ("Heavy rain flooded parts of the capital on Thursday, closing schools and roads while emergency "
             "services evacuated hundreds of residents from low-lying districts near the river.")
    a, b, c = dedup.signature(WIRE), dedup.signature(copy), dedup.signature(other)
    assert dedup.similarity(a, b) >= dedup.THRESHOLD
    assert dedup.similarity(a, c) < 0.3
    assert dedup.matches(b, [("other", c), ("wire", a)]) == ["wire"]
    assert dedup.matches(c, [("wire", a)]) == []


def test_near_duplicates_share_an_lsh_band_and_signatures_round_trip():
    a, b = dedup.signature(WIRE), dedup.signature(WIRE + " More to follow.")
    assert set(dedup.bands(a)) & set(dedup.bands(b))
    assert dedup.similarity(dedup.from_bytes(dedup.to_bytes(a)), a) == 1.0
    assert len(dedup.bands(a)) == dedup.BANDS
