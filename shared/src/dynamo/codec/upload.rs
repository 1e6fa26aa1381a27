//! `UPLOAD#<id>` / `UPLOAD`: a file a staff API client may upload (the declared name, type and
//! size, where it goes); `used_by` once a ticket or comment took it. `expires_at` (seconds
//! since the epoch) is the BotTable's TTL attribute: reads treat the record as gone from then.

use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::{StoreError, Upload};
use chrono::{DateTime, Utc};

pub fn to_item(upload: &Upload) -> Item {
    let mut item = keyed(keys::upload(&upload.id));
    item.extend([
        ("id".to_owned(), s(&upload.id)),
        ("name".to_owned(), s(&upload.name)),
        ("content_type".to_owned(), s(&upload.content_type)),
        ("size".to_owned(), n(upload.size)),
        ("key".to_owned(), s(&upload.key)),
        ("created_at".to_owned(), time(upload.created_at)),
        ("expires_at".to_owned(), n(upload.expires_at.timestamp())),
    ]);
    if let Some(by) = &upload.used_by {
        item.insert("used_by".to_owned(), s(by));
    }
    item
}

pub fn from_item(item: &Item) -> Result<Upload, StoreError> {
    let expires_at = i64::try_from(required_u64(item, "expires_at")?).map_err(|_| corrupt("upload expiry"))?;
    Ok(Upload {
        id: required_s(item, "id")?,
        name: required_s(item, "name")?,
        content_type: required_s(item, "content_type")?,
        size: required_u64(item, "size")?,
        key: required_s(item, "key")?,
        created_at: required_time(item, "created_at")?,
        expires_at: DateTime::<Utc>::from_timestamp(expires_at, 0).ok_or_else(|| corrupt("upload expiry"))?,
        used_by: get_s(item, "used_by").map(str::to_owned),
    })
}
