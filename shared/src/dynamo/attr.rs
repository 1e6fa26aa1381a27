//! Reading and writing attribute values.

use super::keys::Key;
use crate::ports::StoreError;
pub use aws_sdk_dynamodb::primitives::Blob;
pub use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// An item with its primary key and nothing else yet.
pub fn keyed(key: Key) -> Item {
    HashMap::from([("pk".to_owned(), s(key.pk)), ("sk".to_owned(), s(key.sk))])
}

/// The primary key as a request's `key` map.
pub fn key_map(key: Key) -> Item {
    keyed(key)
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn b(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

/// Times are stored as RFC 3339 text.
pub fn time(at: DateTime<Utc>) -> AttributeValue {
    s(at.to_rfc3339())
}

pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str)
}

pub fn required_s(item: &Item, name: &str) -> Result<String, StoreError> {
    get_s(item, name).map(str::to_owned).ok_or_else(|| StoreError::Corrupt(format!("attribute {name} missing")))
}

pub fn get_u64(item: &Item, name: &str) -> Option<u64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

pub fn required_u64(item: &Item, name: &str) -> Result<u64, StoreError> {
    get_u64(item, name).ok_or_else(|| StoreError::Corrupt(format!("attribute {name} is not a number")))
}

pub fn get_bool(item: &Item, name: &str) -> Option<bool> {
    item.get(name).and_then(|v| v.as_bool().ok()).copied()
}

pub fn required_time(item: &Item, name: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(&required_s(item, name)?)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not a time")))
}

pub fn optional_time(item: &Item, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    match get_s(item, name) {
        Some(_) => required_time(item, name).map(Some),
        None => Ok(None),
    }
}

pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}
