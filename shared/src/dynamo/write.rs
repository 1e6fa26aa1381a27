//! Building the items of a transaction.

use super::attr::{key_map, s, Item};
use super::build_error;
use super::keys::Key;
use crate::domain::TicketStatus;
use crate::ports::StoreError;
use aws_sdk_dynamodb::types::builders::{ConditionCheckBuilder, PutBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};

pub fn put(table: &str, item: Item) -> PutBuilder {
    Put::builder().table_name(table).set_item(Some(item))
}

pub fn update(table: &str, key: Key) -> UpdateBuilder {
    Update::builder().table_name(table).set_key(Some(key_map(key)))
}

pub fn check(table: &str, key: Key) -> ConditionCheckBuilder {
    ConditionCheck::builder().table_name(table).set_key(Some(key_map(key)))
}

pub fn tx_put(put: PutBuilder) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
}

pub fn tx_update(update: UpdateBuilder) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder().update(update.build().map_err(build_error)?).build())
}

pub fn tx_delete(table: &str, key: Key) -> Result<TransactWriteItem, StoreError> {
    let delete = aws_sdk_dynamodb::types::Delete::builder().table_name(table).set_key(Some(key_map(key)));
    Ok(TransactWriteItem::builder().delete(delete.build().map_err(build_error)?).build())
}

pub fn tx_check(check: ConditionCheckBuilder) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder().condition_check(check.build().map_err(build_error)?).build())
}

/// `#s IN (:s0, …)` over the statuses that pass `keep`, with its values; `#s` must be bound
/// to `status` (a reserved word).
pub fn status_in(keep: impl Fn(TicketStatus) -> bool) -> (String, Vec<(String, AttributeValue)>) {
    let values: Vec<(String, AttributeValue)> = TicketStatus::ALL
        .into_iter()
        .filter(|status| keep(*status))
        .enumerate()
        .map(|(i, status)| (format!(":s{i}"), s(status.code())))
        .collect();
    let names: Vec<&str> = values.iter().map(|(name, _)| name.as_str()).collect();
    (format!("#s IN ({})", names.join(", ")), values)
}
