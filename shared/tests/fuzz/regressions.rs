//! The smallest inputs the properties found that broke something, kept as plain tests.

use crate::dialogue::decide;
use crate::inputs::{Desk, ME};
use crate::limits::TEXT_MAX;
use crate::updates::corpus;
use serde_json::json;
use shared::dialogue::{self, Content, Event, Facts, Inbound, PhoneMatches, Reply, UserRecord};
use shared::domain::Link;
use shared::inbound::{parse_update, Parsed, MAX_FILE_NAME_CHARS};
use shared::test_util::fixtures::settings;

fn texts(replies: &[Reply]) -> Vec<&str> {
    replies
        .iter()
        .filter_map(|reply| match reply {
            Reply::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn from_me(event: Event) -> Inbound {
    Inbound { update_id: 1, user_id: ME, chat_id: ME as i64, event, language_code: None }
}

/// A photo size of `u32::MAX` × 853 overflowed the area in u32: a panic in a debug build, the
/// wrong size picked in release.
#[test]
fn a_photo_of_huge_sides_is_parsed() {
    let (mut update, _) = corpus().into_iter().find(|(u, _)| u["message"]["photo"].is_array()).expect("a photo");
    update["message"]["photo"][1]["width"] = json!(u32::MAX);
    let Parsed::Inbound(inbound) = parse_update(&serde_json::to_vec(&update).unwrap()) else { panic!("an update") };
    let Event::Message(content) = inbound.event else { panic!("a message") };
    assert_eq!(content.files[0].file_id, "p", "the largest size");
}

/// A contact card's phone is quoted in "not found": 5000 characters of it made a message
/// Telegram refuses, so the user was told nothing.
#[test]
fn a_long_phone_is_quoted_short() {
    let input = from_me(Event::Contact { phone: "7".repeat(5000), owner: Some(ME), card: Default::default() });
    let outcome = dialogue::step(&settings(), &UserRecord::default(), &input, &Facts::default()).expect("no lookup");
    let reply = texts(&outcome.replies)[0];
    assert!(reply.chars().count() < 300 && reply.contains("7777…"), "{reply}");
}

/// A file over the download limit is named in the warning: a name of 5000 characters made a
/// message Telegram refuses.
#[test]
fn a_long_file_name_is_quoted_short() {
    let user = UserRecord {
        link: Some(Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна".into() }),
        ..UserRecord::default()
    };
    let content = Content { too_large: vec!["я".repeat(5000)], ..Content::default() };
    let desk =
        Desk { matches: PhoneMatches::default(), tickets: vec![], next_ticket_id: 1, album: None, manager: None };
    let outcome = decide(&user, &from_me(Event::Message(content)), &desk).expect("an outcome");
    let warning = texts(&outcome.replies)[0];
    assert!(warning.chars().count() < TEXT_MAX && warning.contains("яя…"), "{warning}");
}

/// A document's name, MIME type and album id go into the user's record (at most 400 KB), a
/// Content-Type header and a DynamoDB key (at most 2 KB): each of these, huge or not a header
/// value, failed the update with a 500 that no redelivery could fix.
#[test]
fn what_a_document_declares_is_kept_within_where_it_goes() {
    let (mut update, _) = corpus().into_iter().find(|(u, _)| u["message"]["document"].is_object()).expect("a document");
    update["message"]["document"]["file_name"] = json!(format!("{}.pdf", "я".repeat(5000)));
    update["message"]["document"]["mime_type"] = json!("application/pdf\r\n\0");
    update["message"]["media_group_id"] = json!("7".repeat(5000));
    let Parsed::Inbound(inbound) = parse_update(&serde_json::to_vec(&update).unwrap()) else { panic!("an update") };
    let Event::Message(content) = inbound.event else { panic!("a message") };
    let name = &content.files[0].name;
    assert!(name.chars().count() == MAX_FILE_NAME_CHARS && name.ends_with("яя.pdf"), "{name}");
    assert_eq!(content.files[0].mime_type, None);
    assert_eq!(content.album, None);
}
