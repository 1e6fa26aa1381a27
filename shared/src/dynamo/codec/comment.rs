//! `TICKET#<id>` / `COMMENT#<comment id>`; `text` is absent when empty (a comment of files);
//! `files` (JSON) the files it came with, for its notices.

use crate::dialogue::StoredFile;
use crate::domain::{AuthorKind, Comment};
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;

pub fn to_item(comment: &Comment) -> Item {
    let mut item = keyed(keys::comment(comment.ticket_id, &comment.id));
    item.extend([
        ("id".to_owned(), s(&comment.id)),
        ("ticket_id".to_owned(), n(comment.ticket_id)),
        ("author_kind".to_owned(), s(author_kind(comment.author_kind))),
        ("author_id".to_owned(), s(&comment.author_id)),
        ("author_name".to_owned(), s(&comment.author_name)),
        ("internal".to_owned(), b(comment.internal)),
        ("created_at".to_owned(), time(comment.created_at)),
    ]);
    if !comment.text.is_empty() {
        item.insert("text".into(), s(&comment.text));
    }
    item
}

/// The comment's item with the files it came with.
pub fn to_item_with(comment: &Comment, files: &[StoredFile]) -> Result<Item, StoreError> {
    let mut item = to_item(comment);
    super::put_files(&mut item, files)?;
    Ok(item)
}

pub fn from_item(item: &Item) -> Result<Comment, StoreError> {
    Ok(Comment {
        id: required_s(item, "id")?,
        ticket_id: required_u64(item, "ticket_id")?,
        author_kind: match get_s(item, "author_kind") {
            Some("employee") => AuthorKind::Employee,
            Some("client") => AuthorKind::Client,
            _ => return Err(corrupt("comment author kind")),
        },
        author_id: required_s(item, "author_id")?,
        author_name: get_s(item, "author_name").unwrap_or_default().to_owned(),
        text: get_s(item, "text").unwrap_or_default().to_owned(),
        // Anything but an explicit `false` is kept from clients.
        internal: get_bool(item, "internal") != Some(false),
        created_at: required_time(item, "created_at")?,
    })
}

fn author_kind(kind: AuthorKind) -> &'static str {
    match kind {
        AuthorKind::Client => "client",
        AuthorKind::Employee => "employee",
    }
}
