//! `ONCE#<key>` / `ONCE`: a staff API creation's answer under its Idempotency-Key.
//! `expires_at` (seconds since the epoch) is the BotTable's TTL attribute: DynamoDB removes the
//! item some time after; reads and the write's condition treat it as gone from that moment.

use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::{KeptResult, StoreError};
use chrono::{DateTime, Utc};

pub fn to_item(result: &KeptResult) -> Item {
    let mut item = keyed(keys::kept_result(&result.key));
    item.extend([
        ("key".to_owned(), s(&result.key)),
        ("request_hash".to_owned(), s(&result.request_hash)),
        ("status".to_owned(), n(result.status)),
        ("body".to_owned(), s(&result.body)),
        ("created_at".to_owned(), time(result.created_at)),
        ("expires_at".to_owned(), n(result.expires_at.timestamp())),
    ]);
    item
}

pub fn from_item(item: &Item) -> Result<KeptResult, StoreError> {
    let status = u16::try_from(required_u64(item, "status")?).map_err(|_| corrupt("kept result status"))?;
    let expires_at = i64::try_from(required_u64(item, "expires_at")?).map_err(|_| corrupt("kept result expiry"))?;
    Ok(KeptResult {
        key: required_s(item, "key")?,
        request_hash: required_s(item, "request_hash")?,
        status,
        body: required_s(item, "body")?,
        created_at: required_time(item, "created_at")?,
        expires_at: DateTime::<Utc>::from_timestamp(expires_at, 0).ok_or_else(|| corrupt("kept result expiry"))?,
    })
}
