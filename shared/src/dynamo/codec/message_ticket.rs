//! `MSG#<chat id>#<message id>` / `MSG`: which ticket a message is about (the bot's notice, or
//! the client's message that became it); `correction` and `corrected_at`: the comment a client's
//! last edit of the message made, and when.

use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::{RememberedMessage, StoreError};

/// `expires_at`: when DynamoDB's TTL removes it (seconds since the epoch).
pub fn to_item(chat_id: i64, message_id: i64, ticket_id: u64, expires_at: i64) -> Item {
    let mut item = keyed(keys::message_ticket(chat_id, message_id));
    item.extend([("ticket_id".to_owned(), n(ticket_id)), ("expires_at".to_owned(), n(expires_at))]);
    item
}

/// The ticket the message is about, and its last correction.
pub fn from_item(item: &Item) -> Result<RememberedMessage, StoreError> {
    let correction = match (get_s(item, "correction"), optional_time(item, "corrected_at")?) {
        (Some(comment_id), Some(at)) => Some((comment_id.to_owned(), at)),
        _ => None,
    };
    Ok(RememberedMessage { ticket_id: required_u64(item, "ticket_id")?, correction })
}
