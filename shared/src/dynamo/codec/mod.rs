//! One codec per record: how each domain record becomes an item and back. Attribute names are
//! known here (and in the conditions of `apply.rs` and the ports' writes, next door).

pub mod attachment;
pub mod call_me;
pub mod comment;
pub mod directory;
pub mod failed_notice;
pub mod journal;
pub mod kept_result;
pub mod message_ticket;
pub mod rating;
pub mod ticket;
pub mod upload;
pub mod user;

/// `files` (JSON): the files a ticket or comment came with, on its item, so that the notices
/// made from its stream record alone carry them.
pub fn put_files(
    item: &mut crate::dynamo::attr::Item,
    files: &[crate::dialogue::StoredFile],
) -> Result<(), crate::ports::StoreError> {
    if !files.is_empty() {
        let json = serde_json::to_string(files).map_err(|_| crate::dynamo::attr::corrupt("files"))?;
        item.insert("files".into(), crate::dynamo::attr::s(json));
    }
    Ok(())
}

/// The files of an item ([`put_files`]); none on one written before they were kept.
pub fn files_of(
    item: &crate::dynamo::attr::Item,
) -> Result<Vec<crate::dialogue::StoredFile>, crate::ports::StoreError> {
    match crate::dynamo::attr::get_s(item, "files") {
        None => Ok(vec![]),
        Some(json) => serde_json::from_str(json).map_err(|_| crate::dynamo::attr::corrupt("files")),
    }
}
