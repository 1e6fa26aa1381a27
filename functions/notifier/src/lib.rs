//! The notifier Lambda: TicketsTable stream records in, Telegram messages out.
//!
//! This file only translates the Lambda event: its records into the stored items that
//! `shared::dynamo::stream` reads, and the result into `batchItemFailures`. Who hears what is
//! decided in `shared::notify`. Every record is examined, whatever the event source mapping's
//! filters let through: filters are an optimisation, not a guarantee.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use shared::config::NotifierConfig;
use shared::dynamo::stream::{change_of, StreamRecord};
use shared::dynamo::{attr::Item, DynamoStore};
use shared::notify::{self, Change, Courier, NoticeSettings, Record};
use shared::telegram::{TelegramMessenger, Timeouts};
use std::time::Duration;

pub struct Notifier {
    pub dispatcher: notify::Dispatcher<DynamoStore, TelegramMessenger>,
}

impl Notifier {
    /// The notifier as deployed: Telegram calls give up after the [`Timeouts::default`].
    pub fn new(
        config: &NotifierConfig,
        dynamodb: shared::dynamo::DynamoClient,
        s3: shared::s3::S3Client,
    ) -> Result<Self, reqwest::Error> {
        let messenger = TelegramMessenger::with_timeouts(
            &config.telegram_api_url,
            config.telegram_bot_token.expose(),
            Timeouts::default(),
        )?
        .with_bucket(shared::s3::S3Files::new(s3, &config.attachments_bucket));
        Ok(Self::with_messenger(config, dynamodb, messenger))
    }

    /// The notifier with a messenger of its own (tests shorten its timeouts). A send starts only
    /// while one timeout and the keeping of what was not delivered still fit the invocation.
    pub fn with_messenger(
        config: &NotifierConfig,
        dynamodb: shared::dynamo::DynamoClient,
        messenger: TelegramMessenger,
    ) -> Self {
        let reserve = notify::reserve_for(messenger.timeouts().call);
        Notifier {
            dispatcher: notify::Dispatcher {
                courier: Courier {
                    store: DynamoStore::new(dynamodb, &config.bot_table, &config.tickets_table),
                    messenger,
                    reserve,
                    pacer: notify::Pacer::default(),
                },
                settings: NoticeSettings {
                    service_desk_url: config.service_desk_url.clone(),
                    timezone: config.timezone.clone(),
                    default_lang: config.default_language,
                },
            },
        }
    }

    /// Handles a batch; `deadline` is when the invocation must have answered.
    pub async fn handle(&self, event: Event, deadline: std::time::Instant) -> DynamoDbEventResponse {
        let records: Vec<Record> = event.records.iter().map(to_record).collect();
        let remaining = || deadline.saturating_duration_since(std::time::Instant::now());
        let mut response = DynamoDbEventResponse::default();
        if let Some(sequence) = self.dispatcher.handle_batch(&records, remaining, chrono::Utc::now()).await {
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

/// What a stream record means. A record that does not read as what its keys say is logged and
/// passed over: it will not read on a retry either, and it must not block the shard.
pub fn to_record(record: &EventRecord) -> Record {
    let sequence = record.change.sequence_number.clone().unwrap_or_default();
    let stream_record = StreamRecord {
        event_name: record.event_name.clone(),
        keys: item(&record.change.keys),
        old_image: item(&record.change.old_image),
        new_image: item(&record.change.new_image),
    };
    let change = change_of(&stream_record).unwrap_or_else(|error| {
        tracing::error!(event_id = %record.event_id, %error, "stream record not understood; skipped");
        Change::Nothing
    });
    Record { event_id: record.event_id.clone(), sequence, change }
}

/// An image of the event as the item the SDK would have read.
fn item(image: &serde_dynamo::Item) -> Item {
    image.iter().map(|(name, value)| (name.clone(), attribute(value))).collect()
}

fn attribute(value: &serde_dynamo::AttributeValue) -> shared::dynamo::attr::AttributeValue {
    use serde_dynamo::AttributeValue as Event;
    use shared::dynamo::attr::{AttributeValue as Sdk, Blob};
    match value {
        Event::N(n) => Sdk::N(n.clone()),
        Event::S(s) => Sdk::S(s.clone()),
        Event::Bool(b) => Sdk::Bool(*b),
        Event::B(b) => Sdk::B(Blob::new(b.clone())),
        Event::Null(n) => Sdk::Null(*n),
        Event::M(m) => Sdk::M(m.iter().map(|(k, v)| (k.clone(), attribute(v))).collect()),
        Event::L(l) => Sdk::L(l.iter().map(attribute).collect()),
        Event::Ss(ss) => Sdk::Ss(ss.clone()),
        Event::Ns(ns) => Sdk::Ns(ns.clone()),
        Event::Bs(bs) => Sdk::Bs(bs.iter().cloned().map(Blob::new).collect()),
    }
}
