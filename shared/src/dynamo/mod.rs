//! The DynamoDB adapter: the only place that knows key formats, attribute names and how the
//! domain's records are stored.
//!
//! - [`keys`]: every key of both tables and the classifier of a sort key;
//! - [`codec`]: one codec per record (domain record ⇄ item);
//! - `apply.rs`: a [`crate::plan`] (what a commit or staff write writes, on what condition) as
//!   the items of one transaction;
//! - `users.rs`, `directory.rs`, `tickets.rs`, `notices.rs`: one file per port implementation;
//! - [`stream`]: TicketsTable stream records → the notifier's [`crate::notify::Change`]s.
//!
//! Links are kept on both sides (the user's `link_id`, the contact's or employee's `tg_user`);
//! every write that changes one side changes the other in the same transaction, conditioned on
//! the side it did not read, so the two never disagree.

mod apply;
pub mod attr;
pub mod codec;
mod directory;
pub mod keys;
mod listing;
mod migrate;
mod notices;
pub mod stream;
mod tickets;
mod users;
mod write;

use crate::ports::{BoxError, StoreError};
use attr::{key_map, Item};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;
pub use aws_sdk_dynamodb::Client as DynamoClient;

pub use aws_config::SdkConfig;
pub use migrate::Migrated;

/// Loads the AWS configuration once per container from the standard chain (region,
/// credentials, and `AWS_ENDPOINT_URL`/`AWS_ENDPOINT_URL_DYNAMODB`/`AWS_ENDPOINT_URL_S3`), with
/// timeouts: no request waits on a silent peer for long (DynamoDB answers in milliseconds; the
/// SDK's retries of throttling stay within the operation's time).
pub async fn load_sdk_config() -> SdkConfig {
    use std::time::Duration;
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(timeouts).load().await
}

/// Both tables behind one client; implements every store port.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: DynamoClient,
    bot_table: String,
    tickets_table: String,
}

impl DynamoStore {
    pub fn new(client: DynamoClient, bot_table: impl Into<String>, tickets_table: impl Into<String>) -> Self {
        DynamoStore { client, bot_table: bot_table.into(), tickets_table: tickets_table.into() }
    }

    /// One item by its key, read consistently.
    async fn get(&self, table: &str, key: keys::Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(table)
            .set_key(Some(key_map(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(failed)?;
        Ok(output.item)
    }

    /// Items by their keys, read consistently with BatchGetItem: 100 keys a request, again for
    /// what DynamoDB leaves unprocessed. Items that are not there are simply absent.
    async fn batch_get(&self, table: &str, keys: Vec<keys::Key>) -> Result<Vec<Item>, StoreError> {
        let mut found = vec![];
        for chunk in keys.chunks(100) {
            let mut wanted = aws_sdk_dynamodb::types::KeysAndAttributes::builder().consistent_read(true);
            for key in chunk {
                wanted = wanted.keys(key_map(key.clone()));
            }
            let mut request =
                std::collections::HashMap::from([(table.to_owned(), wanted.build().map_err(build_error)?)]);
            for attempt in 0.. {
                let output =
                    self.client.batch_get_item().set_request_items(Some(request)).send().await.map_err(failed)?;
                found.extend(output.responses.unwrap_or_default().remove(table).unwrap_or_default());
                request = output.unprocessed_keys.unwrap_or_default();
                if request.is_empty() {
                    break;
                }
                back_off(attempt).await?;
            }
        }
        Ok(found)
    }

    /// Puts and deletes with BatchWriteItem (not atomic): 25 a request, again for what DynamoDB
    /// leaves unprocessed.
    async fn batch_write(
        &self,
        table: &str,
        writes: Vec<aws_sdk_dynamodb::types::WriteRequest>,
    ) -> Result<(), StoreError> {
        for chunk in writes.chunks(25) {
            let mut request = std::collections::HashMap::from([(table.to_owned(), chunk.to_vec())]);
            for attempt in 0.. {
                let output =
                    self.client.batch_write_item().set_request_items(Some(request)).send().await.map_err(failed)?;
                request = output.unprocessed_items.unwrap_or_default();
                if request.is_empty() {
                    break;
                }
                back_off(attempt).await?;
            }
        }
        Ok(())
    }

    /// Runs a transaction. When `first_means_duplicate` (the plan's first write is an update
    /// marker or a kept API result, [`crate::plan::first_means_duplicate`]), its failed
    /// condition alone means a duplicate; any other failed condition is a concurrent change.
    async fn transact(&self, items: Vec<TransactWriteItem>, first_means_duplicate: bool) -> Result<(), StoreError> {
        let error = match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        let codes: Vec<Option<String>> = match error.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                e.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect()
            }
            _ => return Err(self::failed(error)),
        };
        let failed = |i: usize| codes.get(i).and_then(|c| c.as_deref()) == Some("ConditionalCheckFailed");
        if let Some(code) =
            codes.iter().flatten().find(|c| matches!(c.as_str(), "ValidationError" | "ItemCollectionSizeLimitExceeded"))
        {
            Err(StoreError::rejected_by(format!("transaction cancelled: {code}"), error))
        } else if first_means_duplicate && failed(0) {
            Err(StoreError::Duplicate)
        } else if (0..codes.len()).any(failed) || codes.iter().any(|c| c.as_deref() == Some("TransactionConflict")) {
            Err(StoreError::Conflict)
        } else {
            Err(self::failed(error))
        }
    }
}

/// Every item a query finds, page after page.
async fn query_all(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    let mut items = vec![];
    let mut start = None;
    loop {
        let output = query.clone().set_exclusive_start_key(start).send().await.map_err(failed)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// Every item of the table whose sort key is `sk`, page after page.
async fn scan_all(
    scan: aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder,
    sk: &str,
) -> Result<Vec<Item>, StoreError> {
    let scan = scan.filter_expression("sk = :sk").expression_attribute_values(":sk", attr::s(sk));
    let mut items = vec![];
    let mut start = None;
    loop {
        let output = scan.clone().set_exclusive_start_key(start).send().await.map_err(failed)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// What a failed request means: DynamoDB's refusal of the request itself (a validation error:
/// an item over 400 KB, a transaction over 100 items or touching one item twice) is permanent;
/// everything else (throttling, 5xx, timeouts, the network) may pass.
fn failed<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match error.as_service_error().and_then(|e| e.code()) {
        // Refused whatever the state of the data: a request DynamoDB will never take, or a
        // deployment that may not make it (a missing permission, table or credential).
        Some(
            code @ ("ValidationException"
            | "ItemCollectionSizeLimitExceededException"
            | "AccessDeniedException"
            | "ResourceNotFoundException"
            | "UnrecognizedClientException"),
        ) => {
            let message = error.as_service_error().and_then(|e| e.message()).unwrap_or_default();
            StoreError::rejected_by(format!("{code}: {message}"), error)
        }
        _ => StoreError::Unavailable(Box::new(error) as BoxError),
    }
}

/// Before asking again for what a batch request left unprocessed (DynamoDB was throttling):
/// 50 ms, doubling, five times; then the request fails for now (the caller retries later).
async fn back_off(attempt: u32) -> Result<(), StoreError> {
    if attempt >= 5 {
        return Err(StoreError::Unavailable("DynamoDB left part of a batch unprocessed five times".into()));
    }
    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
    Ok(())
}

/// A request this code could not build: a bug, not a passing fault.
fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::rejected_by(error.to_string(), error)
}

fn is_condition_failure<E, R>(error: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}
