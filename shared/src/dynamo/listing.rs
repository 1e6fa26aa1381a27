//! Newest-first pages of index partitions: what the staff API lists, read without a scan.
//!
//! A listing is one or more partitions of an index sorted by `created_at` (the status codes of
//! `ByStatus` for "every ticket", one contact's partition of `ByContact`, ...). Each partition is
//! read from the cursor's moment down until its first `limit` records after the cursor are
//! certain, the partitions' records are merged in listing order (time, then id), and the page is
//! cut from them.

use super::attr::*;
use super::{failed, DynamoStore};
use crate::ports::{Listed, Page, Position, StoreError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;

impl DynamoStore {
    /// The query of one index partition (`attribute = value`), newest first, from the cursor's
    /// moment down. Callers may add a filter (with placeholders other than `#p`, `:p`, `:at`).
    pub(super) fn partition_query(
        &self,
        index: &str,
        attribute: &str,
        value: &str,
        cursor: Option<&Position>,
    ) -> QueryFluentBuilder {
        let query = self
            .client
            .query()
            .table_name(&self.tickets_table)
            .index_name(index)
            .expression_attribute_names("#p", attribute)
            .expression_attribute_values(":p", s(value))
            .scan_index_forward(false);
        match cursor {
            Some(cursor) => query
                .key_condition_expression("#p = :p AND created_at <= :at")
                .expression_attribute_values(":at", time(cursor.at)),
            None => query.key_condition_expression("#p = :p"),
        }
    }
}

impl DynamoStore {
    /// The query of one index partition's records made at `since` or later, newest first.
    pub(super) fn partition_query_since(
        &self,
        index: &str,
        attribute: &str,
        value: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.tickets_table)
            .index_name(index)
            .key_condition_expression("#p = :p AND created_at >= :since")
            .expression_attribute_names("#p", attribute)
            .expression_attribute_values(":p", s(value))
            .expression_attribute_values(":since", time(since))
            .scan_index_forward(false)
    }
}

/// The most items a filtered query evaluates per request. DynamoDB applies `Limit` before the
/// filter: a limit of the page size would walk a partition of records the filter drops a page
/// size at a time (two items a request for a page of one). A filtered read starts at the page
/// size and reads five times as much each time the filter left it short, up to this.
const FILTERED_BATCH: usize = 250;

/// A condition of a listing's filter.
pub(super) enum Condition<'a> {
    /// The attribute has this value (`(name, placeholder, value)`).
    Equals(&'a str, &'a str, &'a str),
    /// The attribute is there (`true`) or not.
    Exists(&'a str, bool),
}

/// `query` keeping only items that meet every condition (names are aliased, `status` being a
/// reserved word).
pub(super) fn filtered(query: QueryFluentBuilder, conditions: &[Condition<'_>]) -> QueryFluentBuilder {
    if conditions.is_empty() {
        return query;
    }
    let mut query = query;
    let mut expression = vec![];
    for (n, condition) in conditions.iter().enumerate() {
        let alias = format!("#f{n}");
        match condition {
            Condition::Equals(name, placeholder, value) => {
                expression.push(format!("{alias} = {placeholder}"));
                query = query
                    .expression_attribute_names(&alias, *name)
                    .expression_attribute_values(*placeholder, s(*value));
            }
            Condition::Exists(name, there) => {
                let function = if *there { "attribute_exists" } else { "attribute_not_exists" };
                expression.push(format!("{function}({alias})"));
                query = query.expression_attribute_names(&alias, *name);
            }
        }
    }
    query.filter_expression(expression.join(" AND "))
}

/// The page after `cursor` of what `queries` find together (each from
/// [`DynamoStore::partition_query`]).
pub(super) async fn newest_page<T: Listed>(
    queries: Vec<QueryFluentBuilder>,
    decode: impl Fn(&Item) -> Result<T, StoreError>,
    cursor: Option<&Position>,
    limit: usize,
) -> Result<Page<T>, StoreError> {
    let mut candidates = vec![];
    let mut more = false;
    for query in queries {
        let (found, unread) = partition_head(query, &decode, cursor, limit).await?;
        candidates.extend(found);
        more |= unread;
    }
    Ok(Page::cut(candidates, cursor, limit, more))
}

/// The first `limit` records of one partition after `cursor`, and whether it holds more.
/// DynamoDB returns records of one `created_at` in no set order, so reading stops only when the
/// last record evaluated is older than the `limit`-th found: nothing unread can come before it.
async fn partition_head<T: Listed>(
    query: QueryFluentBuilder,
    decode: &impl Fn(&Item) -> Result<T, StoreError>,
    cursor: Option<&Position>,
    limit: usize,
) -> Result<(Vec<T>, bool), StoreError> {
    let filtered = query.as_input().get_filter_expression().is_some();
    let mut batch = limit + 1;
    let mut found: Vec<T> = vec![];
    let mut start = None;
    loop {
        let request_limit = i32::try_from(batch).unwrap_or(i32::MAX);
        let output = query.clone().limit(request_limit).set_exclusive_start_key(start).send().await.map_err(failed)?;
        for item in output.items() {
            let record = decode(item)?;
            if record.position().is_after(cursor) {
                found.push(record);
            }
        }
        start = output.last_evaluated_key;
        let Some(last_evaluated) = &start else { return Ok((found, false)) };
        // The filter dropped what was read: read more at a time, up to FILTERED_BATCH.
        if filtered && found.len() < limit {
            batch = (batch * 5).min(FILTERED_BATCH.max(limit + 1));
        }
        if found.len() >= limit {
            found.sort_by(|a, b| a.position().listing_order(&b.position()));
            let read_down_to = required_time(last_evaluated, "created_at")?;
            if read_down_to < found[limit - 1].position().at {
                found.truncate(limit);
                return Ok((found, true));
            }
        }
    }
}
