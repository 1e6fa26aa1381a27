//! `TICKET#<id>` / `ATT#<object key>`: a file in the bucket; `comment_id` when it came with one;
//! `files` (the file as a notice sends it) when a later album part brought it.

use crate::dialogue::StoredFile;
use crate::domain::Attachment;
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;
use chrono::{DateTime, Utc};

pub fn to_item(
    ticket_id: u64,
    attachment: &Attachment,
    now: DateTime<Utc>,
    part: Option<&StoredFile>,
) -> Result<Item, StoreError> {
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
    super::put_files(&mut item, part.map(std::slice::from_ref).unwrap_or_default())?;
    Ok(item)
}

/// What a later album part's attachment item tells of ([`to_item`]'s `part`).
pub struct Part {
    pub ticket_id: u64,
    pub comment_id: Option<String>,
    pub files: Vec<StoredFile>,
}

/// The [`Part`] an attachment item tells of; `None` for one that came with its ticket or comment.
pub fn part_of(item: &Item) -> Result<Option<Part>, StoreError> {
    let files = super::files_of(item)?;
    if files.is_empty() {
        return Ok(None);
    }
    let ticket_id = get_s(item, "pk").and_then(keys::ticket_id_of).ok_or_else(|| corrupt("attachment pk"))?;
    Ok(Some(Part { ticket_id, comment_id: get_s(item, "comment_id").map(str::to_owned), files }))
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
