"""Every call kind, through the real SDKs and the real exporter, against what Helicone's own
ingestion code stored for the same kind (tests/fixtures/call_kinds/, recorded with the
helicone-oracle by tools/record_call_kinds.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helicone_otel import attributes as A
from helicone_otel.testing import call_kinds

FIXTURES = {p.stem: json.loads(p.read_text()) for p in sorted((Path(__file__).parent / "fixtures" / "call_kinds").glob("*.json"))}


def test_every_call_kind_has_a_recorded_oracle_row():
    assert set(FIXTURES) == set(call_kinds.KINDS)
    for kind, fixture in FIXTURES.items():
        assert fixture["oracle"]["stored"] is True and fixture["oracle"]["http_status"] == 200, kind


@pytest.fixture(scope="module")
def live_spans(tmp_path_factory):
    """All kinds once through the real exporter into a real local collector."""
    from helicone_otel.collector import Collector
    from helicone_otel.testing import SpanCapture

    capture = SpanCapture()
    with Collector(str(tmp_path_factory.mktemp("kinds") / "requests.db"), port=0) as collector:
        logger = call_kinds.run(collector.url, list(call_kinds.KINDS), tracer_provider=capture.tracer_provider)
        stats = logger.stats()
        logger.shutdown()
        spans = {}
        for span in capture.spans():
            kind = (span.attributes or {}).get(A.PROPERTY_PREFIX + "CallKind")
            if kind:
                spans[kind] = span
        yield spans, stats, collector.store.requests()


def test_all_records_are_accepted_by_the_collector(live_spans):
    spans, stats, records = live_spans
    assert stats.dropped == 0 and stats.exported == len(call_kinds.KINDS)
    assert len(records) == len(call_kinds.KINDS)
    assert set(spans) == set(call_kinds.KINDS)


@pytest.mark.parametrize("kind", sorted(call_kinds.KINDS))
def test_span_cost_equals_what_helicone_charges(live_spans, kind):
    spans, _, _ = live_spans
    charged = FIXTURES[kind]["oracle"]["cost_usd"]
    ours = spans[kind].attributes.get(A.USAGE_COST)
    if kind in call_kinds.HELICONE_PRICES_DIFFER:  # both priced it, each at its own rates
        assert charged and ours and ours != pytest.approx(charged, rel=1e-9), call_kinds.HELICONE_PRICES_DIFFER[kind]
    elif kind in call_kinds.HELICONE_UNPRICED:  # Helicone has no price for it; ours is the price source's
        assert not charged and ours, call_kinds.HELICONE_UNPRICED[kind]
    elif charged:
        assert ours == pytest.approx(charged, rel=1e-9)
    else:  # failures, steps: nothing to charge
        assert not ours


@pytest.mark.parametrize("kind", sorted(call_kinds.KINDS))
def test_the_span_and_the_record_are_one_request(live_spans, kind):
    spans, _, records = live_spans
    request_id = spans[kind].attributes[A.HELICONE_REQUEST_ID]
    assert [r for r in records if r.id == request_id], f"no stored record with the span's request id {request_id}"
