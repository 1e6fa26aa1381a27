//! `MSG#<chat id>#<message id>` / `MSG`: which ticket a message the bot sent is about.

use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;

/// `expires_at`: when DynamoDB's TTL removes it (seconds since the epoch).
pub fn to_item(chat_id: i64, message_id: i64, ticket_id: u64, expires_at: i64) -> Item {
    let mut item = keyed(keys::message_ticket(chat_id, message_id));
    item.extend([("ticket_id".to_owned(), n(ticket_id)), ("expires_at".to_owned(), n(expires_at))]);
    item
}

/// The ticket the message is about.
pub fn from_item(item: &Item) -> Result<u64, StoreError> {
    required_u64(item, "ticket_id")
}
