//! `TICKET#<id>` / `ATT#<object key>`: a file in the bucket; `comment_id` when it came with one.

use crate::domain::Attachment;
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;
use chrono::{DateTime, Utc};

pub fn to_item(ticket_id: u64, attachment: &Attachment, now: DateTime<Utc>) -> Item {
    let mut item = keyed(keys::attachment(ticket_id, &attachment.key));
    item.extend([
        ("name".to_owned(), s(&attachment.name)),
        ("content_type".to_owned(), s(&attachment.content_type)),
        ("size".to_owned(), n(attachment.size)),
        ("key".to_owned(), s(&attachment.key)),
        ("created_at".to_owned(), time(now)),
    ]);
    if let Some(comment_id) = &attachment.comment_id {
        item.insert("comment_id".into(), s(comment_id));
    }
    item
}

pub fn from_item(item: &Item) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        name: required_s(item, "name")?,
        content_type: required_s(item, "content_type")?,
        size: get_u64(item, "size").unwrap_or(0),
        key: required_s(item, "key")?,
        comment_id: get_s(item, "comment_id").map(str::to_owned),
    })
}
