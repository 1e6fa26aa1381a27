//! `TICKET#<id>` / `LOG#<time>#<n>`: a journal entry.

use crate::domain::{Actor, JournalEntry};
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;

/// `tag` tells apart entries written at one moment ([`crate::ports::journal_tag`]).
pub fn to_item(ticket_id: u64, entry: &JournalEntry, tag: &str) -> Item {
    let mut item = keyed(keys::journal(ticket_id, &entry.at, tag));
    item.extend([
        ("at".to_owned(), s(&entry.at)),
        ("event".to_owned(), s(&entry.event)),
        ("by".to_owned(), s(entry.by.code())),
        ("details".to_owned(), s(&entry.details)),
    ]);
    item
}

pub fn from_item(item: &Item) -> Result<JournalEntry, StoreError> {
    Ok(JournalEntry {
        at: required_s(item, "at")?,
        event: required_s(item, "event")?,
        by: Actor::from_code(&required_s(item, "by")?).ok_or_else(|| corrupt("journal actor"))?,
        details: get_s(item, "details").unwrap_or_default().to_owned(),
    })
}
