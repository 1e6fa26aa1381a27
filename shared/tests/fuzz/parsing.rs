//! `inbound::parse_update` on mutated updates and arbitrary bytes: it never panics, whatever
//! is not a JSON object with an `update_id` is `Malformed` (400), and everything else keeps its
//! `update_id` (200, so that Telegram does not redeliver it forever).

use crate::updates::{self, corpus, Expected};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use shared::dialogue::{Command, Event};
use shared::inbound::{parse_update, Parsed, MAX_FILE_NAME_CHARS};
use shared::media::MAX_DOWNLOAD_BYTES;

/// The `update_id` of a body that is a JSON object with one (a non-negative integer).
fn update_id_of(body: &[u8]) -> Option<u64> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.as_object()?.get("update_id")?.as_u64()
}

/// The parsing property for one body.
fn check_parse(body: &[u8]) -> Result<Parsed, TestCaseError> {
    let parsed = parse_update(body);
    match (&parsed, update_id_of(body)) {
        (Parsed::Malformed(_), None) => {}
        (Parsed::Inbound(inbound), Some(update_id)) => {
            prop_assert_eq!(inbound.update_id, update_id);
            prop_assert!(inbound.chat_id > 0, "only private chats reach the dialogue: {inbound:?}");
            if let Event::Message(content) = &inbound.event {
                let carries = content.text.is_some() || !content.files.is_empty() || !content.too_large.is_empty();
                prop_assert!(carries, "an empty message is an unsupported one: {content:?}");
                prop_assert!(content.files.iter().all(|f| f.size.is_none_or(|size| size <= MAX_DOWNLOAD_BYTES)));
                // What the app stores from a message fits where it goes: names the user's record,
                // MIME types a Content-Type header, album ids a DynamoDB key.
                for file in &content.files {
                    prop_assert!(
                        file.name.chars().count() <= MAX_FILE_NAME_CHARS,
                        "a name of {} characters",
                        file.name.chars().count()
                    );
                    let header_value = |m: &str| m.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
                    prop_assert!(file.mime_type.as_deref().is_none_or(header_value), "MIME type {:?}", file.mime_type);
                }
                prop_assert!(
                    content.album.as_ref().is_none_or(|album| album.len() <= 256),
                    "an album id of {} bytes",
                    content.album.as_ref().map_or(0, String::len)
                );
            }
        }
        (Parsed::Ignored { update_id, .. } | Parsed::Incomplete { update_id, .. }, Some(expected)) => {
            prop_assert_eq!(*update_id, expected)
        }
        (parsed, expected) => {
            return Err(TestCaseError::fail(format!("{parsed:?} for a body whose update_id is {expected:?}")));
        }
    }
    Ok(parsed)
}

fn kind_of(parsed: &Parsed) -> Option<Expected> {
    Some(match parsed {
        Parsed::Inbound(inbound) => match inbound.event {
            Event::Command(Command::Start) | Event::OpenTicket(_) => Expected::Start,
            Event::Command(_) | Event::UnknownCommand => Expected::Command,
            Event::Contact { .. } => Expected::Contact,
            Event::Message(_) => Expected::Message,
            Event::Press { .. } => Expected::Press,
            Event::Unsupported(_) => Expected::Unsupported,
            Event::BlockedBot(_) => Expected::BlockedBot,
            Event::Edited { .. } => Expected::Edited,
        },
        Parsed::Ignored { .. } => Expected::Ignored,
        Parsed::Incomplete { .. } => Expected::Incomplete,
        Parsed::Malformed(_) => return None,
    })
}

/// The mutations start from updates that parse as Telegram means them.
#[test]
fn the_corpus_parses_as_telegram_means_it() {
    for (update, expected) in corpus() {
        let parsed = parse_update(&serde_json::to_vec(&update).unwrap());
        assert_eq!(kind_of(&parsed), Some(expected), "{update}");
    }
}

/// Nesting far past serde_json's recursion limit is refused, not a stack overflow.
#[test]
fn deep_nesting_is_malformed() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let body = format!("{{\"update_id\":1,\"message\":{}1{}}}", open.repeat(100_000), close.repeat(100_000));
        assert!(matches!(parse_update(body.as_bytes()), Parsed::Malformed(_)));
    }
}

proptest! {
    #![proptest_config(crate::config(2000))]

    #[test]
    fn mutated_updates_keep_their_update_id(update in updates::mutated_update()) {
        check_parse(&serde_json::to_vec(&update).unwrap())?;
    }

    #[test]
    fn corrupted_bodies_are_answered(
        (update, _) in proptest::sample::select(corpus()),
        corruptions in prop::collection::vec(updates::corruption(), 1..4),
    ) {
        let mut body = serde_json::to_vec(&update).unwrap();
        for corruption in &corruptions {
            corruption.apply(&mut body);
        }
        check_parse(&body)?;
    }

    #[test]
    fn json_of_any_shape_is_answered(
        value in updates::json_value(),
        update_id in prop::option::of(updates::odd_number()),
    ) {
        let mut value = value;
        if let (Value::Object(map), Some(update_id)) = (&mut value, update_id) {
            map.insert("update_id".into(), update_id);
        }
        check_parse(&serde_json::to_vec(&value).unwrap())?;
    }

    #[test]
    fn arbitrary_bytes_are_answered(body in prop::collection::vec(any::<u8>(), 0..1024)) {
        check_parse(&body)?;
    }
}
