//! The notifier Lambda: TicketsTable stream records in, Telegram messages out.
//!
//! This file only translates stream records into [`shared::notify::Change`]s and the result into
//! `batchItemFailures`; who hears what is decided in `shared::notify`. Every record is examined
//! here, whatever the event source mapping's filters let through: filters are an
//! optimisation, not a guarantee.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use shared::config::Config;
use shared::domain::{CallMeRequest, Comment, Ticket};
use shared::dynamo::DynamoStore;
use shared::notify::{self, Change, Record};
use shared::telegram::TelegramMessenger;
use std::time::Duration;

pub struct Notifier {
    pub inner: notify::Dispatcher<DynamoStore, TelegramMessenger>,
}

impl Notifier {
    pub fn new(config: &Config, dynamodb: shared::dynamo::DynamoClient) -> Self {
        Notifier {
            inner: notify::Dispatcher {
                store: DynamoStore::new(dynamodb, &config.bot_table, &config.tickets_table),
                messenger: TelegramMessenger::new(&config.telegram_api_url, config.telegram_bot_token.expose()),
                settings: notify::NoticeSettings::from_config(config),
            },
        }
    }

    /// Handles a batch; `deadline` is when the invocation must have answered.
    pub async fn handle(&self, event: Event, deadline: std::time::Instant) -> DynamoDbEventResponse {
        let records: Vec<Record> = event.records.iter().map(to_record).collect();
        let remaining = || deadline.saturating_duration_since(std::time::Instant::now());
        let mut response = DynamoDbEventResponse::default();
        if let Some(sequence) = self.inner.handle_batch(&records, remaining).await {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(sequence);
            response.batch_item_failures.push(failure);
        }
        response
    }
}

/// The time left of an invocation, from the Lambda context's deadline (ms since the epoch).
pub fn deadline_from_epoch_ms(deadline_ms: u64) -> std::time::Instant {
    let now_ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    std::time::Instant::now() + Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// What a stream record means. A record that does not parse as what its keys say is logged
/// and passed over: it will not parse on a retry either, and it must not block the shard.
pub fn to_record(record: &EventRecord) -> Record {
    let sequence = record.change.sequence_number.clone().unwrap_or_default();
    let change = match change_of(record) {
        Ok(change) => change,
        Err(error) => {
            tracing::error!(event_id = %record.event_id, %error, "stream record not understood; skipped");
            Change::Nothing
        }
    };
    Record { event_id: record.event_id.clone(), sequence, change }
}

fn change_of(record: &EventRecord) -> Result<Change, serde_dynamo::Error> {
    let image = if record.change.new_image.is_empty() { &record.change.keys } else { &record.change.new_image };
    let sk: Option<String> = image.get("sk").and_then(|v| serde_dynamo::from_attribute_value(v.clone()).ok());
    let Some(sk) = sk else { return Ok(Change::Nothing) };
    Ok(match (record.event_name.as_str(), sk.as_str()) {
        ("INSERT", "TICKET") => {
            Change::TicketCreated(serde_dynamo::from_item::<_, Ticket>(record.change.new_image.clone())?)
        }
        ("MODIFY", "TICKET") => Change::TicketChanged {
            old: Box::new(serde_dynamo::from_item::<_, Ticket>(record.change.old_image.clone())?),
            new: Box::new(serde_dynamo::from_item::<_, Ticket>(record.change.new_image.clone())?),
        },
        ("INSERT", "CALLBACK") => {
            Change::CallMeRequested(serde_dynamo::from_item::<_, CallMeRequest>(record.change.new_image.clone())?)
        }
        ("INSERT", comment) if comment.starts_with("COMMENT#") => {
            Change::CommentAdded(serde_dynamo::from_item::<_, Comment>(record.change.new_image.clone())?)
        }
        _ => Change::Nothing,
    })
}
