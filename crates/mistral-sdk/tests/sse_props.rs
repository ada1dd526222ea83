//! Properties of the SSE decoder: any split of a valid stream gives the same events, and
//! arbitrary bytes never panic nor grow memory past the bound.

use mistral_sdk::sse::SseDecoder;
use proptest::prelude::*;

type Ev = (String, String, Option<String>);

fn decode(pieces: &[&[u8]], max: usize) -> (Vec<Ev>, bool) {
    let mut d = SseDecoder::with_max_event_bytes(max);
    let mut out = Vec::new();
    for piece in pieces {
        d.feed(piece);
        loop {
            match d.next_event() {
                Ok(Some(e)) => out.push((e.event.to_string(), e.data.to_string(), e.id.map(str::to_string))),
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
        assert!(d.buffered() <= max + piece.len(), "buffer grew past the bound");
    }
    (out, false)
}

fn line_end() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]
}

/// A valid stream: events of data lines (any text without CR/LF), with optional event/id
/// fields and comments, and the events expected from it.
fn stream() -> impl Strategy<Value = (Vec<u8>, Vec<Ev>)> {
    let event = (
        proptest::option::of("[a-z]{1,8}"),
        proptest::option::of("[a-z0-9]{0,4}"),
        proptest::collection::vec("[^\r\n]{0,20}", 1..4),
        proptest::bool::ANY,
        line_end(),
    );
    proptest::collection::vec(event, 0..6).prop_map(|events| {
        let mut bytes = String::new();
        let mut expected = Vec::new();
        let mut last_id: Option<String> = None;
        for (kind, id, data, comment, nl) in events {
            if comment {
                bytes.push_str(&format!(": keep-alive{nl}"));
            }
            if let Some(k) = &kind {
                bytes.push_str(&format!("event: {k}{nl}"));
            }
            if let Some(i) = &id {
                bytes.push_str(&format!("id: {i}{nl}"));
                last_id = Some(i.clone());
            }
            for line in &data {
                bytes.push_str(&format!("data: {line}{nl}"));
            }
            bytes.push_str(nl);
            expected.push((kind.unwrap_or_else(|| "message".into()), data.join("\n"), last_id.clone()));
        }
        (bytes.into_bytes(), expected)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_split_gives_the_same_events((bytes, expected) in stream(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for p in points {
            pieces.push(&bytes[start..p]);
            start = p;
        }
        pieces.push(&bytes[start..]);
        let (events, failed) = decode(&pieces, 1 << 20);
        prop_assert!(!failed);
        // A trailing lone "\r" event end is only complete once the next byte is seen, and a
        // stream's last event is complete at its blank line: every event is dispatched.
        prop_assert_eq!(events, expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16)) {
        let pieces: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let _ = decode(&pieces, 256);
    }
}

/// Many cases, for the fuzz record (`cargo test -p mistral-sdk --test sse_props -- --ignored`).
#[test]
#[ignore]
fn fuzz_arbitrary_bytes_long() {
    let mut runner =
        proptest::test_runner::TestRunner::new(ProptestConfig { cases: 200_000, ..ProptestConfig::default() });
    runner
        .run(&proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..128), 0..16), |chunks| {
            let pieces: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            let _ = decode(&pieces, 512);
            Ok(())
        })
        .unwrap();
}
